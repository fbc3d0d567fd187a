package evs

import (
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestBodyLayouts(t *testing.T) {
	g1, g2 := MustGroup("ab"), MustGroup("c")
	key := func(g Group) string { return hex.EncodeToString(g[:]) }
	for _, tc := range []struct {
		name string
		got  []byte
		want string
	}{
		{"groups", AppendGroups(nil, []Group{g1, g2}), "02000000" + key(g1) + key(g2)},
		{"groups empty", AppendGroups(nil, nil), "00000000"},
		{"mcast_joined", AppendMcastJoined(nil, Agreed, []byte("hi")), "02000000" + "02000000" + "6869"},
		{"mcast_groups", AppendMcastGroups(nil, Safe, []Group{g2}, []byte("x")), "03000000" + "01000000" + "01000000" + key(g2) + "78"},
		{"membership", AppendMembership(nil, 2, []NodeID{1, 2, 0x01020304}), "02000000" + "03000000" + "01000000" + "02000000" + "04030201"},
		{"deliver", AppendDeliver(nil, 7, []byte("msg")), "07000000" + "03000000" + "6d7367"},
		{"confchg", AppendConfChg(nil, ConfChg{Type: Transitional, Members: []NodeID{1, 2}, Left: []NodeID{3}}),
			"01000000" + "02000000" + "01000000" + "00000000" + "01000000" + "02000000" + "03000000"},
	} {
		if got := hex.EncodeToString(tc.got); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.name, got, tc.want)
		}
	}
}

func TestBodyRoundTrips(t *testing.T) {
	groups := []Group{MustGroup("key1"), {0xff, 0}, MustGroup(strings.Repeat("z", 32))}
	msg := []byte("payload")

	gs, err := DecodeGroups("join", AppendGroups(nil, groups))
	if err != nil || !reflect.DeepEqual(gs, groups) {
		t.Errorf("groups: %v %v", gs, err)
	}
	g, m, err := DecodeMcastJoined(AppendMcastJoined(nil, FIFO, msg))
	if err != nil || g != FIFO || string(m) != string(msg) {
		t.Errorf("mcast_joined: %v %q %v", g, m, err)
	}
	g, gs, m, err = DecodeMcastGroups(AppendMcastGroups(nil, Unordered, groups, msg))
	if err != nil || g != Unordered || !reflect.DeepEqual(gs, groups) || string(m) != string(msg) {
		t.Errorf("mcast_groups: %v %v %q %v", g, gs, m, err)
	}
	local, members, err := DecodeMembership(AppendMembership(nil, 3, []NodeID{1, 3}))
	if err != nil || local != 3 || !reflect.DeepEqual(members, []NodeID{1, 3}) {
		t.Errorf("membership: %v %v %v", local, members, err)
	}
	d, err := DecodeDeliver(AppendDeliver(nil, 9, msg))
	if err != nil || d.Sender != 9 || string(d.Msg) != string(msg) {
		t.Errorf("deliver: %+v %v", d, err)
	}
	cc := ConfChg{Type: Regular, Members: []NodeID{1, 2, 4}, Left: []NodeID{}, Joined: []NodeID{4}}
	got, err := DecodeConfChg(AppendConfChg(nil, cc))
	if err != nil || !reflect.DeepEqual(got, cc) {
		t.Errorf("confchg: %+v %v", got, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		decode func() error
		field  string
		offset int
	}{
		{"groups empty", func() error { _, err := DecodeGroups("join", nil); return err }, "count", 0},
		{"groups short", func() error {
			_, err := DecodeGroups("leave", mustHex("02000000"+strings.Repeat("00", 40)))
			return err
		}, "groups", 4},
		{"groups huge", func() error { _, err := DecodeGroups("join", mustHex("ffffffff")); return err }, "groups", 4},
		{"groups trailing", func() error { _, err := DecodeGroups("join", mustHex("0000000001")); return err }, "end", 4},
		{"guarantee", func() error { _, _, err := DecodeMcastJoined(mustHex("0400000000000000")); return err }, "guarantee", 0},
		{"msg_len", func() error { _, _, err := DecodeMcastJoined(mustHex("02000000ffffffff")); return err }, "msg", 8},
		{"mcast_groups count", func() error { _, _, _, err := DecodeMcastGroups(mustHex("020000000100000000000000")); return err }, "groups", 12},
		{"mcast_groups msg", func() error { _, _, _, err := DecodeMcastGroups(mustHex("020000000000000005000000616263")); return err }, "msg", 12},
		{"membership", func() error { _, _, err := DecodeMembership(mustHex("010000")); return err }, "local_nodeid", 0},
		{"membership count", func() error { _, _, err := DecodeMembership(mustHex("010000000200000001000000")); return err }, "members", 8},
		{"deliver", func() error { _, err := DecodeDeliver(mustHex("01000000")); return err }, "msg_len", 4},
		{"confchg type", func() error { _, err := DecodeConfChg(mustHex("03000000000000000000000000000000")); return err }, "type", 0},
		{"confchg left", func() error { _, err := DecodeConfChg(mustHex("02000000000000000100000000000000")); return err }, "left_list", 16},
	} {
		err := tc.decode()
		var de *DecodeError
		if !errors.As(err, &de) || de.Field != tc.field || de.Offset != tc.offset || !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want a DecodeError on %s at %d", tc.name, err, tc.field, tc.offset)
		}
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestGroup(t *testing.T) {
	g, err := NewGroup("key1")
	if err != nil || string(g[:4]) != "key1" || g[4] != 0 || g[31] != 0 {
		t.Fatalf("NewGroup: %x %v", g, err)
	}
	if _, err := NewGroup(strings.Repeat("x", 33)); !errors.Is(err, ErrInvalidParam) {
		t.Fatalf("33 bytes: %v", err)
	}
	for _, tc := range []struct {
		g    Group
		want string
	}{
		{MustGroup("key1"), "key1"},
		{MustGroup("two words"), `"two words"`},
		{Group{}, strings.Repeat("00", 32)},
		{Group{'a', 0, 'b'}, "6100620000000000000000000000000000000000000000000000000000000000"},
	} {
		if got := tc.g.String(); got != tc.want {
			t.Errorf("%x: String %q, want %q", tc.g, got, tc.want)
		}
	}
}
