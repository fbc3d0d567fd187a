package evs

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"

	api "goais/client/evs"
	"goais/service"
	"goais/totem/pg"
)

func TestMcastLayout(t *testing.T) {
	m := Mcast{Guarantee: api.Agreed, Groups: []api.Group{api.MustGroup("ab"), api.MustGroup("c")}, Msg: []byte("hi!")}
	got := Message(FnMcast, m.Body())
	want := "00001000" + "00000000" + "63000000" + "00000000" + // exec header: id 16<<16|0, size 99
		"02000000" + "03000000" + "02000000" + "00000000" + // group_entries, msg_len, guarantee, reserved
		"6162" + zeros(30) + "63" + zeros(31) + // the two keys
		"686921" // the message
	if hex.EncodeToString(got) != want {
		t.Fatalf("layout:\n got %x\nwant %s", got, want)
	}
	if len(got) != McastHeader+2*api.GroupSize+3 {
		t.Fatalf("size %d", len(got))
	}
	// The big-endian encoding a foreign peer would send decodes to the
	// same message.
	be := encodeMcast(binary.BigEndian, m)
	if !bytes.Equal(be[service.HeaderSize+16:], got[service.HeaderSize+16:]) {
		t.Fatalf("keys and message must not be swapped")
	}
	for _, tc := range []struct {
		msg []byte
		be  bool
	}{{got, false}, {be, true}} {
		d, err := DecodeMcast(tc.msg, tc.be)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, m) {
			t.Fatalf("big-endian %v: decoded %+v, want %+v", tc.be, d, m)
		}
	}
}

func zeros(n int) string { return hex.EncodeToString(make([]byte, n)) }

func TestMcastRoundTrip(t *testing.T) {
	for _, m := range []Mcast{
		{Guarantee: api.Unordered, Groups: []api.Group{}, Msg: []byte{}},
		{Guarantee: api.Safe, Groups: []api.Group{api.MustGroup("x")}, Msg: []byte{}},
		{Guarantee: api.FIFO, Groups: []api.Group{{0xff}, {}, api.MustGroup("0123456789abcdef0123456789abcdef")}, Msg: bytes.Repeat([]byte{7}, 5000)},
	} {
		d, err := DecodeMcast(Message(FnMcast, m.Body()), false)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(d, m) {
			t.Fatalf("decoded %+v, want %+v", d, m)
		}
	}
}

// The largest message MaxMessage allows makes an exec message that fits
// in one totempg message with the group header of "a", and no more.
func TestMaxMessageFitsTotempg(t *testing.T) {
	const groupHeaderA = 5 // count u16, length u16, "a"
	for _, n := range []int{1, 2, 50, api.MaxGroups} {
		m := Mcast{Groups: make([]api.Group, n), Msg: make([]byte, api.MaxMessage(n))}
		if got := groupHeaderA + len(Message(FnMcast, m.Body())); got != pg.MaxMessageSize {
			t.Errorf("%d groups: totempg message of %d bytes, want exactly %d", n, got, pg.MaxMessageSize)
		}
	}
	if api.ExecOverhead != groupHeaderA+McastHeader {
		t.Errorf("client/evs.ExecOverhead %d, want %d", api.ExecOverhead, groupHeaderA+McastHeader)
	}
}

func TestDecodeMcastErrors(t *testing.T) {
	good := Message(FnMcast, Mcast{Groups: []api.Group{api.MustGroup("g")}, Msg: []byte("abc")}.Body())
	set := func(off int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.LittleEndian.PutUint32(b[off:], v)
		return b
	}
	for _, tc := range []struct {
		name  string
		msg   []byte
		field string
	}{
		{"empty", nil, "header"},
		{"short", good[:31], "header"},
		{"fn", set(0, uint32(service.EVS)<<16|1), "header.id"},
		{"size small", set(8, 31), "header.size"},
		{"size big", set(8, uint32(len(good)+1)), "header.size"},
		{"groups", set(16, 2), "group_entries"},
		{"groups huge", set(16, 1<<31), "group_entries"},
		{"msg_len", set(20, 4), "msg_len"},
		{"msg_len short", set(20, 2), "msg_len"},
	} {
		_, err := DecodeMcast(tc.msg, false)
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != tc.field || !errors.Is(err, service.ErrMalformed) {
			t.Errorf("%s: error %v, want a DecodeError on %s wrapping ErrMalformed", tc.name, err, tc.field)
		}
	}
}
