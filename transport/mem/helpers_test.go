package mem_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"goais/totem/wire"
	"goais/transport/mem"
)

// t0 is an arbitrary virtual epoch; nothing here depends on the wall clock.
var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func newNet(seed uint64, def mem.LinkConfig, ids ...wire.NodeID) *mem.Network {
	n := mem.NewNetwork(rand.New(rand.NewPCG(seed, 0x5eed)), def)
	for _, id := range ids {
		n.Attach(id)
	}
	return n
}

// delivery is a Packet with the data as a string, so traces compare with ==.
type delivery struct {
	From, To wire.NodeID
	At       time.Time
	Data     string
}

// drain delivers everything queued, jumping virtual time from one delivery
// to the next as the simulator does, and releases every buffer.
func drain(n *mem.Network) []delivery {
	var out []delivery
	for {
		at, ok := n.Next()
		if !ok {
			return out
		}
		if p, ok := n.Pop(at); ok {
			out = append(out, delivery{p.From, p.To, p.At, string(p.Data)})
			n.Release(p)
		}
	}
}

// checkConservation verifies that every copy is accounted for exactly once.
func checkConservation(t *testing.T, n *mem.Network) {
	t.Helper()
	s := n.Stats()
	in := s.Sent + s.Duplicated
	out := s.Delivered + s.Lost + s.Blocked + s.Unattached + uint64(n.Pending())
	if in != out {
		t.Errorf("Stats %+v, Pending %d: Sent+Duplicated = %d, outcomes = %d", s, n.Pending(), in, out)
	}
}

func payload(i int) []byte { return []byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)} }

func index(b string) int { return int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3]) }
