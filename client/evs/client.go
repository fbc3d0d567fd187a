package evs

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"goais/ipc"
)

// Client is one connection to the local executive's EVS service
// (an evs_handle_t). Its groups live as long as the connection.
type Client struct {
	ipc    *ipc.Client
	events chan Event
	stop   chan struct{} // closed by Close: the pump stops waiting on events
	pumped chan struct{} // closed when the pump has exited
	once   sync.Once

	mu  sync.Mutex
	err error // a malformed callback stopped the client
}

// Dial connects to the executive whose run directory is runDir ("" means
// ipc.DefaultRunDir()); it is evs_initialize. ctx bounds the connect only.
func Dial(ctx context.Context, runDir string) (*Client, error) {
	if runDir == "" {
		runDir = ipc.DefaultRunDir()
	}
	ic, err := ipc.Dial(ctx, ipc.SocketPath(runDir), Service)
	if err != nil {
		return nil, fmt.Errorf("evs: %w", err)
	}
	c := &Client{
		ipc:    ic,
		events: make(chan Event, EventQueue),
		stop:   make(chan struct{}),
		pumped: make(chan struct{}),
	}
	go c.pump()
	return c, nil
}

// pump decodes the executive's callbacks onto the events channel, and
// closes it when the connection ends.
func (c *Client) pump() {
	defer close(c.pumped)
	defer close(c.events)
	for cb := range c.ipc.Callbacks() {
		ev, err := decodeCallback(cb)
		if err != nil {
			// The executive speaks another protocol: nothing it sends
			// can be trusted any more.
			c.mu.Lock()
			c.err = fmt.Errorf("evs: %w: %w", ErrDisconnected, err)
			c.mu.Unlock()
			c.ipc.Close()
			continue // drain until the ipc client closes the channel
		}
		select {
		case c.events <- ev:
		case <-c.stop:
			return
		}
	}
}

func decodeCallback(cb ipc.Callback) (Event, error) {
	switch cb.Fn {
	case CallbackDeliver:
		return DecodeDeliver(cb.Body)
	case CallbackConfChg:
		return DecodeConfChg(cb.Body)
	}
	return nil, fmt.Errorf("%w: unknown callback fn %d", ErrMalformed, cb.Fn)
}

// Close disconnects (evs_finalize): the groups are left, Events closes,
// later calls return ErrClosed. It is idempotent and returns nil.
func (c *Client) Close() error {
	c.once.Do(func() {
		close(c.stop)
		c.ipc.Close()
		<-c.pumped
	})
	return nil
}

// Err is nil while the client runs; then ErrClosed after Close, or an
// error wrapping ErrDisconnected.
func (c *Client) Err() error {
	c.mu.Lock()
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return c.ipc.Err()
}

// call sends one request and waits for its response.
func (c *Client) call(ctx context.Context, op string, fn uint16, body []byte) ([]byte, error) {
	out, err := c.ipc.Call(ctx, fn, body)
	if err == nil {
		return out, nil
	}
	if e := c.Err(); e != nil && errors.Is(err, ipc.ErrClosed) {
		err = e // the pump closed the connection: say why
	}
	if errors.Is(err, ErrTooManyGroups) {
		return nil, fmt.Errorf("evs: %s: EVS_ERR_TOO_MANY_GROUPS: %w", op, err)
	}
	return nil, fmt.Errorf("evs: %s: %w", op, err)
}

// Join adds groups to the connection's groups (evs_join); joining a group
// again is no error. More than MaxGroupsPerCall groups, or more than
// MaxGroups joined in all, fail with ErrTooManyGroups and join none.
func (c *Client) Join(ctx context.Context, groups ...Group) error {
	_, err := c.call(ctx, "join", FnJoin, AppendGroups(nil, groups))
	return err
}

// Leave removes groups (evs_leave). If one of them is not joined it fails
// with ErrNotExist and leaves none.
func (c *Client) Leave(ctx context.Context, groups ...Group) error {
	_, err := c.call(ctx, "leave", FnLeave, AppendGroups(nil, groups))
	return err
}

// McastJoined multicasts msg to every group the connection joined
// (evs_mcast_joined). It returns once the message is queued for the ring;
// it is delivered, to this connection too, in agreed order. ErrNotExist: no
// group joined; ErrTryAgain: retry later.
func (c *Client) McastJoined(ctx context.Context, g Guarantee, msg []byte) error {
	_, err := c.call(ctx, "mcast_joined", FnMcastJoined, AppendMcastJoined(nil, g, msg))
	return err
}

// McastGroups multicasts msg to the given groups, which the connection
// need not have joined (evs_mcast_groups).
func (c *Client) McastGroups(ctx context.Context, g Guarantee, groups []Group, msg []byte) error {
	_, err := c.call(ctx, "mcast_groups", FnMcastGroups, AppendMcastGroups(nil, g, groups, msg))
	return err
}

// MembershipGet returns this node's id and the members of the latest
// configuration (evs_membership_get).
func (c *Client) MembershipGet(ctx context.Context) (local NodeID, members []NodeID, err error) {
	out, err := c.call(ctx, "membership_get", FnMembershipGet, nil)
	if err != nil {
		return 0, nil, err
	}
	local, members, err = DecodeMembership(out)
	if err != nil {
		return 0, nil, fmt.Errorf("evs: membership_get: %w", err)
	}
	return local, members, nil
}
