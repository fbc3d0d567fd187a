package votequorum

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
	"goais/totem"
)

// Every decoder gets the same treatment: it must not panic, and what it
// accepts must encode again (in the same byte order) to a message that
// decodes to the same value.

func FuzzDecodeNodeInfo(f *testing.F) {
	encode := func(m NodeInfo, o binary.ByteOrder) ([]byte, error) { return m.encode(o), nil }
	svcharness.Seeds(f, 16, func(o binary.ByteOrder) ([]byte, error) {
		return encode(NodeInfo{NodeID: 3, Votes: 1, ExpectedVotes: 3, Flags: FlagQuorate}, o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeNodeInfo(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, encode, DecodeNodeInfo, nil)
		}
	})
}

func FuzzDecodeReconfigure(f *testing.F) {
	encode := func(m Reconfigure, o binary.ByteOrder) ([]byte, error) { return m.encode(o), nil }
	svcharness.Seeds(f, 16, func(o binary.ByteOrder) ([]byte, error) {
		return encode(Reconfigure{NodeID: 2, Value: 5, Param: ParamExpectedVotes}, o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeReconfigure(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, encode, DecodeReconfigure, nil)
		}
	})
}

func FuzzDecodeQdeviceReg(f *testing.F) {
	svcharness.Seeds(f, 16, QdeviceReg{Operation: 1, Name: "Qdevice"}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeQdeviceReg(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, QdeviceReg.encode, DecodeQdeviceReg, nil)
		}
	})
}

func FuzzDecodeQdeviceReconfigure(f *testing.F) {
	svcharness.Seeds(f, 16, QdeviceReconfigure{OldName: "a", NewName: "Qdevice"}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeQdeviceReconfigure(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, QdeviceReconfigure.encode, DecodeQdeviceReconfigure, nil)
		}
	})
}

// FuzzVotequorum drives one node with arbitrary configurations, sync calls
// and messages: it must not panic, must list the last activated
// configuration's members, and its status must add up.
func FuzzVotequorum(f *testing.F) {
	f.Add([]byte{0, 6, 1, 2, 0, 1, 1, 3, 0, 3, 2, 1, 9, 2})
	f.Add([]byte{0, 2, 1, 1, 3, 2, 1, 1, 4, 1, 3, 7, 1, 2, 5, 0, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		in := svcharness.NewInput(data)
		next := in.Byte
		env := recEnv(1)
		cfg := Config{Votes: uint32(next() % 3), ExpectedVotes: uint32(next() % 6), TwoNode: next()%2 == 0, WaitForAll: next()%2 == 0}
		v := New(env, cfg, nil)
		var members, active []service.NodeID
		for in.Len() > 0 {
			switch next() % 6 {
			case 0: // a regular configuration of up to 5 nodes, 1 always in
				members = in.Members(5)
				v.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
				v.SyncInit(nil, members, service.RingID{Rep: 1, Seq: uint64(in.Len())})
			case 1:
				env.Full = next()%3 == 0
				v.SyncProcess()
				for _, m := range env.Sent {
					v.Deliver(1, FnNodeInfo, m, false)
				}
				env.Sent = nil
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
				v.Deliver(sender, FnNodeInfo, m.encode(svcharness.Order(be)), be)
			case 4: // RECONFIGURE
				m := Reconfigure{NodeID: service.NodeID(next() % 7), Value: uint32(next()), Param: next() % 5}
				v.Deliver(service.NodeID(1+next()%6), FnReconfigure, m.encode(svcharness.Order(false)), false)
			case 5: // raw bytes
				raw := slices.Clone(in.Bytes(int(next())))
				v.Deliver(service.NodeID(1+next()%6), uint16(next()%5), raw, next()%2 == 0)
			}
			s := v.Status()
			ids, total, highest := tally(s)
			if uint64(s.TotalVotes) != min(total, math.MaxUint32) || uint64(s.HighestExpected) != min(highest, math.MaxUint32) || (s.Quorate && s.TotalVotes < s.Quorum) {
				t.Fatalf("status does not add up: %+v", s)
			}
			if !v.round.open && active != nil && !slices.Equal(ids, active) && !slices.Equal(ids, members) {
				t.Fatalf("status lists %v, activated %v, configuration %v", ids, active, members)
			}
		}
	})
}
