package executive

import (
	"sync"

	"goais/transport"
)

// memNet is an in-process datagram network on channels, for running whole
// executives under testing/synctest: every operation is a channel
// operation, so a bubble whose nodes all wait on it is durably blocked and
// virtual time advances. A full inbox drops the datagram, as UDP would.
type memNet struct {
	mu    sync.Mutex
	nodes map[transport.NodeID]*memPort
}

func newMemNet() *memNet { return &memNet{nodes: make(map[transport.NodeID]*memPort)} }

type memPort struct {
	net    *memNet
	id     transport.NodeID
	inbox  chan []byte
	closed chan struct{}
	once   sync.Once

	mu    sync.Mutex
	stats transport.Stats
}

func (n *memNet) attach(id transport.NodeID) *memPort {
	p := &memPort{net: n, id: id, inbox: make(chan []byte, 4096), closed: make(chan struct{})}
	n.mu.Lock()
	n.nodes[id] = p
	n.mu.Unlock()
	return p
}

func (p *memPort) Send(dgs []transport.Datagram) error {
	select {
	case <-p.closed:
		return transport.ErrClosed
	default:
	}
	p.net.mu.Lock()
	defer p.net.mu.Unlock()
	for _, d := range dgs {
		for id, q := range p.net.nodes {
			if d.To != 0 && d.To != id {
				continue
			}
			if q.isClosed() {
				continue
			}
			select {
			case q.inbox <- append([]byte(nil), d.Data...):
				p.count(func(s *transport.Stats) { s.SentDatagrams++ })
			default:
			}
		}
	}
	return nil
}

func (p *memPort) isClosed() bool {
	select {
	case <-p.closed:
		return true
	default:
		return false
	}
}

func (p *memPort) count(f func(*transport.Stats)) {
	p.mu.Lock()
	f(&p.stats)
	p.mu.Unlock()
}

func (p *memPort) Recv(pkts []transport.Packet) (int, error) {
	var d []byte
	select {
	case d = <-p.inbox:
	case <-p.closed:
		return 0, transport.ErrClosed
	}
	n := 0
	for {
		pkts[n].N = copy(pkts[n].Buf, d)
		n++
		if n == len(pkts) {
			break
		}
		select {
		case d = <-p.inbox:
			continue
		default:
		}
		break
	}
	p.count(func(s *transport.Stats) { s.RecvDatagrams += uint64(n) })
	return n, nil
}

func (p *memPort) SetMembers([]transport.Member) {}

func (p *memPort) Stats() transport.Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

func (p *memPort) Close() error {
	p.once.Do(func() {
		close(p.closed)
		p.net.mu.Lock()
		if p.net.nodes[p.id] == p {
			delete(p.net.nodes, p.id)
		}
		p.net.mu.Unlock()
	})
	return nil
}
