package votequorum

import (
	"encoding/binary"
	"math"
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

// Every decoder gets the same treatment: it must not panic, and what it
// accepts must encode again (in the same byte order) to a message that
// decodes to the same value.

// seeds adds a valid message in both byte orders, a truncation of it and a
// few lone headers.
func seeds(f *testing.F, enc func(o binary.ByteOrder) []byte) {
	for _, be := range []bool{false, true} {
		msg := enc(order(be))
		f.Add(msg, be)
		f.Add(msg[:len(msg)/2], be)
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, 16), false)
}

func FuzzDecodeNodeInfo(f *testing.F) {
	seeds(f, NodeInfo{NodeID: 3, Votes: 1, ExpectedVotes: 3, Flags: FlagQuorate}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeNodeInfo(msg, be)
		if err != nil {
			return
		}
		if m2, err := DecodeNodeInfo(m.encode(order(be)), be); err != nil || m2 != m {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeReconfigure(f *testing.F) {
	seeds(f, Reconfigure{NodeID: 2, Value: 5, Param: ParamExpectedVotes}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeReconfigure(msg, be)
		if err != nil {
			return
		}
		if m2, err := DecodeReconfigure(m.encode(order(be)), be); err != nil || m2 != m {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeQdeviceReg(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) []byte {
		b, err := QdeviceReg{Operation: 1, Name: "Qdevice"}.encode(o)
		if err != nil {
			f.Fatal(err)
		}
		return b
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeQdeviceReg(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode %+v: %v", m, err)
		}
		if m2, err := DecodeQdeviceReg(again, be); err != nil || m2 != m {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeQdeviceReconfigure(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) []byte {
		b, err := QdeviceReconfigure{OldName: "a", NewName: "Qdevice"}.encode(o)
		if err != nil {
			f.Fatal(err)
		}
		return b
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeQdeviceReconfigure(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode %+v: %v", m, err)
		}
		if m2, err := DecodeQdeviceReconfigure(again, be); err != nil || m2 != m {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

// FuzzVotequorum drives one node with arbitrary configurations, sync calls
// and messages: it must not panic, must list the last activated
// configuration's members, and its status must add up.
func FuzzVotequorum(f *testing.F) {
	f.Add([]byte{0, 6, 1, 2, 0, 1, 1, 3, 0, 3, 2, 1, 9, 2})
	f.Add([]byte{0, 2, 1, 1, 3, 2, 1, 1, 4, 1, 3, 7, 1, 2, 5, 0, 3})
	f.Fuzz(func(t *testing.T, in []byte) {
		next := func() byte {
			if len(in) == 0 {
				return 0
			}
			b := in[0]
			in = in[1:]
			return b
		}
		env := &recEnv{id: 1}
		cfg := Config{Votes: uint32(next() % 3), ExpectedVotes: uint32(next() % 6), TwoNode: next()%2 == 0, WaitForAll: next()%2 == 0}
		v := New(env, cfg, nil)
		var members, active []service.NodeID
		for len(in) > 0 {
			switch next() % 6 {
			case 0: // a regular configuration of up to 5 nodes, 1 always in
				members = []service.NodeID{1}
				mask := next()
				for id := service.NodeID(2); id <= 5; id++ {
					if mask&(1<<id) != 0 {
						members = append(members, id)
					}
				}
				v.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
				v.SyncInit(nil, members, service.RingID{Rep: 1, Seq: uint64(len(in))})
			case 1:
				env.refuse = next()%3 == 0
				v.SyncProcess()
				for _, m := range env.sent {
					v.Deliver(1, FnNodeInfo, m, false)
				}
				env.sent = nil
			case 2:
				if v.round.open {
					active = members
				}
				v.SyncActivate()
			case 3: // NODEINFO from a node, maybe about another
				sender := service.NodeID(1 + next()%6)
				m := NodeInfo{NodeID: service.NodeID(next() % 7), Votes: uint32(next() % 4),
					ExpectedVotes: uint32(next() % 8), Flags: uint32(next())}
				be := next()%2 == 0
				v.Deliver(sender, FnNodeInfo, m.encode(order(be)), be)
			case 4: // RECONFIGURE
				m := Reconfigure{NodeID: service.NodeID(next() % 7), Value: uint32(next()), Param: next() % 5}
				v.Deliver(service.NodeID(1+next()%6), FnReconfigure, m.encode(order(false)), false)
			case 5: // raw bytes
				raw := slices.Clone(in[:min(int(next()), len(in))])
				in = in[len(raw):]
				v.Deliver(service.NodeID(1+next()%6), uint16(next()%5), raw, next()%2 == 0)
			}
			s := v.Status()
			var ids []service.NodeID
			var total, highest uint64 = 0, uint64(s.ExpectedVotes)
			for _, n := range s.Nodes {
				ids = append(ids, n.NodeID)
				if n.HasInfo && n.Flags&FlagLeaving == 0 {
					total += uint64(n.Votes)
					highest = max(highest, uint64(n.ExpectedVotes))
				}
			}
			highest = max(highest, total)
			if uint64(s.TotalVotes) != min(total, math.MaxUint32) || uint64(s.HighestExpected) != min(highest, math.MaxUint32) || (s.Quorate && s.TotalVotes < s.Quorum) {
				t.Fatalf("status does not add up: %+v", s)
			}
			if !v.round.open && active != nil && !slices.Equal(ids, active) && !slices.Equal(ids, members) {
				t.Fatalf("status lists %v, activated %v, configuration %v", ids, active, members)
			}
		}
	})
}
