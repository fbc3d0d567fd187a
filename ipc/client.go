package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
)

// CallbackQueue is the capacity of a Client's Callbacks channel.
const CallbackQueue = 32

// CallbackBytes bounds the callbacks a Client holds that the application
// has not taken yet, beyond the channel. Below it responses never wait
// behind callbacks; past it the client stops reading its socket, which
// leaves the bytes queued in the executive, whose backlog rules apply.
const CallbackBytes = 16 << 20

// writeQueue is how many request frames may wait for the client's writer
// goroutine; past it Call blocks (cancellably) until the executive reads.
const writeQueue = 64

// Callback is an unsolicited message from the executive.
type Callback struct {
	Fn   uint16
	Body []byte // owned by the receiver
}

// Client is a library's connection to the executive for one service.
type Client struct {
	nc        *net.UnixConn
	path      string
	service   uint16
	writes    chan []byte // request frames for the writer goroutine
	callbacks chan Callback
	done      chan struct{} // closed when err is set
	closing   chan struct{} // closed by Close: stop delivering callbacks
	closeOnce sync.Once
	wg        sync.WaitGroup

	// The callback queue between the reader and the Callbacks channel.
	qmu    sync.Mutex
	qspace sync.Cond // the reader waits here while qbytes > CallbackBytes
	queue  []Callback
	qcount int // callbacks queued or in the pump's hands
	qbytes int
	qready chan struct{} // capacity 1: the queue grew or ended
	qended bool          // the reader will add nothing more
	qshut  bool          // the Callbacks channel is closed

	mu      sync.Mutex
	err     error // why the client stopped; nil while connected
	pending map[uint32]pendingCall
	nextID  uint32
}

type pendingCall struct {
	fn   uint16
	ch   chan result                  // capacity 1; whoever removes the entry sends once
	done func(body []byte, err error) // instead of ch, for CallAsync
}

// finish hands the call its result.
func (p pendingCall) finish(r result) {
	if p.done != nil {
		p.done(r.body, r.err)
		return
	}
	p.ch <- r
}

type result struct {
	body []byte
	err  error
}

// noExecutiveError is what Dial returns when nothing listens on the path.
type noExecutiveError struct {
	path  string
	cause error
}

func (e *noExecutiveError) Error() string {
	return "ipc: connect: no executive at " + e.path + " (is aisexec running?)"
}

func (e *noExecutiveError) Unwrap() []error { return []error{ErrNoExecutive, e.cause} }

// Dial connects to the executive's socket at path and says hello for
// service. A refused hello returns an error wrapping the status (test with
// errors.Is(err, ErrAccess), ErrNotExist ...); a missing or dead socket
// one wrapping ErrNoExecutive. ctx bounds the connect and the hello only.
func Dial(ctx context.Context, path string, service uint16) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, &noExecutiveError{path: path, cause: err}
		}
		return nil, fmt.Errorf("ipc: connect to %s: %w", path, err)
	}
	nc := conn.(*net.UnixConn)
	// Cancelling ctx interrupts the hello by expiring the socket's
	// deadline.
	stop := context.AfterFunc(ctx, func() { _ = nc.SetDeadline(time.Unix(1, 0)) })
	r := NewReader(nc)
	err = hello(nc, r, path, service)
	if !stop() {
		nc.Close()
		return nil, fmt.Errorf("ipc: hello to %s: %w", path, ctx.Err())
	}
	if err != nil {
		nc.Close()
		return nil, err
	}
	c := &Client{
		nc:        nc,
		path:      path,
		service:   service,
		writes:    make(chan []byte, writeQueue),
		callbacks: make(chan Callback, CallbackQueue),
		done:      make(chan struct{}),
		closing:   make(chan struct{}),
		qready:    make(chan struct{}, 1),
		pending:   make(map[uint32]pendingCall),
	}
	c.qspace.L = &c.qmu
	c.wg.Add(3)
	go c.readLoop(r)
	go c.writeLoop()
	go c.pumpCallbacks()
	return c, nil
}

// hello sends the hello frame and checks the reply.
func hello(nc *net.UnixConn, r *Reader, path string, service uint16) error {
	body := AppendHello(nil, Hello{Service: service, PID: uint32(os.Getpid())})
	if _, err := nc.Write(AppendFrame(nil, Header{Kind: KindHello}, body)); err != nil {
		return fmt.Errorf("ipc: sending hello to %s: %w", path, err)
	}
	h, _, err := r.Next()
	if err != nil {
		return fmt.Errorf("ipc: executive at %s did not answer the hello for service %d: %w", path, service, err)
	}
	if h.Kind != KindHelloReply {
		return fmt.Errorf("ipc: executive at %s answered the hello with a %v frame: %w", path, h.Kind, ErrMalformed)
	}
	if err := h.Status.Err(); err != nil {
		return fmt.Errorf("ipc: executive at %s refused service %d: %w", path, service, err)
	}
	return nil
}

