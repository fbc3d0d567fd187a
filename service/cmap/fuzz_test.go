package cmap

import (
	"encoding/binary"
	"slices"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
	"goais/totem"
)

// The decoder must not panic, and what it accepts must encode again (in
// the same byte order) to a message that decodes to the same value.
func FuzzDecodeMcast(f *testing.F) {
	svcharness.Seeds(f, 48,
		Mcast{Reason: ReasonSync, Items: []Item{{Key: KeyConfigVersion, Type: TypeNotExist}}}.encode,
		func(o binary.ByteOrder) ([]byte, error) {
			return Mcast{Reason: ReasonNewConfigVersion, Items: []Item{Uint64Item(KeyConfigVersion, 5),
				{Key: "s", Type: TypeString, Value: []byte("abc\x00")}, {Key: "n", Type: TypeInt32, Value: []byte{1, 2, 3, 4}}}}.encode(o)
		})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeMcast(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, Mcast.encode, DecodeMcast, nil)
		}
	})
}

// FuzzCMAP drives one node with arbitrary configuration changes, sync
// calls and messages: it must not panic, must list exactly the last
// regular configuration's members, and asks to shut down at most once.
func FuzzCMAP(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 1, 2, 2, 5, 0, 3, 3})
	f.Add([]byte{0, 1, 1, 1, 3, 2, 9, 1, 0, 2, 1, 2, 1, 2, 4, 7, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		env := recEnv(1)
		shutdowns := 0
		c := New(env, Config{ConfigVersion: 3, HasConfigVersion: true, Shutdown: func(string) { shutdowns++ }}, nil)
		in := svcharness.NewInput(data)
		next := in.Byte
		var members []service.NodeID
		for in.Len() > 0 {
			switch next() % 5 {
			case 0: // a regular configuration of up to 4 nodes, 1 always in
				members = in.Members(4)
				var trans []service.NodeID
				if next()%2 == 0 {
					trans = []service.NodeID{1}
				}
				c.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
				c.SyncInit(trans, members, service.RingID{Rep: 1, Seq: uint64(in.Len())})
			case 1:
				env.Full = next()%3 == 0
				c.SyncProcess()
			case 2:
				c.SyncActivate()
			case 3: // a sync or new-version message from a node
				sender := service.NodeID(1 + next()%5)
				m := Mcast{Reason: Reason(next() % 2), Items: []Item{Uint64Item(KeyConfigVersion, uint64(next()%8))}}
				be := next()%2 == 0
				msg, err := m.encode(svcharness.Order(be))
				if err != nil {
					t.Fatal(err)
				}
				c.Deliver(sender, FnMcast, msg, be)
			case 4: // raw bytes
				raw := slices.Clone(in.Bytes(int(next())))
				c.Deliver(service.NodeID(1+next()%5), uint16(next()%2), raw, next()%2 == 0)
			}
			got := c.Members()
			if len(got) != len(members) {
				t.Fatalf("members %+v, configuration %v", got, members)
			}
			for i, m := range got {
				if m.NodeID != members[i] || (!m.Reported && m.ConfigVersion != 0) {
					t.Fatalf("members %+v, configuration %v", got, members)
				}
			}
		}
		if shutdowns > 1 {
			t.Fatalf("%d shutdown requests", shutdowns)
		}
	})
}
