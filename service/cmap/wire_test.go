package cmap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
)

// refMessage builds an MCAST by hand at the reference's offsets (§5.4),
// independently of the encoder: items are (key, type, value) with the
// value already in the byte order o.
func refMessage(o binary.ByteOrder, reason byte, items ...Item) []byte {
	size := 48
	for _, it := range items {
		size += (280 + len(it.Value) + 7) / 8 * 8
	}
	b := make([]byte, size)
	o.PutUint32(b[0:], 0) // corosync leaves the id 0: service 0, fn 0
	o.PutUint32(b[8:], uint32(size))
	b[16] = reason
	b[24] = byte(len(items))
	off := 48
	for _, it := range items {
		o.PutUint16(b[off:], uint16(len(it.Key)))
		copy(b[off+8:], it.Key)
		b[off+264] = byte(it.Type)
		o.PutUint64(b[off+272:], uint64(len(it.Value)))
		copy(b[off+280:], it.Value)
		off += (280 + len(it.Value) + 7) / 8 * 8
	}
	return b
}

// The sync message of a node without totem.config_version is the 328-byte
// message real nodes send; with a version it is 336 bytes.
func TestSyncMessageLayout(t *testing.T) {
	env := recEnv(3)
	c := New(env, Config{}, nil)
	c.SyncInit(nil, []service.NodeID{3}, service.RingID{Rep: 3, Seq: 4})
	if !c.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("sent %d messages", len(env.Sent))
	}
	want := refMessage(binary.LittleEndian, 0, Item{Key: "totem.config_version", Type: TypeNotExist})
	if len(want) != 328 {
		t.Fatalf("reference message is %d bytes", len(want))
	}
	if got := env.Sent[0]; !bytes.Equal(got, want) {
		t.Fatalf("NOT_EXIST sync message:\n got %x\nwant %x", got, want)
	}
	// Spot checks of the reference's table on the raw bytes.
	got := env.Sent[0]
	if binary.LittleEndian.Uint32(got[8:]) != 328 || got[48] != 20 || string(got[56:76]) != "totem.config_version" ||
		got[48+264] != 0 || binary.LittleEndian.Uint64(got[48+272:]) != 0 {
		t.Fatalf("fields off: %x", got)
	}

	env = recEnv(3)
	c = New(env, Config{ConfigVersion: 0x0102030405060708, HasConfigVersion: true}, nil)
	c.SyncInit(nil, []service.NodeID{3}, service.RingID{Rep: 3, Seq: 4})
	c.SyncProcess()
	want = refMessage(binary.LittleEndian, 0, Item{Key: "totem.config_version", Type: TypeUint64,
		Value: []byte{8, 7, 6, 5, 4, 3, 2, 1}})
	if len(want) != 336 || !bytes.Equal(env.Sent[0], want) {
		t.Fatalf("UINT64 sync message (%d bytes):\n got %x\nwant %x", len(want), env.Sent[0], want)
	}
	m, err := DecodeMcast(want, false)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := m.Items[0].Uint64(); !ok || v != 0x0102030405060708 || m.Reason != ReasonSync {
		t.Fatalf("decoded %+v", m)
	}
}

// A big-endian sender's integers, numeric values included, are swapped;
// strings are not. Values are padded to 8 between items.
func TestDecodeBigEndian(t *testing.T) {
	msg := refMessage(binary.BigEndian, 1,
		Item{Key: "a.string", Type: TypeString, Value: []byte("abc\x00")},
		Item{Key: "totem.config_version", Type: TypeUint64, Value: []byte{0, 0, 0, 0, 0, 0, 1, 2}},
		Item{Key: "x.u16", Type: TypeUint16, Value: []byte{0xab, 0xcd}},
	)
	m, err := DecodeMcast(msg, true)
	if err != nil {
		t.Fatal(err)
	}
	want := Mcast{Reason: ReasonNewConfigVersion, Items: []Item{
		{Key: "a.string", Type: TypeString, Value: []byte("abc\x00")},
		Uint64Item("totem.config_version", 0x102),
		{Key: "x.u16", Type: TypeUint16, Value: []byte{0xcd, 0xab}},
	}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %+v\nwant %+v", m, want)
	}
	again, err := m.encode(binary.BigEndian)
	if err != nil || !bytes.Equal(again, msg) {
		t.Fatalf("re-encoded big-endian differs (%v):\n got %x\nwant %x", err, again, msg)
	}
}

