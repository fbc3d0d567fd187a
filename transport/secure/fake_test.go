package secure

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"goais/transport"
)

// errDrained is what a non-blocking fake endpoint's Recv returns when it
// has nothing queued, so that single-goroutine tests can see that a secure
// Recv dropped everything instead of blocking forever.
var errDrained = errors.New("fake: nothing queued")

// fakeNet is an in-memory inner transport for the tests: a multicast
// reaches every endpoint (the sender included, as with udpu), a unicast the
// endpoint with that nodeid. Delivery happens inside Send, so a test can
// send and then receive in one goroutine. Buffers are recycled, so the
// steady state allocates nothing.
type fakeNet struct {
	mu    sync.Mutex
	nodes []*fakeEnd
}

type frame struct {
	data []byte
	from netip.AddrPort
}

// fakeEnd is one endpoint of a fakeNet; it implements transport.Transport.
type fakeEnd struct {
	net      *fakeNet
	id       uint32
	addr     netip.AddrPort
	blocking bool // Recv waits for a datagram instead of returning errDrained

	inbox     chan frame
	free      chan []byte
	closed    chan struct{}
	closeOnce sync.Once

	mu        sync.Mutex
	stats     transport.Stats
	recvCalls int
	record    bool     // keep a copy of every datagram sent in captured
	captured  [][]byte // what this endpoint sent, one copy per datagram
	members   []transport.Member
}

// attach adds an endpoint with the given nodeid and address 10.0.0.id:5405.
func (n *fakeNet) attach(id uint32) *fakeEnd {
	e := &fakeEnd{
		net:    n,
		id:     id,
		addr:   netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, byte(id >> 8), byte(id)}), 5405),
		inbox:  make(chan frame, 8192),
		free:   make(chan []byte, 8192),
		closed: make(chan struct{}),
	}
	n.mu.Lock()
	n.nodes = append(n.nodes, e)
	n.mu.Unlock()
	return e
}

func (e *fakeEnd) Send(dgs []transport.Datagram) error {
	select {
	case <-e.closed:
		return transport.ErrClosed
	default:
	}
	e.net.mu.Lock()
	nodes := e.net.nodes
	e.net.mu.Unlock()
	for _, d := range dgs {
		if e.record {
			e.mu.Lock()
			e.captured = append(e.captured, slices.Clone(d.Data))
			e.mu.Unlock()
		}
		for _, to := range nodes {
			if d.To == 0 || d.To == to.id {
				e.mu.Lock()
				e.stats.SentDatagrams++
				e.stats.SentBytes += uint64(len(d.Data))
				e.mu.Unlock()
				to.inject(e.addr, d.Data)
			}
		}
	}
	return nil
}

// inject queues a copy of data as if it had arrived from from.
func (e *fakeEnd) inject(from netip.AddrPort, data []byte) {
	var b []byte
	select {
	case b = <-e.free:
	default:
	}
	if cap(b) < len(data) {
		b = make([]byte, len(data))
	}
	b = b[:len(data)]
	copy(b, data)
	select {
	case e.inbox <- frame{b, from}:
	default:
		panic(fmt.Sprintf("fake endpoint %d: inbox full", e.id))
	}
}

func (e *fakeEnd) Recv(pkts []transport.Packet) (int, error) {
	e.mu.Lock()
	e.recvCalls++
	e.mu.Unlock()
	if len(pkts) == 0 {
		return 0, nil
	}
	var f frame
	if e.blocking {
		select {
		case f = <-e.inbox:
		case <-e.closed:
			return 0, transport.ErrClosed
		}
	} else {
		select {
		case <-e.closed:
			return 0, transport.ErrClosed
		default:
		}
		select {
		case f = <-e.inbox:
		default:
			return 0, errDrained
		}
	}
	n := 0
	for {
		if len(f.data) > len(pkts[n].Buf) {
			e.count(func(s *transport.Stats) { s.Truncated++ })
		} else {
			pkts[n].N = copy(pkts[n].Buf, f.data)
			pkts[n].From = f.from
			e.count(func(s *transport.Stats) { s.RecvDatagrams++; s.RecvBytes += uint64(len(f.data)) })
			n++
		}
		select {
		case e.free <- f.data:
		default:
		}
		if n == len(pkts) {
			return n, nil
		}
		select {
		case f = <-e.inbox:
		default:
			return n, nil
		}
	}
}

func (e *fakeEnd) count(f func(*transport.Stats)) {
	e.mu.Lock()
	f(&e.stats)
	e.mu.Unlock()
}

func (e *fakeEnd) SetMembers(m []transport.Member) {
	e.mu.Lock()
	e.members = slices.Clone(m)
	e.mu.Unlock()
}

func (e *fakeEnd) Stats() transport.Stats {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stats
}

func (e *fakeEnd) Close() error {
	e.closeOnce.Do(func() { close(e.closed) })
	return nil
}

// sent returns copies of what the endpoint sent while record was set.
func (e *fakeEnd) sent() [][]byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.captured)
}

// discard is an inner transport whose Send does nothing: it measures the
// cost of sealing alone.
type discard struct{ fakeEnd }

func (*discard) Send([]transport.Datagram) error { return nil }

// inboxPeek takes the next queued datagram without a secure Recv.
func (e *fakeEnd) inboxPeek(tb testing.TB) []byte {
	tb.Helper()
	select {
	case f := <-e.inbox:
		return f.data
	default:
		tb.Fatal("nothing queued")
		return nil
	}
}
