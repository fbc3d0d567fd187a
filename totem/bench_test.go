package totem_test

import (
	"runtime"
	"testing"
	"time"

	"goais/totem"
)

// benchRing is a saturated ring of cores joined by a lossless FIFO network
// built from preallocated buffers, so that anything the benchmark counts as
// allocation is the core's own.
type benchRing struct {
	nodes   []*totem.Node
	now     time.Time
	queue   []benchPacket // ring buffer
	head    int
	n       int
	payload []byte
	// delivered counts deliveries at node 1.
	delivered int
	// saturate keeps every send queue full; it starts once the ring formed.
	saturate  bool
	emptyRoom int // QueueRoom of an empty send queue
	// record, if set, sees every datagram put on the network.
	record func([]byte)
	// onDeliver, if set, sees every payload delivered at node 1.
	onDeliver func([]byte)
	// manualAck leaves TransAck to the test.
	manualAck bool
}

type benchPacket struct {
	to   int
	data []byte
}

// newBenchRing forms a ring of size nodes; the network holds at most
// inFlight datagrams (their buffers are allocated on first use and reused).
func newBenchRing(tb testing.TB, size, inFlight int) *benchRing {
	r := &benchRing{
		now:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		queue:   make([]benchPacket, inFlight),
		payload: make([]byte, 200),
	}
	var ids []totem.NodeID
	for i := 1; i <= size; i++ {
		ids = append(ids, totem.NodeID(i))
	}
	for _, id := range ids {
		n, err := totem.NewNode(totem.Config{NodeID: id, Nodes: ids}, r.now)
		if err != nil {
			tb.Fatal(err)
		}
		r.nodes = append(r.nodes, n)
	}
	for i := range r.nodes {
		r.flush(i)
	}
	for steps := 0; !r.formed(); steps++ {
		if steps > 1e6 {
			tb.Fatal("ring did not form")
		}
		r.step()
	}
	r.saturate = true
	r.emptyRoom = r.nodes[0].QueueRoom()
	return r
}

func (r *benchRing) formed() bool {
	for _, n := range r.nodes {
		if st := n.Status(); st.State != totem.StateOperational || len(st.Members) != len(r.nodes) {
			return false
		}
	}
	return true
}

func (r *benchRing) push(to int, data []byte) {
	if r.n == len(r.queue) {
		panic("bench queue overflow")
	}
	if r.record != nil {
		r.record(data)
	}
	p := &r.queue[(r.head+r.n)%len(r.queue)]
	p.to = to
	p.data = append(p.data[:0], data...)
	r.n++
}

// flush moves node i's output onto the network and tops up its send queue.
func (r *benchRing) flush(i int) {
	n := r.nodes[i]
	for r.saturate && n.QueueRoom() > r.emptyRoom-64 {
		if err := n.Propose(r.now, r.payload, false); err != nil {
			break
		}
	}
	if !n.HasReady() {
		return
	}
	rd := n.Ready()
	for _, d := range rd.Datagrams {
		if d.To == 0 {
			for j := range r.nodes {
				r.push(j, d.Data)
			}
		} else {
			r.push(int(d.To)-1, d.Data)
		}
	}
	if i == 0 {
		for _, ev := range rd.Events {
			if ev.Kind == totem.EventDeliver {
				r.delivered++
				if r.onDeliver != nil {
					r.onDeliver(ev.Deliver.Payload)
				}
			}
		}
	}
	for _, ev := range rd.Events {
		if ev.Kind == totem.EventConfig && ev.Config.Type == totem.Regular && !r.manualAck {
			n.TransAck()
		}
	}
	n.Advance()
}

// step delivers one datagram, or fires timers when the network is empty.
func (r *benchRing) step() {
	r.now = r.now.Add(10 * time.Microsecond)
	if r.n == 0 {
		for i, n := range r.nodes {
			if d := n.NextDeadline(); !d.IsZero() {
				if d.After(r.now) {
					r.now = d
				}
				n.Tick(r.now)
				r.flush(i)
			}
		}
		return
	}
	p := &r.queue[r.head]
	r.head = (r.head + 1) % len(r.queue)
	r.n--
	_ = r.nodes[p.to].Step(r.now, p.data)
	r.flush(p.to)
}

// BenchmarkTokenPathPerMessage measures the protocol work per delivered
// message in a saturated 5-node ring: every node keeps its send queue full,
// so each token visit sends max_messages. One op is one message delivered
// at node 1 (and, with it, that message's share of token handling, sends,
// receives and deliveries on every node). allocs/op must be 0: the
// steady-state token path does not allocate.
func BenchmarkTokenPathPerMessage(b *testing.B) {
	r := newBenchRing(b, 5, 1<<16)
	for r.delivered < 20000 {
		r.step()
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := r.delivered
	for r.delivered-start < b.N {
		r.step()
	}
	b.StopTimer()
	if !r.formed() {
		b.Fatal("the ring changed during the benchmark")
	}
}

// TestTokenPathDoesNotAllocate holds the benchmark's claim as a test.
//
// runtime.MemStats counts the whole process, and the race detector's
// runtime now and then allocates on its own, so the test measures three
// stretches of 5000 delivered messages and wants one of them without any
// allocation: an allocation on the token path, even one per thousand
// messages, shows up in every stretch.
func TestTokenPathDoesNotAllocate(t *testing.T) {
	r := newBenchRing(t, 5, 1<<16)
	for r.delivered < 20000 {
		r.step()
	}
	counts := make([]uint64, 0, 3)
	for range 3 {
		// testing.AllocsPerRun rounds down per run; count the whole stretch.
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		target := r.delivered + 5000
		for r.delivered < target {
			r.step()
		}
		runtime.ReadMemStats(&after)
		if !r.formed() {
			t.Fatal("the ring changed during the measurement")
		}
		n := after.Mallocs - before.Mallocs
		if n == 0 {
			return
		}
		counts = append(counts, n)
	}
	t.Fatalf("allocations in three stretches of 5000 messages delivered in steady state: %v, want 0 in at least one", counts)
}
