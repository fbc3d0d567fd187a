package cpg

import (
	"context"
	"fmt"
)

// Event is a *Delivery, a *Confchg or a *TotemConfchg.
type Event interface{ isEvent() }

func (*Delivery) isEvent()     {}
func (*Confchg) isEvent()      {}
func (*TotemConfchg) isEvent() {}

// Next waits for the next delivery or configuration change. It returns an
// error matching ErrDisconnected (or ErrClosed) once the connection is
// gone and every event before that was returned, ctx.Err() if ctx ends,
// and an error matching ErrMalformed for a callback it cannot decode (the
// stream goes on).
func (c *Client) Next(ctx context.Context) (Event, error) {
	select {
	case cb, ok := <-c.ic.Callbacks():
		if !ok {
			return nil, c.ic.Err()
		}
		return decodeEvent(cb.Fn, cb.Body)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// poll returns an event if one is ready, or nil.
func (c *Client) poll() (Event, bool, error) {
	select {
	case cb, ok := <-c.ic.Callbacks():
		if !ok {
			return nil, false, c.ic.Err()
		}
		ev, err := decodeEvent(cb.Fn, cb.Body)
		return ev, true, err
	default:
		return nil, false, nil
	}
}

func decodeEvent(fn uint16, body []byte) (Event, error) {
	switch fn {
	case CbDeliver:
		d, err := DecodeDelivery(body)
		if err != nil {
			return nil, err
		}
		return &d, nil
	case CbConfchg:
		cc, err := DecodeConfchg(body)
		if err != nil {
			return nil, err
		}
		return &cc, nil
	case CbTotemConfchg:
		t, err := DecodeTotemConfchg(body)
		if err != nil {
			return nil, err
		}
		return &t, nil
	}
	return nil, fmt.Errorf("cpg: callback function %d: %w", fn, ErrMalformed)
}

// Callbacks are what Dispatch runs; nil ones are skipped.
type Callbacks struct {
	Deliver      func(d *Delivery)
	Confchg      func(c *Confchg)
	TotemConfchg func(t *TotemConfchg)
}

func (cb Callbacks) run(ev Event) {
	switch e := ev.(type) {
	case *Delivery:
		if cb.Deliver != nil {
			cb.Deliver(e)
		}
	case *Confchg:
		if cb.Confchg != nil {
			cb.Confchg(e)
		}
	case *TotemConfchg:
		if cb.TotemConfchg != nil {
			cb.TotemConfchg(e)
		}
	}
}

// DispatchFlags are libcpg's cs_dispatch_flags_t.
type DispatchFlags int

const (
	// DispatchOne runs the callback of one event, waiting for it.
	DispatchOne DispatchFlags = 1
	// DispatchAll runs the callbacks of every event ready now, waiting for
	// none.
	DispatchAll DispatchFlags = 2
	// DispatchBlocking runs callbacks until ctx ends or the connection is
	// lost.
	DispatchBlocking DispatchFlags = 3
	// DispatchOneNonblocking runs at most one ready callback.
	DispatchOneNonblocking DispatchFlags = 4
)

// Dispatch is cpg_dispatch: it runs cb for events on the caller's
// goroutine as flags say. It returns nil when it ran what flags asked,
// ctx.Err() when ctx ended (the normal end of DispatchBlocking), or the
// connection's error.
func (c *Client) Dispatch(ctx context.Context, flags DispatchFlags, cb Callbacks) error {
	switch flags {
	case DispatchOne:
		ev, err := c.Next(ctx)
		if err != nil {
			return err
		}
		cb.run(ev)
		return nil
	case DispatchAll, DispatchOneNonblocking:
		for {
			ev, ok, err := c.poll()
			if err != nil || !ok {
				return err
			}
			cb.run(ev)
			if flags == DispatchOneNonblocking {
				return nil
			}
		}
	case DispatchBlocking:
		for {
			ev, err := c.Next(ctx)
			if err != nil {
				return err
			}
			cb.run(ev)
		}
	}
	return fmt.Errorf("cpg: dispatch flags %d: %w", flags, ErrInvalidParam)
}

// Events returns a channel carrying every event, fed by a goroutine of the
// client's; it closes when the connection ends (then EventsErr says why).
// Do not mix with Next or Dispatch.
func (c *Client) Events() <-chan Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.eventsOn {
		c.eventsOn = true
		c.events = make(chan Event, 64)
		go c.feed()
	}
	return c.events
}

func (c *Client) feed() {
	defer close(c.events)
	for {
		ev, err := c.Next(context.Background())
		if err != nil {
			if ev == nil && c.ic.Err() != nil {
				c.mu.Lock()
				c.eventsErr = c.ic.Err()
				c.mu.Unlock()
				return
			}
			continue // a malformed callback: skip it
		}
		select {
		case c.events <- ev:
		case <-c.ic.Done():
			c.mu.Lock()
			c.eventsErr = c.ic.Err()
			c.mu.Unlock()
			return
		}
	}
}

// EventsErr is why the Events channel closed.
func (c *Client) EventsErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.eventsErr
}
