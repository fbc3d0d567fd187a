package pg_test

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"goais/totem"
	"goais/totem/pg"
)

// coreSink adapts a Totem core to the packer's Sink.
type coreSink struct {
	node *totem.Node
	now  *time.Time
}

func (s coreSink) Propose(packet []byte) error { return s.node.Propose(*s.now, packet, false) }
func (s coreSink) Room() int                   { return s.node.QueueRoom() }

// TestPackingOverARing runs the packing layer on real Totem cores: three
// nodes form a ring, each multicasts messages from a few bytes to 1 MiB
// through its Packer (flushed from the core's token hook, as corosync
// does), and every node must reassemble every message, byte for byte, in
// one and the same order.
func TestPackingOverARing(t *testing.T) {
	const size = 3
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ids []totem.NodeID
	for i := 1; i <= size; i++ {
		ids = append(ids, totem.NodeID(i))
	}
	type packet struct {
		to   int
		data []byte
	}
	var (
		nodes    []*totem.Node
		packers  []*pg.Packer
		asm      []*pg.Assembler
		got      = make([][]string, size)
		inFlight []packet
	)
	for i, id := range ids {
		i := i
		cfg := totem.Config{NodeID: id, Nodes: ids, TokenHook: func() {
			if err := packers[i].Flush(); err != nil {
				t.Errorf("node %d: flush: %v", i+1, err)
			}
		}}
		n, err := totem.NewNode(cfg, now)
		if err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
		packers = append(packers, pg.NewPacker(n.Config().MaxPayload(), coreSink{n, &now}))
		asm = append(asm, pg.NewAssembler())
	}
	flush := func(i int) {
		n := nodes[i]
		if !n.HasReady() {
			return
		}
		rd := n.Ready()
		for _, d := range rd.Datagrams {
			for j := range nodes {
				if d.To == 0 || int(d.To)-1 == j {
					inFlight = append(inFlight, packet{j, append([]byte(nil), d.Data...)})
				}
			}
		}
		for _, ev := range rd.Events {
			switch ev.Kind {
			case totem.EventDeliver:
				err := asm[i].Deliver(ev.Deliver.Sender, ev.Deliver.Payload, ev.Deliver.BigEndian, func(msg []byte) {
					payload, ok, err := pg.MatchGroup(msg, "a", false)
					if err != nil || !ok {
						t.Errorf("node %d: group header: ok=%v err=%v", i+1, ok, err)
						return
					}
					got[i] = append(got[i], fingerprint(ev.Deliver.Sender, payload))
				})
				if err != nil {
					t.Errorf("node %d: assembler: %v", i+1, err)
				}
			case totem.EventConfig:
				if ev.Config.Type == totem.Regular {
					n.TransAck()
				}
			}
		}
		n.Advance()
	}
	run := func(cond func() bool) {
		for step := 0; !cond(); step++ {
			if step > 5_000_000 {
				t.Fatal("no progress")
			}
			now = now.Add(50 * time.Microsecond)
			if len(inFlight) == 0 {
				next := time.Time{}
				for _, n := range nodes {
					if d := n.NextDeadline(); !d.IsZero() && (next.IsZero() || d.Before(next)) {
						next = d
					}
				}
				if next.After(now) {
					now = next
				}
				for i, n := range nodes {
					n.Tick(now)
					flush(i)
				}
				continue
			}
			p := inFlight[0]
			inFlight = inFlight[1:]
			if err := nodes[p.to].Step(now, p.data); err != nil {
				t.Fatal(err)
			}
			flush(p.to)
		}
	}
	formed := func() bool {
		for _, n := range nodes {
			if st := n.Status(); st.State != totem.StateOperational || len(st.Members) != size {
				return false
			}
		}
		return true
	}
	run(formed)

	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 100, 1390, 1400, 1573, 5000, 64 << 10, pg.MaxMessageSize - 8}
	// Per sender, the messages in the order it sent them.
	want := make([][]string, size)
	sent := 0
	for round := range 4 {
		for i := range nodes {
			for _, n := range sizes {
				n = max(0, n-round)
				msg := make([]byte, n)
				for k := range msg {
					msg[k] = byte(rng.IntN(256))
				}
				if err := packers[i].Mcast([]string{"a"}, msg); err != nil {
					t.Fatalf("node %d: mcast of %d bytes: %v", i+1, n, err)
				}
				sent++
				want[i] = append(want[i], fingerprint(ids[i], msg))
			}
			flush(i)
		}
		run(func() bool {
			for i := range nodes {
				if len(got[i]) < sent {
					return false
				}
			}
			return true
		})
	}
	if err := packers[0].Mcast([]string{"a"}, make([]byte, pg.MaxMessageSize)); err == nil {
		t.Fatal("a message over 1 MiB with its group header was accepted")
	}
	for i := 1; i < size; i++ {
		if len(got[i]) != len(got[0]) {
			t.Fatalf("node %d reassembled %d messages, node 1 %d", i+1, len(got[i]), len(got[0]))
		}
		for k := range got[0] {
			if got[i][k] != got[0][k] {
				t.Fatalf("message %d differs: node 1 %s, node %d %s", k, got[0][k], i+1, got[i][k])
			}
		}
	}
	if len(got[0]) != sent {
		t.Fatalf("reassembled %d messages, sent %d", len(got[0]), sent)
	}
	// Each sender's messages arrive whole and in its sending order.
	for i := range nodes {
		var from []string
		for _, g := range got[0] {
			if strings.HasPrefix(g, fmt.Sprintf("%d:", i+1)) {
				from = append(from, g)
			}
		}
		if !slices.Equal(from, want[i]) {
			t.Fatalf("node %d's messages were not reassembled as sent", i+1)
		}
	}
}

func fingerprint(sender totem.NodeID, payload []byte) string {
	h := fnv.New64a()
	h.Write(payload)
	return fmt.Sprintf("%d:%d:%x", sender, len(payload), h.Sum64())
}
