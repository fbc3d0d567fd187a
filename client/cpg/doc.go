// Package cpg is the Go client library of the closed process group
// service: libcpg's calls for Go programs talking to the local executive.
//
// A [Client] is one cpg handle (cpg_initialize). It joins one group at a
// time ([Client.Join]), multicasts to it in agreed order
// ([Client.Mcast], cpg_mcast_joined) and receives, in one ordered stream,
// the messages of every member (the sender's own included) and the
// group's configuration changes, each member tagged (nodeid, pid) with the
// reason it joined or left (JOIN, LEAVE, NODEDOWN, NODEUP, PROCDOWN).
//
// # Callbacks
//
// Deliveries and configuration changes can be consumed three ways; use
// one per client: [Client.Next] returns the next one on the caller's
// goroutine; [Client.Dispatch] runs [Callbacks] for one, all pending, or
// every event until the context ends (CPG_DISPATCH_ONE, _ALL, _BLOCKING);
// [Client.Events] hands them over a channel fed by a goroutine of the
// client's. Read them promptly: the client holds up to ipc.CallbackBytes
// (16 MiB) of events not taken yet without delaying the answers to its
// calls; past that it stops reading from the executive, its answers wait
// too, and a client far behind is disconnected by the executive.
//
// # Flow control
//
// Mcast does not wait for the executive's answer: up to a window of
// messages (Options.Window, default 64, and about 1 MiB) are in flight.
// Past the window, and when the executive cannot take more, Mcast returns
// an error matching [ErrTryAgain] at once, as cpg_mcast_joined returns
// CS_ERR_TRY_AGAIN: the caller retries later (after reading its
// deliveries). [Client.FlowControlState] tells a sender to pause before
// that happens. Messages of one client go out in the order of its Mcast
// calls. A message the executive refused after Mcast returned (the
// client broke its own window, or left the group meanwhile) is reported by
// the next Mcast or [Client.Flush].
//
// # Errors
//
// Errors match the SA Forum / corosync codes with errors.Is: [ErrTryAgain],
// [ErrNotExist] (not joined), [ErrExist] (already joined), [ErrBusy] (a
// join or leave still in progress), [ErrTooBig], [ErrNameTooLong],
// [ErrInvalidParam]. Once the connection to the executive is lost every
// call returns an error matching [ErrDisconnected], [Client.Done] closes,
// and Next, Dispatch and Events report it; nothing hangs.
package cpg
