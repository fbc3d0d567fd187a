package evs

import (
	"context"
	"fmt"
)

// EventQueue is the capacity of the Events channel.
const EventQueue = 1024

// Event is a Delivery or a ConfChg.
type Event interface{ event() }

// Delivery is one message for a group this connection joined
// (evs_deliver_fn).
type Delivery struct {
	Sender NodeID // the node that sent it
	Msg    []byte // the receiver's
}

// ConfChg is a change of the processor membership (evs_confchg_fn): every
// connection gets one for each transitional and each regular
// configuration, in order with the deliveries. Left is set on transitional
// changes (members of the old ring not carried over), Joined on regular
// ones (members not in the transitional set).
type ConfChg struct {
	Type    ConfigType
	Members []NodeID
	Left    []NodeID
	Joined  []NodeID
}

func (Delivery) event() {}
func (ConfChg) event()  {}

// DispatchFlags selects how much Dispatch runs (evs_dispatch_t).
type DispatchFlags int

// Dispatch flags, with SA Forum's values.
const (
	// DispatchOne waits for one event and runs its callback.
	DispatchOne DispatchFlags = 1
	// DispatchAll runs the callbacks of every event already received and
	// returns without waiting.
	DispatchAll DispatchFlags = 2
	// DispatchBlocking runs callbacks until the client stops or ctx ends.
	DispatchBlocking DispatchFlags = 3
)

// Callbacks are what Dispatch calls; a nil function skips its events.
type Callbacks struct {
	Deliver func(Delivery)
	ConfChg func(ConfChg)
}

func (cb Callbacks) run(ev Event) {
	switch ev := ev.(type) {
	case Delivery:
		if cb.Deliver != nil {
			cb.Deliver(ev)
		}
	case ConfChg:
		if cb.ConfChg != nil {
			cb.ConfChg(ev)
		}
	}
}

// Events delivers deliveries and configuration changes in the order the
// executive sent them. It is closed when the client stops, after the
// events received before are taken; Err then says why.
func (c *Client) Events() <-chan Event { return c.events }

// Dispatch takes events from the Events channel and runs cb in the
// caller's goroutine, as evs_dispatch does: DispatchOne waits for one
// event (or ctx), DispatchAll runs what has arrived and returns,
// DispatchBlocking runs until ctx ends or the client stops. When the client
// has stopped and every event is taken it returns Err(): ErrClosed after
// Close, an error wrapping ErrDisconnected after a lost connection.
func (c *Client) Dispatch(ctx context.Context, flags DispatchFlags, cb Callbacks) error {
	switch flags {
	case DispatchOne, DispatchBlocking:
		for {
			select {
			case ev, ok := <-c.events:
				if !ok {
					return c.Err()
				}
				cb.run(ev)
				if flags == DispatchOne {
					return nil
				}
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	case DispatchAll:
		for {
			select {
			case ev, ok := <-c.events:
				if !ok {
					return c.Err()
				}
				cb.run(ev)
			default:
				return nil
			}
		}
	}
	return fmt.Errorf("evs: dispatch flags %d: %w", flags, ErrInvalidParam)
}
