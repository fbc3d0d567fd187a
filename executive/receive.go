package executive

import (
	"goais/transport"
)

const (
	// batchSize is how many datagrams one Recv may return; rxBatches is
	// how many batches circulate between the reader and the loop.
	batchSize = 32
	rxBatches = 4
	// minRecvBuf is the smallest receive buffer: a commit token for the
	// largest ring (41 + 28·384 bytes) must fit even with a small netmtu.
	minRecvBuf = 16 << 10
)

// rxBatch is a set of packets filled by the reader and stepped by the loop.
type rxBatch struct {
	pkts []transport.Packet
	n    int
}

// receiver is the transport reader goroutine and its free list. Batches go
// reader → full → loop → free → reader, so no datagram is ever copied or
// allocated after start-up.
type receiver struct {
	full chan *rxBatch
	free chan *rxBatch
	err  chan error // the reader's final error (closed transport or worse)
}

func newReceiver(bufSize int) *receiver {
	r := &receiver{
		full: make(chan *rxBatch, rxBatches),
		free: make(chan *rxBatch, rxBatches),
		err:  make(chan error, 1),
	}
	for range rxBatches {
		b := &rxBatch{pkts: make([]transport.Packet, batchSize)}
		for i := range b.pkts {
			b.pkts[i].Buf = make([]byte, bufSize)
		}
		r.free <- b
	}
	return r
}

// run reads until the transport fails or stop is closed.
func (r *receiver) run(t transport.Transport, stop <-chan struct{}) {
	for {
		var b *rxBatch
		select {
		case b = <-r.free:
		case <-stop:
			return
		}
		n, err := t.Recv(b.pkts)
		if err != nil {
			r.err <- err
			return
		}
		b.n = n
		select {
		case r.full <- b:
		case <-stop:
			return
		}
	}
}
