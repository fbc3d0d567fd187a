package cmap

import (
	"encoding/binary"
	"fmt"
	"slices"

	"goais/service"
)

// FnMcast is the only exec message of service 0 (reference §5.4,
// corosync's MESSAGE_REQ_EXEC_CMAP_MCAST). corosync's sender leaves the
// whole header id 0 (a memset), which happens to be cmap fn 0.
const FnMcast uint16 = 0

// Reason is the reason field of MCAST (enum cmap_mcast_reason).
type Reason uint8

// The reasons corosync 3.1.7 sends.
const (
	// ReasonSync: the items a node sends in its sync process phase.
	ReasonSync Reason = 0
	// ReasonNewConfigVersion: a node reloaded its configuration and
	// announces its new totem.config_version.
	ReasonNewConfigVersion Reason = 1
)

func (r Reason) String() string {
	switch r {
	case ReasonSync:
		return "SYNC"
	case ReasonNewConfigVersion:
		return "NEW_CONFIG_VERSION"
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// ValueType is icmap_value_types_t, the type of an item's value.
type ValueType uint8

// The icmap value types; NotExist says that the sender has no such key.
const (
	TypeNotExist ValueType = iota
	TypeInt8
	TypeUint8
	TypeInt16
	TypeUint16
	TypeInt32
	TypeUint32
	TypeInt64
	TypeUint64
	TypeFloat
	TypeDouble
	TypeString
	TypeBinary
)

var typeNames = [...]string{"NOT_EXIST", "INT8", "UINT8", "INT16", "UINT16", "INT32", "UINT32",
	"INT64", "UINT64", "FLOAT", "DOUBLE", "STRING", "BINARY"}

func (t ValueType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint8(t))
}

// size is the value length type t requires: 0 for NotExist, the width of
// a number, or -1 for strings and binary values, which have any length.
func (t ValueType) size() int {
	switch t {
	case TypeNotExist:
		return 0
	case TypeInt8, TypeUint8:
		return 1
	case TypeInt16, TypeUint16:
		return 2
	case TypeInt32, TypeUint32, TypeFloat:
		return 4
	case TypeInt64, TypeUint64, TypeDouble:
		return 8
	}
	return -1
}

// Layout of MCAST, offsets from the start of the message (the exec header
// included). Every field of corosync's structs is aligned to 8 bytes, so
// the padding is part of the format:
//
//	 0  exec header: id 0, size u32 @8 = the whole message
//	16  reason      u8 (+7 pad)
//	24  no_items    u8 (+7 pad)
//	32  reserved1   u8 (+7 pad), reserved2 u8 (+7 pad)
//	48  no_items items, back to back
//
// Each item, offsets from its start, is 280 bytes plus the value, padded
// to a multiple of 8:
//
//	  0  key_name.length u16 (+6 pad)
//	  8  key_name.value  [256]u8
//	264  value_type      u8 (+7 pad)
//	272  value_len       u64
//	280  value           value_len bytes, then zeros up to 8
const (
	McastHeader = 48
	ItemHeader  = 280
	// KeyMax is the room for a key name (mar_name_t's value array).
	KeyMax = 256
	// ItemsMax is the most items one message can count (no_items is a u8).
	ItemsMax = 255
)

// KeyConfigVersion is the one key corosync 3.1.7 sends in sync and on a
// configuration reload.
const KeyConfigVersion = "totem.config_version"

var mcastLayout = []struct {
	name      string
	off, size int
}{
	{"reason", 16, 8}, {"no_items", 24, 8}, {"reserved", 32, 16},
}

// Item is one key of an MCAST. Value holds the value bytes; a number is
// kept little-endian whatever the sender's byte order, as corosync's
// endian conversion swaps numbers by type.
type Item struct {
	Key   string
	Type  ValueType
	Value []byte
}

// Uint64Item is an item of type UINT64.
func Uint64Item(key string, v uint64) Item {
	return Item{Key: key, Type: TypeUint64, Value: binary.LittleEndian.AppendUint64(nil, v)}
}

// Uint64 returns the value of a UINT64 item.
func (it Item) Uint64() (uint64, bool) {
	if it.Type != TypeUint64 || len(it.Value) != 8 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(it.Value), true
}

// Mcast is the MCAST exec message: a reason and its items.
type Mcast struct {
	Reason Reason
	Items  []Item
}

// align8 rounds n up to a multiple of 8 (MAR_ALIGN_UP).
func align8(n uint64) uint64 { return (n + 7) &^ 7 }

// Message prepends the 16-byte exec header to body, as Env.Mcast does: the
// result is what Deliver receives. For tests and tools that play a peer.
func Message(fn uint16, body []byte) []byte {
	b := service.AppendHeader(make([]byte, 0, service.HeaderSize+len(body)), service.CMAP, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// Body is the MCAST body carrying m, without the exec header, as
// Env.Mcast wants it.
func (m Mcast) Body() ([]byte, error) {
	msg, err := m.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return msg[service.HeaderSize:], nil
}

// encode writes the whole message, header included, in byte order o. It
// fails for what the format cannot carry.
func (m Mcast) encode(o binary.ByteOrder) ([]byte, error) {
	if len(m.Items) > ItemsMax {
		return nil, fmt.Errorf("cmap: %d items, at most %d fit", len(m.Items), ItemsMax)
	}
	size := uint64(McastHeader)
	for i, it := range m.Items {
		if len(it.Key) > KeyMax {
			return nil, fmt.Errorf("cmap: item %d: key of %d bytes exceeds %d", i, len(it.Key), KeyMax)
		}
		if it.Type > TypeBinary {
			return nil, fmt.Errorf("cmap: item %d: unknown value type %d", i, it.Type)
		}
		if n := it.Type.size(); n >= 0 && len(it.Value) != n {
			return nil, fmt.Errorf("cmap: item %d: %v value of %d bytes, want %d", i, it.Type, len(it.Value), n)
		}
		size += align8(ItemHeader + uint64(len(it.Value)))
	}
	if size > 1<<31-1 {
		return nil, fmt.Errorf("cmap: message of %d bytes is too large", size)
	}
	b := make([]byte, size)
	o.PutUint32(b[0:], uint32(service.CMAP)<<16|uint32(FnMcast))
	o.PutUint32(b[8:], uint32(size))
	b[16] = byte(m.Reason)
	b[24] = byte(len(m.Items))
	off := McastHeader
	for _, it := range m.Items {
		o.PutUint16(b[off:], uint16(len(it.Key)))
		copy(b[off+8:off+8+KeyMax], it.Key)
		b[off+264] = byte(it.Type)
		o.PutUint64(b[off+272:], uint64(len(it.Value)))
		v := b[off+ItemHeader : off+ItemHeader+len(it.Value)]
		copy(v, it.Value)
		if o == binary.BigEndian && it.Type.size() > 1 {
			slices.Reverse(v)
		}
		off += int(align8(ItemHeader + uint64(len(it.Value))))
	}
	return b, nil
}

// DecodeMcast reads an MCAST; bigEndian is the Totem endian flag of the
// delivery. Everything is bounded by the header's size field, which must
// lie within msg; bytes after the last item are ignored, as corosync's
// handler ignores them. Errors are *DecodeError.
func DecodeMcast(msg []byte, bigEndian bool) (Mcast, error) {
	const what = "MCAST"
	var o binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		o = binary.BigEndian
	}
	if len(msg) < service.HeaderSize {
		return Mcast{}, decodeErr(what, "header", 0, "need %d bytes, have %d", service.HeaderSize, len(msg))
	}
	size := int64(int32(o.Uint32(msg[8:])))
	if size < service.HeaderSize || size > int64(len(msg)) {
		return Mcast{}, decodeErr(what, "header.size", 8, "%d is not between %d and the message length %d",
			size, service.HeaderSize, len(msg))
	}
	msg = msg[:size]
	for _, f := range mcastLayout {
		if f.off+f.size > len(msg) {
			return Mcast{}, decodeErr(what, f.name, f.off, "need %d bytes, have %d (header.size %d)",
				f.size, max(len(msg)-f.off, 0), len(msg))
		}
	}
	m := Mcast{Reason: Reason(msg[16])}
	if m.Reason > ReasonNewConfigVersion {
		return Mcast{}, decodeErr(what, "reason", 16, "unknown reason %d", msg[16])
	}
	n := int(msg[24])
	if n > 0 {
		m.Items = make([]Item, 0, n)
	}
	off := McastHeader
	for i := range n {
		it, next, err := decodeItem(msg, o, i, off)
		if err != nil {
			return Mcast{}, err
		}
		m.Items = append(m.Items, it)
		off = next
	}
	return m, nil
}

// decodeItem reads item i at off and returns the offset of the next one.
func decodeItem(msg []byte, o binary.ByteOrder, i, off int) (Item, int, error) {
	const what = "MCAST"
	field := func(name string) string { return fmt.Sprintf("items[%d].%s", i, name) }
	for _, f := range []struct {
		name      string
		off, size int
	}{{"key_name.length", 0, 8}, {"key_name.value", 8, KeyMax}, {"value_type", 264, 8}, {"value_len", 272, 8}} {
		if off+f.off+f.size > len(msg) {
			return Item{}, 0, decodeErr(what, field(f.name), off+f.off, "need %d bytes, have %d (header.size %d)",
				f.size, max(len(msg)-off-f.off, 0), len(msg))
		}
	}
	klen := int(o.Uint16(msg[off:]))
	if klen > KeyMax {
		return Item{}, 0, decodeErr(what, field("key_name.length"), off, "%d exceeds %d", klen, KeyMax)
	}
	it := Item{Key: string(msg[off+8 : off+8+klen]), Type: ValueType(msg[off+264])}
	if it.Type > TypeBinary {
		return Item{}, 0, decodeErr(what, field("value_type"), off+264, "unknown type %d", msg[off+264])
	}
	vlen := o.Uint64(msg[off+272:])
	if want := it.Type.size(); want >= 0 && vlen != uint64(want) {
		return Item{}, 0, decodeErr(what, field("value_len"), off+272, "%d for a %v value, want %d", vlen, it.Type, want)
	}
	valueOff := off + ItemHeader
	// The value and its padding to 8 must lie within the message; the
	// comparison is done in uint64 so that a huge value_len cannot wrap.
	if room := uint64(len(msg) - valueOff); vlen > room || align8(vlen) > room {
		return Item{}, 0, decodeErr(what, field("value"), valueOff, "%d bytes padded to %d, have %d (header.size %d)",
			vlen, align8(vlen), room, len(msg))
	}
	if vlen > 0 {
		it.Value = slices.Clone(msg[valueOff : valueOff+int(vlen)])
	}
	if o == binary.BigEndian && it.Type.size() > 1 {
		slices.Reverse(it.Value)
	}
	return it, valueOff + int(align8(vlen)), nil
}
