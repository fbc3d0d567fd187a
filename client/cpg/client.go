package cpg

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"

	"goais/ipc"
)

// Errors, matched with errors.Is.
var (
	ErrTryAgain     = ipc.ErrTryAgain
	ErrNotExist     = ipc.ErrNotExist
	ErrExist        = ipc.ErrExist
	ErrBusy         = ipc.ErrBusy
	ErrTooBig       = ipc.ErrTooBig
	ErrNameTooLong  = ipc.ErrNameTooLong
	ErrInvalidParam = ipc.ErrInvalidParam
	ErrAccess       = ipc.ErrAccess
	ErrDisconnected = ipc.ErrDisconnected
	ErrClosed       = ipc.ErrClosed
)

// Window defaults.
const (
	DefaultWindow = 64
	// windowBytes bounds the bytes in flight; one message of any size may
	// always go when nothing else is in flight.
	windowBytes = 1 << 20
)

// Options configure Dial.
type Options struct {
	// RunDir is the executive's run directory; "" is ipc.DefaultRunDir().
	RunDir string
	// PID is the process id the client joins with; 0 is os.Getpid(). Two
	// clients on one node cannot join one group with the same pid.
	PID uint32
	// Window is how many Mcasts may be in flight; 0 is DefaultWindow.
	Window int
}

// Client is one connection to the CPG service (a cpg handle). Its methods
// are safe for concurrent use, but deliveries come in one stream: consume
// them from one goroutine.
type Client struct {
	ic     *ipc.Client
	pid    uint32
	window int

	mu        sync.Mutex
	group     string // joined or joining; "" if none
	inflight  int
	bytes     int
	fc        FlowControl
	asyncErr  error
	drained   chan struct{} // closed and replaced when inflight reaches 0
	eventsOn  bool
	events    chan Event
	eventsErr error
}

// Dial connects to the executive's CPG service (cpg_initialize).
func Dial(ctx context.Context, opt Options) (*Client, error) {
	dir := opt.RunDir
	if dir == "" {
		dir = ipc.DefaultRunDir()
	}
	ic, err := ipc.Dial(ctx, ipc.SocketPath(dir), Service)
	if err != nil {
		return nil, fmt.Errorf("cpg: %w", err)
	}
	c := &Client{ic: ic, pid: opt.PID, window: opt.Window, drained: make(chan struct{})}
	if c.pid == 0 {
		c.pid = uint32(os.Getpid())
	}
	if c.window <= 0 {
		c.window = DefaultWindow
	}
	close(c.drained)
	return c, nil
}

// PID is the process id the client joins with.
func (c *Client) PID() uint32 { return c.pid }

// Close disconnects (cpg_finalize): if the client is in a group, every
// member sees it leave with reason PROCDOWN, as corosync reports a
// finalize without leave. Messages still in flight may or may not go out.
func (c *Client) Close() error { return c.ic.Close() }

// Done is closed when the connection ends.
func (c *Client) Done() <-chan struct{} { return c.ic.Done() }

// Err is nil while connected, else why the connection ended.
func (c *Client) Err() error { return c.ic.Err() }

// Join joins group (cpg_join). The first configuration change the client
// receives for the group lists itself as joined. A client is in one group
// at a time.
func (c *Client) Join(ctx context.Context, group string) error {
	if len(group) > NameMax {
		return fmt.Errorf("cpg: join %q: %w", group, ErrNameTooLong)
	}
	if _, err := c.call(ctx, FnJoin, AppendJoin(nil, JoinRequest{PID: c.pid, Group: group})); err != nil {
		return fmt.Errorf("cpg: join %q: %w", group, err)
	}
	c.mu.Lock()
	c.group = group
	c.mu.Unlock()
	return nil
}

// Leave leaves group (cpg_leave); the last configuration change the client
// receives for it lists itself as left. Messages in flight go out first.
func (c *Client) Leave(ctx context.Context, group string) error {
	if err := c.Flush(ctx); err != nil && !errors.Is(err, ErrNotExist) {
		return fmt.Errorf("cpg: leave %q: %w", group, err)
	}
	if _, err := c.call(ctx, FnLeave, AppendName(nil, group)); err != nil {
		return fmt.Errorf("cpg: leave %q: %w", group, err)
	}
	c.mu.Lock()
	if c.group == group {
		c.group = ""
	}
	c.mu.Unlock()
	return nil
}

