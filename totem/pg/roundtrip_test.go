package pg

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"goais/totem/wire"
)

// sent is one application message as a sender submitted it.
type sent struct {
	groups  []string
	payload []byte
}

// ring models several senders whose packets Totem interleaves into one
// agreed order: each sender's packets stay in order, but a sender's
// fragment chain can be interrupted by other senders' packets.
type ring struct {
	rng     *rand.Rand
	packers map[wire.NodeID]*Packer
	queues  map[wire.NodeID]*recordSink
	order   []wire.NodeID
	stream  []streamPacket
}

type streamPacket struct {
	from   wire.NodeID
	packet []byte
}

func newRing(rng *rand.Rand, packetSize int, senders ...wire.NodeID) *ring {
	r := &ring{rng: rng, packers: map[wire.NodeID]*Packer{}, queues: map[wire.NodeID]*recordSink{}, order: senders}
	for _, id := range senders {
		r.queues[id] = newRecordSink()
		r.packers[id] = NewPacker(packetSize, r.queues[id])
	}
	return r
}

// token lets sender put up to max queued packets on the ring, after
// flushing its open packet as corosync does when the token arrives.
func (r *ring) token(id wire.NodeID, max int) error {
	if err := r.packers[id].Flush(); err != nil {
		return err
	}
	q := r.queues[id]
	n := min(max, len(q.packets))
	for _, pk := range q.packets[:n] {
		r.stream = append(r.stream, streamPacket{id, pk})
	}
	q.packets = q.packets[n:]
	return nil
}

// drain sends everything still queued.
func (r *ring) drain() error {
	for _, id := range r.order {
		if err := r.token(id, 1<<30); err != nil {
			return err
		}
	}
	return nil
}

// check assembles the stream and compares each sender's messages.
func (r *ring) check(t testing.TB, want map[wire.NodeID][]sent) {
	t.Helper()
	a := NewAssembler()
	got := map[wire.NodeID][][]byte{}
	for i, sp := range r.stream {
		err := a.Deliver(sp.from, sp.packet, false, func(m []byte) {
			got[sp.from] = append(got[sp.from], append([]byte(nil), m...))
		})
		if err != nil {
			t.Fatalf("stream packet %d from %d (%s): %v", i, sp.from, describe(sp.packet), err)
		}
		if len(sp.packet) > r.packers[sp.from].PacketSize() {
			t.Fatalf("stream packet %d has %d bytes", i, len(sp.packet))
		}
	}
	for _, id := range r.order {
		if len(got[id]) != len(want[id]) {
			t.Fatalf("sender %d: %d messages delivered, %d sent", id, len(got[id]), len(want[id]))
		}
		for i, w := range want[id] {
			if err := sameMessage(got[id][i], w); err != nil {
				t.Fatalf("sender %d message %d (%d bytes): %v", id, i, len(w.payload), err)
			}
		}
	}
	if s := a.Stats(); s.Discontinuities != 0 || s.DroppedParts != 0 || s.Malformed != 0 {
		t.Fatalf("lossless stream had drops: %+v", s)
	}
	for _, id := range r.order {
		if a.Pending(id) {
			t.Fatalf("sender %d still pending after the drain", id)
		}
	}
}

func sameMessage(got []byte, w sent) error {
	groups, payload, err := SplitGroups(got, false)
	if err != nil {
		return err
	}
	if len(groups) != len(w.groups) {
		return fmt.Errorf("groups %q, want %q", groups, w.groups)
	}
	for i := range groups {
		if string(groups[i]) != w.groups[i] {
			return fmt.Errorf("groups %q, want %q", groups, w.groups)
		}
	}
	if !bytes.Equal(payload, w.payload) {
		return fmt.Errorf("payload of %d bytes differs from the %d sent", len(payload), len(w.payload))
	}
	return nil
}

var groupChoices = [][]string{{"a"}, {"sync"}, {"a", "sync"}, nil, {"a-much-longer-group-name"}}

// randomSize draws message sizes across the whole range, weighted toward
// the small messages real services send.
func randomSize(rng *rand.Rand) int {
	switch r := rng.IntN(100); {
	case r < 60:
		return rng.IntN(200)
	case r < 85:
		return rng.IntN(5000)
	case r < 95:
		return rng.IntN(70000)
	default:
		return rng.IntN(MaxMessageSize - 64)
	}
}

func TestRoundTripProperty(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0xc0305))
			size := []int{DefaultPacketSize, 200, MinPacketSize + 5, 9000}[seed%4]
			senders := []wire.NodeID{1, 2, 3, 0x7fffffff}
			r := newRing(rng, size, senders...)
			want := map[wire.NodeID][]sent{}
			msgs := 150
			if size < 100 {
				msgs = 40 // tiny packets: keep the packet count sane
			}
			for range msgs {
				id := senders[rng.IntN(len(senders))]
				groups := groupChoices[rng.IntN(len(groupChoices))]
				n := randomSize(rng)
				if size < 100 {
					n %= 20000
				}
				m := sent{groups, pattern(rng.IntN(1<<20), n)}
				if err := r.packers[id].Mcast(m.groups, m.payload); err != nil {
					t.Fatal(err)
				}
				want[id] = append(want[id], m)
				// Sometimes a token visits someone and lets a few
				// packets through, splitting chains across senders.
				if rng.IntN(3) == 0 {
					if err := r.token(senders[rng.IntN(len(senders))], 1+rng.IntN(4)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := r.drain(); err != nil {
				t.Fatal(err)
			}
			r.check(t, want)
			total := 0
			for _, ms := range want {
				for _, m := range ms {
					total += len(m.payload)
				}
			}
			t.Logf("packet size %d: %d messages, %d payload bytes, %d packets", size, msgs, total, len(r.stream))
		})
	}
}

// The 1 MiB edge: the largest message crosses intact.
func TestRoundTripMaxMessage(t *testing.T) {
	r := newRing(rand.New(rand.NewPCG(5, 6)), 0, 1, 2)
	m := sent{[]string{"a"}, pattern(77, MaxMessageSize-5)}
	small := sent{[]string{"sync"}, []byte("x")}
	if err := r.packers[1].Mcast(m.groups, m.payload); err != nil {
		t.Fatal(err)
	}
	if err := r.packers[2].Mcast(small.groups, small.payload); err != nil {
		t.Fatal(err)
	}
	if err := r.token(1, 300); err != nil {
		t.Fatal(err)
	}
	if err := r.token(2, 1); err != nil {
		t.Fatal(err)
	}
	if err := r.drain(); err != nil {
		t.Fatal(err)
	}
	r.check(t, map[wire.NodeID][]sent{1: {m}, 2: {small}})
}
