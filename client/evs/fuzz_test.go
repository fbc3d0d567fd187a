package evs

import (
	"bytes"
	"reflect"
	"testing"
)

// Each decoder never panics, and what it accepts encodes back to the same
// bytes (every body has exactly one encoding).

func FuzzDecodeGroups(f *testing.F) {
	f.Add(AppendGroups(nil, []Group{MustGroup("a"), MustGroup("b")}))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		gs, err := DecodeGroups("join", b)
		if err == nil && !bytes.Equal(AppendGroups(nil, gs), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeMcastJoined(f *testing.F) {
	f.Add(AppendMcastJoined(nil, Agreed, []byte("hello")))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, msg, err := DecodeMcastJoined(b)
		if err == nil && !bytes.Equal(AppendMcastJoined(nil, g, msg), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeMcastGroups(f *testing.F) {
	f.Add(AppendMcastGroups(nil, Safe, []Group{MustGroup("k")}, []byte("hello")))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, gs, msg, err := DecodeMcastGroups(b)
		if err == nil && !bytes.Equal(AppendMcastGroups(nil, g, gs, msg), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeMembership(f *testing.F) {
	f.Add(AppendMembership(nil, 1, []NodeID{1, 2, 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		local, members, err := DecodeMembership(b)
		if err == nil && !bytes.Equal(AppendMembership(nil, local, members), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeDeliver(f *testing.F) {
	f.Add(AppendDeliver(nil, 2, []byte("hello")))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := DecodeDeliver(b)
		if err == nil && !bytes.Equal(AppendDeliver(nil, d.Sender, d.Msg), b) {
			t.Fatalf("re-encoding differs")
		}
	})
}

func FuzzDecodeConfChg(f *testing.F) {
	f.Add(AppendConfChg(nil, ConfChg{Type: Regular, Members: []NodeID{1, 2}, Joined: []NodeID{2}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeConfChg(b)
		if err != nil {
			return
		}
		if !bytes.Equal(AppendConfChg(nil, c), b) {
			t.Fatalf("re-encoding differs")
		}
		again, err := DecodeConfChg(AppendConfChg(nil, c))
		if err != nil || !reflect.DeepEqual(again, c) {
			t.Fatalf("round trip: %+v %v", again, err)
		}
	})
}