// Call sends a request and waits for its response. It is safe for
// concurrent use; responses are matched by request id. If ctx ends first
// Call returns ctx.Err() and the response, if it comes, is discarded. A
// non-OK status returns a *StatusError (compare with errors.Is against
// ErrTryAgain and the like); a lost connection an error wrapping
// ErrDisconnected. The returned body is the caller's.
func (c *Client) Call(ctx context.Context, fn uint16, body []byte) ([]byte, error) {
	if len(body) > MaxBody {
		return nil, fmt.Errorf("ipc: request body of %d bytes exceeds %d: %w", len(body), MaxBody, ErrTooBig)
	}
	ch := make(chan result, 1)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	id := c.allocID()
	c.pending[id] = pendingCall{fn: fn, ch: ch}
	c.mu.Unlock()

	frame := AppendFrame(make([]byte, 0, HeaderSize+len(body)), Header{Kind: KindRequest, Fn: fn, ReqID: id}, body)
	select {
	case c.writes <- frame:
	case r := <-ch: // the connection failed while we waited to write
		return r.body, r.err
	case <-ctx.Done():
		c.abandon(id)
		return nil, ctx.Err()
	}
	select {
	case r := <-ch:
		return r.body, r.err
	case <-ctx.Done():
		c.abandon(id)
		return nil, ctx.Err()
	}
}

// CallAsync sends a request and returns without waiting for the response:
// done is called exactly once with its outcome (body and error as for
// Call), from the client's reader goroutine, so it must be quick and must
// not call back into the client; or, if the client is stopped, at once
// from CallAsync itself. Requests are written in the order of the calls,
// and the executive answers them in that order, so a library can keep a
// window of requests in flight (pipelining) where Call would wait a round
// trip for each. CallAsync blocks only while the writer's queue is full,
// until ctx ends (then it returns ctx.Err() and done is not called).
func (c *Client) CallAsync(ctx context.Context, fn uint16, body []byte, done func(body []byte, err error)) error {
	if len(body) > MaxBody {
		return fmt.Errorf("ipc: request body of %d bytes exceeds %d: %w", len(body), MaxBody, ErrTooBig)
	}
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		done(nil, err)
		return nil
	}
	id := c.allocID()
	c.pending[id] = pendingCall{fn: fn, done: done}
	c.mu.Unlock()

	frame := AppendFrame(make([]byte, 0, HeaderSize+len(body)), Header{Kind: KindRequest, Fn: fn, ReqID: id}, body)
	select {
	case c.writes <- frame:
		return nil
	case <-c.done:
		return nil // fail has called done
	case <-ctx.Done():
		c.mu.Lock()
		_, mine := c.pending[id]
		delete(c.pending, id)
		c.mu.Unlock()
		if !mine {
			return nil // fail got there first and called done
		}
		return ctx.Err()
	}
}

// allocID returns a request id not in use; 0 is never used. Called with
// c.mu held.
func (c *Client) allocID() uint32 {
	for {
		c.nextID++
		if _, busy := c.pending[c.nextID]; c.nextID != 0 && !busy {
			return c.nextID
		}
	}
}

// abandon forgets a call whose caller gave up.
func (c *Client) abandon(id uint32) {
	c.mu.Lock()
	delete(c.pending, id)
	c.mu.Unlock()
}

// Callbacks delivers the executive's unsolicited messages in order. After
// the connection is lost it still delivers what arrived before, then
// closes; after Close it closes at once. Drain it: once CallbackBytes of
// callbacks wait, the client reads nothing from the executive, responses
// included.
func (c *Client) Callbacks() <-chan Callback { return c.callbacks }

// Done is closed when the client stops, by Close or connection loss.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err is nil while the client runs; afterwards ErrClosed after Close, or
// an error wrapping ErrDisconnected and its cause.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close disconnects and waits for the client's goroutines. Pending Calls
// return ErrClosed. Close is idempotent and always returns nil.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	c.closeOnce.Do(func() { close(c.closing) })
	c.wg.Wait()
	return nil
}

