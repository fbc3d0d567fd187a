package cmap

import (
	"encoding/binary"
	"reflect"
	"slices"
	"testing"

	"goais/service"
	"goais/totem"
)

func order(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// The decoder must not panic, and what it accepts must encode again (in
// the same byte order) to a message that decodes to the same value.
func FuzzDecodeMcast(f *testing.F) {
	for _, be := range []bool{false, true} {
		for _, m := range []Mcast{
			{Reason: ReasonSync, Items: []Item{{Key: KeyConfigVersion, Type: TypeNotExist}}},
			{Reason: ReasonNewConfigVersion, Items: []Item{Uint64Item(KeyConfigVersion, 5),
				{Key: "s", Type: TypeString, Value: []byte("abc\x00")}, {Key: "n", Type: TypeInt32, Value: []byte{1, 2, 3, 4}}}},
		} {
			msg, err := m.encode(order(be))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(msg, be)
			f.Add(msg[:len(msg)/2], be)
		}
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, 48), false)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeMcast(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode %+v: %v", m, err)
		}
		if m2, err := DecodeMcast(again, be); err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

// FuzzCMAP drives one node with arbitrary configuration changes, sync
// calls and messages: it must not panic, must list exactly the last
// regular configuration's members, and asks to shut down at most once.
func FuzzCMAP(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 1, 2, 2, 5, 0, 3, 3})
	f.Add([]byte{0, 1, 1, 1, 3, 2, 9, 1, 0, 2, 1, 2, 1, 2, 4, 7, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		env := &recEnv{id: 1}
		shutdowns := 0
		c := New(env, Config{ConfigVersion: 3, HasConfigVersion: true, Shutdown: func(string) { shutdowns++ }}, nil)
		next := func() byte {
			if len(in) == 0 {
				return 0
			}
			b := in[0]
			in = in[1:]
			return b
		}
		var members []service.NodeID
		for len(in) > 0 {
			switch next() % 5 {
			case 0: // a regular configuration of up to 4 nodes, 1 always in
				members = []service.NodeID{1}
				mask := next()
				for id := service.NodeID(2); id <= 4; id++ {
					if mask&(1<<id) != 0 {
						members = append(members, id)
					}
				}
				var trans []service.NodeID
				if next()%2 == 0 {
					trans = []service.NodeID{1}
				}
				c.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
				c.SyncInit(trans, members, service.RingID{Rep: 1, Seq: uint64(len(in))})
			case 1:
				env.refuse = next()%3 == 0
				c.SyncProcess()
			case 2:
				c.SyncActivate()
			case 3: // a sync or new-version message from a node
				sender := service.NodeID(1 + next()%5)
				m := Mcast{Reason: Reason(next() % 2), Items: []Item{Uint64Item(KeyConfigVersion, uint64(next()%8))}}
				be := next()%2 == 0
				msg, err := m.encode(order(be))
				if err != nil {
					t.Fatal(err)
				}
				c.Deliver(sender, FnMcast, msg, be)
			case 4: // raw bytes
				n := int(next())
				raw := slices.Clone(in[:min(n, len(in))])
				in = in[len(raw):]
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
