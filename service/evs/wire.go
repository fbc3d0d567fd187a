package evs

import (
	"encoding/binary"
	"fmt"

	api "goais/client/evs"
	"goais/service"
)

// Exec message function ids of service 16. openais had one, numbered 0
// (MESSAGE_REQ_EXEC_EVS_MCAST).
const (
	FnMcast uint16 = 0
)

// McastHeader is the size of an MCAST before its groups: the 16-byte exec
// header and the EVS header.
//
// Layout (offsets from the start of the message, integers written
// little-endian and read in the sender's byte order):
//
//	 0  exec header (16)   id = 16<<16 | 0, size = the whole message
//	16  u32 group_entries  n
//	20  u32 msg_len
//	24  u32 guarantee      as the library gave it; informational
//	28  u32 reserved       written 0, ignored
//	32  n × 32-byte group keys
//	32+32n  msg_len bytes of message
//
// header.size must be exactly 32 + 32n + msg_len. This is openais's
// req_exec_evs_mcast (header, group_entries, msg_len, groups, message)
// with the guarantee added and the fields padded to 8 bytes.
const McastHeader = service.HeaderSize + 16

// Mcast is the MCAST exec message: msg for every connection joined to one
// of groups.
type Mcast struct {
	Guarantee api.Guarantee
	Groups    []api.Group
	Msg       []byte
}

// Body encodes m without the exec header, which Env.Mcast adds.
func (m Mcast) Body() []byte {
	return encodeMcast(binary.LittleEndian, m)[service.HeaderSize:]
}

// encodeMcast encodes the whole message, header included, in byte order o;
// tests use big-endian to play a foreign peer.
func encodeMcast(o binary.ByteOrder, m Mcast) []byte {
	size := McastHeader + api.GroupSize*len(m.Groups) + len(m.Msg)
	b := make([]byte, McastHeader, size)
	o.PutUint32(b[0:], uint32(service.EVS)<<16|uint32(FnMcast))
	o.PutUint32(b[8:], uint32(size))
	o.PutUint32(b[16:], uint32(len(m.Groups)))
	o.PutUint32(b[20:], uint32(len(m.Msg)))
	o.PutUint32(b[24:], uint32(m.Guarantee))
	for _, g := range m.Groups {
		b = append(b, g[:]...)
	}
	return append(b, m.Msg...)
}

// Message prepends the exec header (service 16, fn, total size) to body,
// as Env.Mcast does on the way out: the result is what Deliver receives.
func Message(fn uint16, body []byte) []byte {
	b := service.AppendHeader(make([]byte, 0, service.HeaderSize+len(body)), service.EVS, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// DecodeMcast decodes an MCAST, header included; bigEndian is the Totem
// endian flag of the delivery. Msg aliases msg.
func DecodeMcast(msg []byte, bigEndian bool) (Mcast, error) {
	var o binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		o = binary.BigEndian
	}
	if len(msg) < McastHeader {
		return Mcast{}, decodeErr("header", 0, "need %d bytes, have %d", McastHeader, len(msg))
	}
	if fn := o.Uint32(msg[0:]); fn != uint32(service.EVS)<<16|uint32(FnMcast) {
		return Mcast{}, decodeErr("header.id", 0, "%#08x is not EVS MCAST", fn)
	}
	size := int64(int32(o.Uint32(msg[8:])))
	if size < McastHeader || size > int64(len(msg)) {
		return Mcast{}, decodeErr("header.size", 8, "%d is not between %d and the message length %d", size, McastHeader, len(msg))
	}
	msg = msg[:size]
	n := int64(o.Uint32(msg[16:]))
	ml := int64(o.Uint32(msg[20:]))
	if McastHeader+api.GroupSize*n > size {
		return Mcast{}, decodeErr("group_entries", 16, "%d groups need %d bytes, header.size is %d", n, McastHeader+api.GroupSize*n, size)
	}
	if want := McastHeader + api.GroupSize*n + ml; want != size {
		return Mcast{}, decodeErr("msg_len", 20, "%d with %d groups makes %d bytes, header.size is %d", ml, n, want, size)
	}
	m := Mcast{Guarantee: api.Guarantee(o.Uint32(msg[24:])), Groups: make([]api.Group, n)}
	off := McastHeader
	for i := range m.Groups {
		copy(m.Groups[i][:], msg[off:])
		off += api.GroupSize
	}
	m.Msg = msg[off:size:size]
	return m, nil
}

// DecodeError says why an exec message was rejected. It unwraps to
// service.ErrMalformed.
type DecodeError struct {
	Msg    string // message name: "MCAST"
	Field  string // e.g. "msg_len"
	Offset int    // byte offset of Field from the start of the message
	Detail string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("evs: %s: %s at offset %d: %s", e.Msg, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, service.ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return service.ErrMalformed }

func decodeErr(field string, off int, format string, args ...any) error {
	return &DecodeError{Msg: "MCAST", Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}