// fail stops the client with err (the first one wins): pending calls get
// it, Done closes and the socket closes, which ends both goroutines.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	failed := make([]pendingCall, 0, len(c.pending))
	for id, p := range c.pending {
		failed = append(failed, p)
		delete(c.pending, id)
	}
	c.mu.Unlock()
	for _, p := range failed {
		p.finish(result{err: err})
	}
	close(c.done)
	c.qmu.Lock()
	c.qspace.Broadcast() // a reader waiting for room gives up
	c.qmu.Unlock()
	c.nc.Close()
}

func (c *Client) disconnected(cause error) {
	c.fail(fmt.Errorf("%w: %w", ErrDisconnected, cause))
}

// readLoop dispatches responses to their callers and callbacks to the
// queue. Waiting for room in a full queue is the client's back-pressure.
func (c *Client) readLoop(r *Reader) {
	defer c.wg.Done()
	defer c.endQueue()
	for {
		h, body, err := r.Next()
		if err != nil {
			c.disconnected(err)
			return
		}
		switch h.Kind {
		case KindResponse:
			if err := c.complete(h, body); err != nil {
				c.disconnected(err)
				return
			}
		case KindCallback:
			if !c.enqueueCallback(Callback{Fn: h.Fn, Body: clone(body)}) {
				return
			}
		default:
			c.disconnected(fmt.Errorf("%w: executive sent a %v frame after the hello", ErrMalformed, h.Kind))
			return
		}
	}
}

// enqueueCallback adds cb to the queue, waiting while it holds
// CallbackBytes; false if the client stopped meanwhile.
func (c *Client) enqueueCallback(cb Callback) bool {
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.qshut {
		return false
	}
	if c.qcount == 0 {
		// Nothing waits: straight to the channel if it has room, so that
		// a callback sent before a response is there when Call returns.
		select {
		case c.callbacks <- cb:
			return true
		default:
		}
	}
	for c.qbytes > CallbackBytes {
		select {
		case <-c.done:
			return false
		default:
		}
		c.qspace.Wait()
	}
	c.queue = append(c.queue, cb)
	c.qcount++
	c.qbytes += len(cb.Body)
	select {
	case c.qready <- struct{}{}:
	default:
	}
	return true
}

func (c *Client) endQueue() {
	c.qmu.Lock()
	c.qended = true
	c.qmu.Unlock()
	select {
	case c.qready <- struct{}{}:
	default:
	}
}

// pumpCallbacks moves queued callbacks to the Callbacks channel, in
// order, until the reader ended and the queue is empty, or Close.
func (c *Client) pumpCallbacks() {
	defer c.wg.Done()
	defer func() {
		c.qmu.Lock()
		c.qshut = true
		close(c.callbacks)
		c.qmu.Unlock()
	}()
	for {
		c.qmu.Lock()
		batch, ended := c.queue, c.qended
		c.queue = nil
		c.qmu.Unlock()
		if len(batch) == 0 {
			if ended {
				return
			}
			select {
			case <-c.qready:
				continue
			case <-c.closing:
				return
			}
		}
		for i, cb := range batch {
			select {
			case c.callbacks <- cb:
			case <-c.closing:
				return
			}
			batch[i] = Callback{}
			c.qmu.Lock()
			c.qcount--
			c.qbytes -= len(cb.Body)
			c.qspace.Signal()
			c.qmu.Unlock()
		}
	}
}

// complete hands a response to its waiting Call, or drops it if the caller
// gave up.
func (c *Client) complete(h Header, body []byte) error {
	c.mu.Lock()
	p, ok := c.pending[h.ReqID]
	if ok && p.fn == h.Fn {
		delete(c.pending, h.ReqID)
	}
	c.mu.Unlock()
	if !ok {
		return nil
	}
	if p.fn != h.Fn {
		return fmt.Errorf("%w: response to request %d is for fn %d, the request was fn %d", ErrMalformed, h.ReqID, h.Fn, p.fn)
	}
	if err := h.Status.Err(); err != nil {
		p.finish(result{err: err})
	} else {
		p.finish(result{body: clone(body)})
	}
	return nil
}

// writeLoop sends queued requests, batching whatever has accumulated into
// one writev.
func (c *Client) writeLoop() {
	defer c.wg.Done()
	var batch [][]byte
	for {
		select {
		case f := <-c.writes:
			batch = append(batch[:0], f)
		case <-c.done:
			return
		}
	more:
		for len(batch) < writeQueue {
			select {
			case f := <-c.writes:
				batch = append(batch, f)
			default:
				break more
			}
		}
		bufs := net.Buffers(batch)
		_, err := bufs.WriteTo(c.nc)
		clear(batch)
		if err != nil {
			c.disconnected(err)
			return
		}
	}
}

func clone(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
