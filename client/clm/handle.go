package clm

import (
	"context"
	"errors"
	"sync"

	"goais/ipc"
)

// maxQueued bounds the callbacks a Handle holds for Dispatch. Past it the
// handle stops reading from the executive, which then holds (and, past
// its own limit, drops the connection of) a client that never
// dispatches.
const maxQueued = 4096

// Callbacks are the functions Dispatch calls; either may be nil, and the
// calls that need one then fail with ErrInit.
type Callbacks struct {
	// ClusterNodeGet is saClmClusterNodeGetCallback: the result of
	// ClusterNodeGetAsync with the caller's invocation. err is nil, or
	// wraps ErrInvalidParam for a node that is not a member.
	ClusterNodeGet func(inv Invocation, node ClusterNode, err error)
	// ClusterTrack is saClmClusterTrackCallback: the membership after a
	// change (TrackChanges: every member plus the nodes that left;
	// TrackChangesOnly: the changed entries), or the current membership
	// asked for by TrackCurrent without a buffer. numberOfMembers is the
	// size of the view.
	ClusterTrack func(n ClusterNotificationBuffer, numberOfMembers uint32, err error)
}

// Handle is SaClmHandleT: one connection to the executive's CLM service.
// Its methods are safe for concurrent use; callbacks run on the goroutine
// that calls Dispatch.
type Handle struct {
	c   *ipc.Client
	cbs Callbacks

	pumped chan struct{} // closed when the pump goroutine returns

	mu   sync.Mutex
	cond sync.Cond // the pump waits here while the queue is full
	// ready is the selection object: it holds a value while callbacks may
	// be pending, and is closed once the handle is finalized or the
	// connection is lost, so that a waiting loop always wakes.
	ready     chan struct{}
	queue     []ipc.Callback
	finalized bool
	lost      error // why the connection ended, once the pump saw it end
}

// Initialize is saClmInitialize: it connects to the executive whose run
// directory is runDir ("" means ipc.DefaultRunDir()) and registers the
// callbacks. The library implements SupportedVersion (B.01.01). ctx bounds
// the connection only.
func Initialize(ctx context.Context, runDir string, callbacks Callbacks) (*Handle, error) {
	if runDir == "" {
		runDir = ipc.DefaultRunDir()
	}
	c, err := ipc.Dial(ctx, ipc.SocketPath(runDir), Service)
	if err != nil {
		if se, ok := errors.AsType[*ipc.StatusError](err); ok {
			if se.Status == ipc.StatusNotExist {
				// The executive runs but has no CLM service.
				return nil, &opError{op: "initialize", code: ErrNotSupported, err: err}
			}
			return nil, &opError{op: "initialize", code: se, err: err}
		}
		return nil, callError("initialize", err)
	}
	h := &Handle{c: c, cbs: callbacks, pumped: make(chan struct{}), ready: make(chan struct{}, 1)}
	h.cond.L = &h.mu
	go h.pump()
	return h, nil
}

