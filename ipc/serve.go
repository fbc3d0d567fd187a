package ipc

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"syscall"
)

// serve is a connection's reader goroutine: credentials, hello, then
// requests until the connection ends. It is the only goroutine that sends
// this connection's events, which keeps them in order: Connected, the
// requests, Disconnected.
func (c *Conn) serve() {
	s := c.srv
	defer s.wg.Done()
	defer s.forget(c)
	defer c.shutdown()

	cred, err := peerCred(c.nc)
	if err != nil {
		s.log.Error("ipc: cannot read peer credentials, closing", "conn", c.id, "err", err)
		return
	}
	c.cred = cred

	r := NewReader(c.nc)
	if !c.handshake(r) {
		return
	}
	// The reply is written before the loop learns of the connection, so
	// nothing the loop queues (or a disconnection for slowness) can come
	// before it: a client whose Dial succeeded is one the loop knows.
	if err := c.replyHello(StatusOK); err != nil {
		s.log.Debug(fmt.Sprintf("client pid %d left during its hello: %v", c.cred.PID, err), "conn", c.id)
		return
	}
	s.wg.Add(1)
	go c.writeLoop()
	if !s.deliver(Event{Kind: EventConnected, Conn: c}) {
		return
	}
	c.readRequests(r)
	c.shutdown()
	s.deliver(Event{Kind: EventDisconnected, Conn: c})
}

// handshake reads the hello and refuses the client if it is malformed,
// not allowed or for an unknown service. It reports whether to go on.
func (c *Conn) handshake(r *Reader) bool {
	s := c.srv
	h, body, err := r.Next()
	if err != nil {
		c.readFailed(err, " before its hello")
		return false
	}
	if h.Kind != KindHello {
		c.violation(fmt.Errorf("%w: first frame is a %v, want hello", ErrMalformed, h.Kind))
		return false
	}
	hello, err := DecodeHello(body)
	if err != nil {
		c.violation(err)
		return false
	}
	c.service = hello.Service
	if !s.allowed(c.cred) {
		s.log.Warn(fmt.Sprintf("client pid %d uid %d gid %d is not allowed to connect, refusing", c.cred.PID, c.cred.UID, c.cred.GID),
			"conn", c.id, "service", hello.Service, "allowed_gid", s.cfg.AllowedGID)
		_ = c.replyHello(StatusAccess)
		return false
	}
	if s.cfg.Services != nil && !s.cfg.Services(hello.Service) {
		s.log.Warn(fmt.Sprintf("client pid %d asked for unknown service %d, refusing", c.cred.PID, hello.Service),
			"conn", c.id, "uid", c.cred.UID)
		_ = c.replyHello(StatusNotExist)
		return false
	}
	return true
}

// replyHello answers the hello directly: the writer goroutine is not
// running yet, and 16 bytes to a socket nothing else has written to do not
// block.
func (c *Conn) replyHello(st Status) error {
	_, err := c.nc.Write(AppendHeader(nil, Header{Length: HeaderSize, Kind: KindHelloReply, Status: st}))
	return err
}

// readRequests turns request frames into events until the connection ends
// or breaks the protocol.
func (c *Conn) readRequests(r *Reader) {
	for c.waitBacklog() {
		h, body, err := r.Next()
		if err != nil {
			c.readFailed(err, "")
			return
		}
		if h.Kind != KindRequest {
			c.violation(fmt.Errorf("%w: %v frame from a client, want request", ErrMalformed, h.Kind))
			return
		}
		ev := Event{Kind: EventRequest, Conn: c, Fn: h.Fn, ReqID: h.ReqID}
		if len(body) > 0 {
			ev.Body = append([]byte(nil), body...)
		}
		if !c.srv.deliver(ev) {
			return
		}
	}
}

// readFailed logs why reading stopped: quietly for an orderly end, loudly
// for bytes that are not our protocol.
func (c *Conn) readFailed(err error, when string) {
	switch {
	case c.isClosed():
		// We closed it: too slow, Conn.Close or Server.Close, already
		// logged where decided.
	case errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET):
		c.srv.log.Debug(fmt.Sprintf("client pid %d disconnected%s", c.cred.PID, when), "conn", c.id)
	case errors.Is(err, ErrMalformed) || errors.Is(err, io.ErrUnexpectedEOF):
		c.violation(err)
	default:
		c.srv.log.Warn(fmt.Sprintf("client pid %d: read failed: %v", c.cred.PID, err), "conn", c.id)
	}
}

// violation logs a protocol violation; the caller then closes.
func (c *Conn) violation(err error) {
	c.srv.log.Warn(fmt.Sprintf("client pid %d broke the protocol: %v; disconnecting", c.cred.PID, err),
		slog.Uint64("conn", c.id), slog.Int("uid", c.cred.UID), slog.Int("gid", c.cred.GID))
}