// Messages round-trip in both byte orders; bytes after the last item
// (within or beyond size) are ignored.
func TestMcastRoundTrip(t *testing.T) {
	ms := []Mcast{
		{Reason: ReasonSync},
		{Reason: ReasonSync, Items: []Item{{Key: KeyConfigVersion, Type: TypeNotExist}}},
		{Reason: ReasonNewConfigVersion, Items: []Item{Uint64Item(KeyConfigVersion, 9)}},
		{Reason: ReasonSync, Items: []Item{
			{Key: strings.Repeat("k", KeyMax), Type: TypeBinary, Value: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9}},
			{Key: "", Type: TypeDouble, Value: []byte{1, 2, 3, 4, 5, 6, 7, 8}},
			{Key: "i8", Type: TypeInt8, Value: []byte{0xff}},
			{Key: "f", Type: TypeFloat, Value: []byte{1, 2, 3, 4}},
		}},
	}
	for _, m := range ms {
		for _, be := range []bool{false, true} {
			o := svcharness.Order(be)
			msg, err := m.encode(o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeMcast(msg, be)
			if err != nil || !reflect.DeepEqual(got, m) {
				t.Fatalf("be=%v: %+v -> %+v, %v", be, m, got, err)
			}
			longer := append(bytes.Clone(msg), 1, 2, 3, 4, 5, 6, 7, 8)
			o.PutUint32(longer[8:], uint32(len(longer)))
			for _, x := range [][]byte{longer, append(bytes.Clone(msg), 9)} {
				if got, err := DecodeMcast(x, be); err != nil || !reflect.DeepEqual(got, m) {
					t.Fatalf("be=%v with trailing bytes: %+v, %v", be, got, err)
				}
			}
		}
	}
	for _, bad := range []Mcast{
		{Items: make([]Item, 256)},
		{Items: []Item{{Key: strings.Repeat("k", 257)}}},
		{Items: []Item{{Key: "a", Type: 13}}},
		{Items: []Item{{Key: "a", Type: TypeUint32, Value: []byte{1}}}},
		{Items: []Item{{Key: "a", Type: TypeNotExist, Value: []byte{1}}}},
	} {
		if _, err := bad.Body(); err == nil {
			t.Errorf("encoded %+v", bad)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good := refMessage(binary.LittleEndian, 0,
		Item{Key: "totem.config_version", Type: TypeUint64, Value: make([]byte, 8)},
		Item{Key: "s", Type: TypeString, Value: []byte("xy")})
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	size := func(n uint32) func(b []byte) []byte {
		return func(b []byte) []byte { binary.LittleEndian.PutUint32(b[8:], n); return b }
	}
	second := 48 + 288
	tests := []struct {
		name  string
		msg   []byte
		field string
		off   int
	}{
		{"empty", nil, "header", 0},
		{"short header", good[:12], "header", 0},
		{"size too small", edit(size(15)), "header.size", 8},
		{"size too large", edit(size(uint32(len(good) + 1))), "header.size", 8},
		{"size negative", edit(size(0xffffffff)), "header.size", 8},
		{"no reason", edit(size(20)), "reason", 16},
		{"no reserved", edit(size(40)), "reserved", 32},
		{"unknown reason", edit(func(b []byte) []byte { b[16] = 2; return b }), "reason", 16},
		{"items missing", edit(func(b []byte) []byte { b[24] = 3; return b }), "items[2].key_name.length", second + 288},
		{"item cut in key", edit(size(100)), "items[0].key_name.value", 56},
		{"item cut before value_len", edit(size(48 + 276)), "items[0].value_len", 48 + 272},
		{"key too long", edit(func(b []byte) []byte { b[48], b[49] = 1, 1; return b }), "items[0].key_name.length", 48},
		{"unknown type", edit(func(b []byte) []byte { b[48+264] = 13; return b }), "items[0].value_type", 48 + 264},
		{"uint64 of 4 bytes", edit(func(b []byte) []byte { b[48+272] = 4; return b }), "items[0].value_len", 48 + 272},
		{"not_exist with a value", edit(func(b []byte) []byte { b[48+264] = 0; return b }), "items[0].value_len", 48 + 272},
		{"value past size", edit(func(b []byte) []byte { b[second+272] = 200; return b }), "items[1].value", second + 280},
		{"huge value_len", edit(func(b []byte) []byte {
			binary.LittleEndian.PutUint64(b[second+272:], 1<<63+3)
			return b
		}), "items[1].value", second + 280},
		{"padding cut", edit(size(uint32(len(good) - 1))), "items[1].value", second + 280},
	}
	for _, tt := range tests {
		_, err := DecodeMcast(tt.msg, false)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: got %v, want a *DecodeError", tt.name, err)
			continue
		}
		if !errors.Is(err, service.ErrMalformed) {
			t.Errorf("%s: %v does not wrap service.ErrMalformed", tt.name, err)
		}
		if de.Msg != "MCAST" || de.Field != tt.field || de.Offset != tt.off {
			t.Errorf("%s: got field %q at %d (%v), want %q at %d", tt.name, de.Field, de.Offset, err, tt.field, tt.off)
		}
	}
	if _, err := DecodeMcast(good, false); err != nil {
		t.Fatalf("the unedited message: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{ReasonSync.String(), "SYNC"}, {ReasonNewConfigVersion.String(), "NEW_CONFIG_VERSION"},
		{Reason(7).String(), "reason(7)"}, {TypeNotExist.String(), "NOT_EXIST"}, {TypeUint64.String(), "UINT64"},
		{TypeBinary.String(), "BINARY"}, {ValueType(13).String(), "type(13)"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}
