package ipc

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
)

// Conn is one client connection on the server side. The event loop learns
// it from EventConnected and answers through Respond and Callback, which
// never block: frames go to a queue that the connection's writer goroutine
// drains.
type Conn struct {
	srv *Server
	nc  *net.UnixConn
	id  uint64

	// Set by the reader before EventConnected, read-only afterwards.
	cred    Cred
	service uint16

	mu      sync.Mutex
	wcond   sync.Cond // writer: queue non-empty or closed
	rcond   sync.Cond // reader: backlog at most MaxBacklog, or closed
	queue   [][]byte  // whole frames, oldest first
	backlog int       // bytes queued or being written
	slow    bool      // passed HardBacklog; being disconnected
	closed  bool

	// ended mirrors slow||closed without the lock, so that Respond and
	// Callback on a dead connection return before copying the body.
	ended atomic.Bool
}

func newConn(s *Server, nc *net.UnixConn) *Conn {
	c := &Conn{srv: s, nc: nc, id: s.nextID.Add(1)}
	c.wcond.L = &c.mu
	c.rcond.L = &c.mu
	return c
}

// ID is unique among the server's connections.
func (c *Conn) ID() uint64 { return c.id }

// Service is the service id the client named in its hello.
func (c *Conn) Service() uint16 { return c.service }

// Cred is the client's pid, uid and gid as the kernel reported them at
// connect time.
func (c *Conn) Cred() Cred { return c.cred }

func (c *Conn) String() string {
	return fmt.Sprintf("conn %d (pid %d)", c.id, c.cred.PID)
}

// Backlog is the number of bytes queued to the client and not yet written.
// Services can use it to tell a client to try again rather than queue
// more.
func (c *Conn) Backlog() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.backlog
}

// Respond queues the response to request reqID. It never blocks, and body
// is copied, so the caller may reuse it. A body longer than MaxBody cannot
// be framed: the client gets SA_AIS_ERR_TOO_BIG instead, and the error is
// logged. On a closed connection Respond does nothing.
func (c *Conn) Respond(reqID uint32, fn uint16, status Status, body []byte) {
	if len(body) > MaxBody {
		c.srv.log.Error(fmt.Sprintf("ipc: response of %d bytes to client pid %d exceeds %d; answering %v", len(body), c.cred.PID, MaxBody, StatusTooBig),
			"conn", c.id, "fn", fn)
		status, body = StatusTooBig, nil
	}
	c.enqueue(Header{Kind: KindResponse, Fn: fn, ReqID: reqID, Status: status}, body)
}

// Callback queues an unsolicited message to the client. It never blocks,
// and body is copied. A body longer than MaxBody is dropped and logged. On
// a closed connection Callback does nothing.
func (c *Conn) Callback(fn uint16, body []byte) {
	if len(body) > MaxBody {
		c.srv.log.Error(fmt.Sprintf("ipc: callback of %d bytes to client pid %d exceeds %d; dropped", len(body), c.cred.PID, MaxBody),
			"conn", c.id, "fn", fn)
		return
	}
	c.enqueue(Header{Kind: KindCallback, Fn: fn}, body)
}

// Close disconnects the client at once; frames still queued are dropped.
// The reader then delivers EventDisconnected as usual.
func (c *Conn) Close() { c.shutdown() }

func (c *Conn) enqueue(h Header, body []byte) {
	if c.ended.Load() {
		return
	}
	frame := AppendFrame(make([]byte, 0, HeaderSize+len(body)), h, body)
	c.mu.Lock()
	if c.closed || c.slow {
		c.mu.Unlock()
		return
	}
	if queued := c.backlog + len(frame); queued > c.srv.cfg.HardBacklog {
		// Log before closing, so whoever sees the disconnection can
		// also find the reason.
		c.slow = true
		c.ended.Store(true)
		c.mu.Unlock()
		c.srv.log.Warn(fmt.Sprintf("client pid %d is too slow (%d bytes queued), disconnecting", c.cred.PID, queued),
			"conn", c.id, "uid", c.cred.UID, "gid", c.cred.GID, "service", c.service)
		c.shutdown()
		return
	}
	c.queue = append(c.queue, frame)
	c.backlog += len(frame)
	c.wcond.Signal()
	c.mu.Unlock()
}

// shutdown closes the connection; safe to call any number of times from
// any goroutine.
func (c *Conn) shutdown() {
	c.mu.Lock()
	c.closeLocked()
	c.mu.Unlock()
	c.nc.Close()
}

// closeLocked marks the connection closed, frees its queue and wakes its
// goroutines. The caller closes the socket after unlocking.
func (c *Conn) closeLocked() {
	if c.closed {
		return
	}
	c.closed = true
	c.ended.Store(true)
	clear(c.queue)
	c.queue = nil
	c.backlog = 0
	c.wcond.Broadcast()
	c.rcond.Broadcast()
}

// writeLoop drains the queue to the socket, a batch per writev.
func (c *Conn) writeLoop() {
	defer c.srv.wg.Done()
	var batch [][]byte
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.closed {
			c.wcond.Wait()
		}
		if c.closed {
			c.mu.Unlock()
			return
		}
		// Swap the queue with the drained batch so both backing arrays
		// are reused.
		batch, c.queue = c.queue, batch[:0]
		c.mu.Unlock()

		n := 0
		for _, f := range batch {
			n += len(f)
		}
		bufs := net.Buffers(batch)
		_, err := bufs.WriteTo(c.nc)
		clear(batch) // let the frames go

		c.mu.Lock()
		if !c.closed {
			c.backlog -= n
			if c.backlog <= c.srv.cfg.MaxBacklog {
				c.rcond.Broadcast()
			}
		}
		c.mu.Unlock()
		if err != nil {
			// The client went away or we closed the socket; the reader
			// sees the same and reports the disconnection.
			c.shutdown()
			return
		}
	}
}

// waitBacklog blocks the reader while the client has more than MaxBacklog
// bytes waiting to be read. It reports false once the connection closed.
func (c *Conn) waitBacklog() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.backlog > c.srv.cfg.MaxBacklog && !c.closed {
		c.rcond.Wait()
	}
	return !c.closed
}

func (c *Conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