// pump moves callbacks from the connection to the dispatch queue, so that
// responses never wait behind callbacks the application has not
// dispatched yet.
func (h *Handle) pump() {
	defer close(h.pumped)
	for cb := range h.c.Callbacks() {
		h.mu.Lock()
		for len(h.queue) >= maxQueued && !h.finalized {
			h.cond.Wait()
		}
		if h.finalized {
			h.mu.Unlock()
			continue // drain until the client closes the channel
		}
		h.queue = append(h.queue, cb)
		h.signal()
		h.mu.Unlock()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.finalized {
		h.lost = h.c.Err()
		if h.lost == nil {
			h.lost = ipc.ErrDisconnected
		}
		close(h.ready)
	}
}

// signal makes the selection object ready; h.mu is held.
func (h *Handle) signal() {
	if h.finalized || h.lost != nil {
		return // ready is closed
	}
	select {
	case h.ready <- struct{}{}:
	default:
	}
}

// SelectionObjectGet is saClmSelectionObjectGet. The Go equivalent of the
// pollable descriptor is a channel: a receive succeeds when callbacks may
// be pending (then call Dispatch), and succeeds at once, forever, after
// the connection to the executive is lost or the handle is finalized, as
// a descriptor would poll readable on hang-up. A receive may find nothing
// to dispatch; Dispatch then returns at once.
func (h *Handle) SelectionObjectGet() (<-chan struct{}, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.finalized {
		return nil, &opError{op: "selection object get", code: ErrBadHandle}
	}
	return h.ready, nil
}

// Dispatch is saClmDispatch: it runs pending callbacks on the calling
// goroutine. DispatchOne runs at most one, DispatchAll every one pending,
// DispatchBlocking runs them as they come until Finalize (then it returns
// nil) or ctx ends (ctx.Err()). Once the connection is lost, Dispatch runs
// what was received before and then returns an error wrapping ErrLibrary
// and ipc.ErrDisconnected. After Finalize it returns ErrBadHandle.
func (h *Handle) Dispatch(ctx context.Context, flags DispatchFlags) error {
	switch flags {
	case DispatchOne, DispatchAll, DispatchBlocking:
	default:
		return &opError{op: "dispatch", code: ErrInvalidParam, msg: "unknown dispatch flags"}
	}
	h.mu.Lock()
	fin := h.finalized
	h.mu.Unlock()
	if fin {
		return &opError{op: "dispatch", code: ErrBadHandle}
	}
	for {
		cb, ok, fin, lost := h.take()
		if ok {
			h.run(cb)
			if flags == DispatchOne {
				return nil
			}
			continue
		}
		switch {
		case fin:
			return nil // finalized while dispatching, perhaps by a callback
		case lost != nil:
			return &opError{op: "dispatch", code: ErrLibrary, err: lost}
		case flags != DispatchBlocking:
			return nil
		}
		select {
		case <-h.ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// take removes the oldest pending callback.
func (h *Handle) take() (cb ipc.Callback, ok, finalized bool, lost error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.finalized {
		return cb, false, true, nil
	}
	if len(h.queue) == 0 {
		return cb, false, false, h.lost
	}
	cb = h.queue[0]
	h.queue[0] = ipc.Callback{}
	h.queue = h.queue[1:]
	if len(h.queue) == 0 {
		h.queue = nil
	} else {
		h.signal() // more to do: stay ready
	}
	h.cond.Signal()
	return cb, true, false, nil
}

// run decodes one callback and calls the application's function.
func (h *Handle) run(cb ipc.Callback) {
	switch cb.Fn {
	case CbTrack:
		if h.cbs.ClusterTrack == nil {
			return
		}
		tc, err := DecodeTrackCallback(cb.Body)
		switch {
		case err != nil:
			h.cbs.ClusterTrack(ClusterNotificationBuffer{}, 0, &opError{op: "track callback", code: ErrLibrary, err: err})
		case tc.Status != ipc.StatusOK:
			h.cbs.ClusterTrack(ClusterNotificationBuffer{}, tc.NumberOfMembers, &opError{op: "track callback", code: tc.Status.Err()})
		default:
			h.cbs.ClusterTrack(tc.Buffer, tc.NumberOfMembers, nil)
		}
	case CbNodeGet:
		if h.cbs.ClusterNodeGet == nil {
			return
		}
		nc, err := DecodeNodeGetCallback(cb.Body)
		switch {
		case err != nil:
			h.cbs.ClusterNodeGet(nc.Invocation, ClusterNode{}, &opError{op: "node get callback", code: ErrLibrary, err: err})
		case nc.Status != ipc.StatusOK:
			h.cbs.ClusterNodeGet(nc.Invocation, ClusterNode{}, &opError{op: "node get callback", code: nc.Status.Err()})
		default:
			h.cbs.ClusterNodeGet(nc.Invocation, nc.Node, nil)
		}
	}
	// Other callback ids come from a newer executive; nothing to run.
}

// Finalize is saClmFinalize: it closes the connection, which stops
// tracking, drops callbacks not yet dispatched and makes a blocking
// Dispatch return. Later calls on the handle return ErrBadHandle.
func (h *Handle) Finalize() error {
	h.mu.Lock()
	if h.finalized {
		h.mu.Unlock()
		return &opError{op: "finalize", code: ErrBadHandle}
	}
	h.finalized = true
	h.queue = nil
	if h.lost == nil {
		close(h.ready)
	}
	h.cond.Broadcast()
	h.mu.Unlock()
	h.c.Close()
	<-h.pumped
	return nil
}

// client returns the connection, or ErrBadHandle after Finalize.
func (h *Handle) client(op string) (*ipc.Client, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.finalized {
		return nil, &opError{op: op, code: ErrBadHandle}
	}
	return h.c, nil
}
