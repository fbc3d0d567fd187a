package udpsock

import (
	"context"
	"log/slog"
)

// Queue adds one datagram for one destination to the next Flush. A datagram
// the address family cannot carry is refused here, counted as a send error,
// and does not hold up the others. The data is kept until Flush returns.
func (s *Socket) Queue(to *Dest, data []byte) {
	if len(data) > s.maxPayload {
		s.cnt.sendErrors.Add(1)
		if s.debugEnabled() {
			if ok, n := s.oversizeLog.Allow(); ok {
				s.log.LogAttrs(context.Background(), slog.LevelDebug, "datagram too large to send",
					slog.Int("bytes", len(data)), slog.Int("max", s.maxPayload),
					slog.String("to", to.addr.String()), slog.Uint64("suppressed", n))
			}
		}
		return
	}
	s.pending = append(s.pending, pendingSend{to: to, data: data})
}

// Flush sends everything queued, then forgets it so that the caller's
// slices are not kept. Per-destination failures are counted, not returned;
// it returns transport.ErrClosed once the socket is closed.
func (s *Socket) Flush() error {
	if s.closed.Load() {
		clear(s.pending)
		s.pending = s.pending[:0]
		return s.ioErr(nil)
	}
	var err error
	if s.batch {
		err = s.sendBatch()
	} else {
		err = s.sendSingle()
	}
	clear(s.pending)
	s.pending = s.pending[:0]
	return err
}

// sendSingle sends the queued datagrams one system call each.
func (s *Socket) sendSingle() error {
	var sent, bytes, failed uint64
	for i := range s.pending {
		p := &s.pending[i]
		n, err := s.conn.WriteToUDPAddrPort(p.data, p.to.addr)
		if err != nil {
			if s.closed.Load() {
				return s.ioErr(err)
			}
			failed++
			s.logSendError(p.to, err)
			continue
		}
		sent++
		bytes += uint64(n)
	}
	s.countSent(sent, bytes, failed)
	return nil
}

func (s *Socket) countSent(sent, bytes, failed uint64) {
	add(&s.cnt.sentDatagrams, sent)
	add(&s.cnt.sentBytes, bytes)
	add(&s.cnt.sendErrors, failed)
}

// logSendError reports a refused send at debug level, rate-limited: Totem
// recovers from the loss, and an unreachable peer would otherwise log once
// per datagram.
func (s *Socket) logSendError(to *Dest, err error) {
	if !s.debugEnabled() {
		return
	}
	if ok, n := s.sendErrLog.Allow(); ok {
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "send failed",
			slog.String("to", to.addr.String()), slog.String("error", err.Error()),
			slog.Uint64("suppressed", n))
	}
}
