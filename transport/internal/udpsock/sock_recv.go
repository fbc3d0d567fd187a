package udpsock

import (
	"context"
	"errors"
	"log/slog"
	"syscall"

	"goais/transport"
)

// errEmptyBuf is returned by Recv when the caller's first buffer has no
// room: the kernel would report every datagram as truncated.
var errEmptyBuf = errors.New("Packet.Buf is empty; it must have MaxDatagram bytes")

// Recv blocks until at least one datagram is accepted, fills pkts[:n] with
// the accepted ones in arrival order, and counts them. It may exchange the
// Buf slices of the entries of pkts. It returns transport.ErrClosed once
// the socket is closed.
func (s *Socket) Recv(pkts []transport.Packet) (int, error) {
	if len(pkts) == 0 {
		return 0, nil
	}
	if s.closed.Load() {
		return 0, s.ioErr(nil)
	}
	for {
		var got int
		var err error
		if s.batch && len(pkts) > 1 {
			got, err = s.recvBatch(pkts)
		} else {
			got, err = s.recvSingle(&pkts[0])
		}
		if err != nil {
			return 0, err
		}
		if n := s.keep(pkts[:got]); n > 0 {
			return n, nil
		}
	}
}

// recvSingle reads one datagram with package net. It returns 1 with N = -1
// for a truncated datagram, which keep then drops.
func (s *Socket) recvSingle(p *transport.Packet) (int, error) {
	if len(p.Buf) == 0 {
		return 0, s.ioErr(errEmptyBuf)
	}
	n, _, flags, from, err := s.conn.ReadMsgUDPAddrPort(p.Buf, nil)
	if err != nil {
		return 0, s.ioErr(err)
	}
	p.N = n
	if flags&syscall.MSG_TRUNC != 0 {
		p.N = -1
	}
	p.From = unzoned(from)
	return 1, nil
}

// keep drops the truncated datagrams (N < 0) and those accept refuses,
// moves the rest to the front of pkts (exchanging Buf slices between
// entries), counts them and returns how many.
func (s *Socket) keep(pkts []transport.Packet) int {
	kept := 0
	var bytes, truncated uint64
	for i := range pkts {
		p := &pkts[i]
		if p.N < 0 {
			truncated++
			s.logTruncated(p)
			continue
		}
		if s.accept != nil && !s.accept(p) {
			continue
		}
		bytes += uint64(p.N)
		if kept != i {
			// Exchange the buffers rather than copy: both belong to the
			// caller, and the earlier one may be too short for this datagram.
			q := &pkts[kept]
			q.Buf, p.Buf = p.Buf, q.Buf
			q.N, q.From = p.N, p.From
		}
		kept++
	}
	add(&s.cnt.truncated, truncated)
	add(&s.cnt.recvDatagrams, uint64(kept))
	add(&s.cnt.recvBytes, bytes)
	return kept
}

func (s *Socket) logTruncated(p *transport.Packet) {
	if !s.debugEnabled() {
		return
	}
	if ok, n := s.truncLog.Allow(); ok {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "truncated datagram dropped",
			slog.String("from", p.From.String()), slog.Int("buffer", len(p.Buf)),
			slog.Uint64("suppressed", n))
	}
}