// Mcast multicasts msg to the joined group (cpg_mcast_joined). It returns
// once the request is on its way; every member, this client included,
// receives msg in agreed order. The guarantee is accepted for
// compatibility: every message is delivered in agreed order. Past the
// window it returns an error matching ErrTryAgain without waiting. msg may
// be reused when Mcast returns.
func (c *Client) Mcast(ctx context.Context, g Guarantee, msg []byte) error {
	if len(msg) > MaxMessage {
		return fmt.Errorf("cpg: mcast of %d bytes (max %d): %w", len(msg), MaxMessage, ErrTooBig)
	}
	if g > Safe {
		return fmt.Errorf("cpg: mcast: guarantee %d: %w", g, ErrInvalidParam)
	}
	c.mu.Lock()
	if err := c.asyncErr; err != nil {
		c.asyncErr = nil
		c.mu.Unlock()
		return err
	}
	if c.group == "" {
		c.mu.Unlock()
		return fmt.Errorf("cpg: mcast: the client has not joined a group: %w", ErrNotExist)
	}
	if c.inflight >= c.window || (c.inflight > 0 && c.bytes+len(msg) > windowBytes) {
		c.fc = FlowControlEnabled
		c.mu.Unlock()
		return fmt.Errorf("cpg: mcast: %d messages in flight: %w", c.window, ErrTryAgain)
	}
	if c.inflight == 0 {
		c.drained = make(chan struct{})
	}
	c.inflight++
	c.bytes += len(msg)
	c.mu.Unlock()

	size := len(msg)
	body := AppendMcast(make([]byte, 0, 8+size), McastRequest{Guarantee: g, Msg: msg})
	err := c.ic.CallAsync(ctx, FnMcast, body, func(resp []byte, err error) { c.mcastDone(size, resp, err) })
	if err != nil {
		c.mcastDone(size, nil, nil)
		return fmt.Errorf("cpg: mcast: %w", err)
	}
	return nil
}

// mcastDone accounts for one answered (or never sent) Mcast.
func (c *Client) mcastDone(size int, resp []byte, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inflight--
	c.bytes -= size
	if err != nil {
		if c.asyncErr == nil {
			c.asyncErr = fmt.Errorf("cpg: an earlier mcast was refused: %w", err)
		}
	} else if resp != nil {
		if r, derr := DecodeMcastResponse(resp); derr == nil {
			c.fc = r.FlowControl
		}
	}
	if c.inflight == 0 {
		close(c.drained)
	}
}

// Flush waits until every Mcast so far has been answered and returns the
// error of one the executive refused, if any.
func (c *Client) Flush(ctx context.Context) error {
	c.mu.Lock()
	ch := c.drained
	c.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return ctx.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	err := c.asyncErr
	c.asyncErr = nil
	return err
}

// FlowControlState is cpg_flow_control_state_get: Enabled while the window
// is more than half full or the executive asked senders to slow down.
func (c *Client) FlowControlState() FlowControl {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight*2 >= c.window || (c.inflight > 0 && c.fc == FlowControlEnabled) {
		return FlowControlEnabled
	}
	return FlowControlDisabled
}

// MembershipGet is cpg_membership_get: the processes in group, sorted by
// node id then pid.
func (c *Client) MembershipGet(ctx context.Context, group string) ([]Address, error) {
	b, err := c.call(ctx, FnMembershipGet, AppendName(nil, group))
	if err != nil {
		return nil, fmt.Errorf("cpg: membership of %q: %w", group, err)
	}
	return DecodeAddrs(b)
}

// LocalGet is cpg_local_get: this node's id.
func (c *Client) LocalGet(ctx context.Context) (uint32, error) {
	b, err := c.call(ctx, FnLocalGet, nil)
	if err != nil {
		return 0, fmt.Errorf("cpg: local_get: %w", err)
	}
	if len(b) != 4 {
		return 0, fmt.Errorf("cpg: local_get: reply of %d bytes: %w", len(b), ErrMalformed)
	}
	return binary.LittleEndian.Uint32(b), nil
}

// Groups lists every group with members (cpg_iteration with
// CPG_ITERATION_ALL), sorted by name.
func (c *Client) Groups(ctx context.Context) ([]GroupMembers, error) {
	b, err := c.call(ctx, FnIteration, nil)
	if err != nil {
		return nil, fmt.Errorf("cpg: iteration: %w", err)
	}
	return DecodeGroups(b)
}

// TotemMembership returns the ring id and node members as of the last
// completed sync.
func (c *Client) TotemMembership(ctx context.Context) (TotemConfchg, error) {
	b, err := c.call(ctx, FnTotemGet, nil)
	if err != nil {
		return TotemConfchg{}, fmt.Errorf("cpg: totem membership: %w", err)
	}
	return DecodeTotemConfchg(b)
}

// call sends a request after the Mcasts in flight have been answered:
// the executive answers requests that would overtake held multicasts with
// try-again, so waiting first avoids a useless round.
func (c *Client) call(ctx context.Context, fn uint16, body []byte) ([]byte, error) {
	c.mu.Lock()
	ch := c.drained
	c.mu.Unlock()
	select {
	case <-ch:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-c.ic.Done():
		return nil, c.ic.Err()
	}
	return c.ic.Call(ctx, fn, body)
}
