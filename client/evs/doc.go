// Package evs is the Go client of the executive's extended virtual
// synchrony service (service id 16), openais's libevs: a connection joins
// any number of 32-byte groups and multicasts messages to the groups it
// joined ([Client.McastJoined]) or to any groups ([Client.McastGroups]).
// Every connection on any node that joined at least one of a message's
// groups receives it, the sender included, and every such connection
// receives the messages and the node-level configuration changes in the
// same agreed order (extended virtual synchrony).
//
// # Usage
//
//	c, err := evs.Dial(ctx, "") // the default run directory
//	defer c.Close()
//	err = c.Join(ctx, evs.MustGroup("key1"), evs.MustGroup("key2"))
//	err = c.McastJoined(ctx, evs.Agreed, []byte("hello"))
//	for ev := range c.Events() {
//		switch ev := ev.(type) {
//		case evs.Delivery: // ev.Sender, ev.Msg
//		case evs.ConfChg:  // ev.Type, ev.Members, ev.Left, ev.Joined
//		}
//	}
//
// # Callbacks
//
// openais's evs_dispatch ran callbacks in the caller's thread. Here the
// deliveries and configuration changes are [Event]s on one channel,
// [Client.Events]; [Client.Dispatch] takes events from that same channel
// and runs the [Callbacks] it is given, with evs_dispatch's ONE, ALL and
// BLOCKING semantics. Use one or the other: each event goes to whoever
// receives it first. The channel closes when the client stops (Close, or
// the executive went away); then [Client.Err] says why.
//
// Events wait in a buffer of [EventQueue] entries, then in the socket and
// in the executive, whose IPC server disconnects a client that lets
// 64 MiB pile up. Because requests' responses share the socket with the
// events, a call made while that many events are not taken waits behind
// them: drain Events on a goroutine of its own, or Dispatch between calls
// as testevs does.
//
// # Errors
//
// A call that the executive refuses returns an error wrapping an ipc
// status sentinel: test with errors.Is(err, [ErrTryAgain]) (the send
// queue is full or a membership change is being synchronised: retry),
// [ErrNotExist], [ErrTooManyGroups], [ErrTooBig], [ErrInvalidParam]. A
// lost connection returns an error wrapping [ErrDisconnected]; nothing
// hangs on a dead executive.
//
// # Protocol
//
// proto.go defines the bodies of the requests, responses and callbacks
// (binary, little-endian, explicit lengths). Their encoders and decoders
// are exported because the service (goais/service/evs) uses the same
// ones; decoders never panic and return a [*DecodeError] naming the body,
// the field and its offset.
//
// # Concurrency
//
// A Client is safe for concurrent use.
package evs
