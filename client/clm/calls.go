package clm

import (
	"context"
	"errors"
	"time"
)

// TimeEnd is SA_TIME_END for ClusterNodeGet: no timeout.
const TimeEnd time.Duration = 1<<63 - 1

// errNodeGetTimeout is the cause of ClusterNodeGet's own deadline, which
// tells it apart from one of the caller's context.
var errNodeGetTimeout = errors.New("clm: node get timeout")

// ClusterTrack is saClmClusterTrack.
//
// With TrackCurrent and a non-nil buffer the current membership is written
// to *buffer before ClusterTrack returns, every member flagged NoChange.
// With TrackCurrent and a nil buffer it comes later through the
// ClusterTrack callback instead. TrackChanges or TrackChangesOnly start
// tracking (or change its mode): after each membership change the
// callback gets the whole membership or only the changes. The flags must
// pass TrackFlags.Check (else ErrBadFlags); a call that needs the
// ClusterTrack callback fails with ErrInit when Initialize was not given
// one. Before the executive formed its first view, TrackCurrent gets
// ErrTryAgain.
func (h *Handle) ClusterTrack(ctx context.Context, flags TrackFlags, buffer *ClusterNotificationBuffer) error {
	const op = "cluster track"
	c, err := h.client(op)
	if err != nil {
		return err
	}
	if err := flags.Check(); err != nil {
		return err
	}
	wantBuffer := flags&TrackCurrent != 0 && buffer != nil
	if h.cbs.ClusterTrack == nil && (flags.Tracking() || (flags&TrackCurrent != 0 && buffer == nil)) {
		return &opError{op: op, code: ErrInit, msg: "no ClusterTrack callback"}
	}
	resp, err := c.Call(ctx, FnTrack, AppendTrackRequest(nil, flags, wantBuffer))
	if err != nil {
		return callError(op, err)
	}
	if !wantBuffer {
		return nil
	}
	buf, err := DecodeBuffer(resp)
	if err != nil {
		return &opError{op: op, code: ErrLibrary, err: err}
	}
	*buffer = buf
	return nil
}

// ClusterTrackStop is saClmClusterTrackStop: no more track callbacks
// after membership changes. ErrNotExist if the handle was not tracking.
// Callbacks already queued are still dispatched.
func (h *Handle) ClusterTrackStop(ctx context.Context) error {
	const op = "cluster track stop"
	c, err := h.client(op)
	if err != nil {
		return err
	}
	_, err = c.Call(ctx, FnTrackStop, nil)
	return callError(op, err)
}

// ClusterNodeGet is saClmClusterNodeGet: the record of a member of the
// current view; LocalNodeID names this node. A node that is not a member
// gives ErrNotExist. timeout bounds the call like SA's timeout: zero (or
// less) fails at once with ErrTimeout, TimeEnd waits as long as ctx lets
// it.
func (h *Handle) ClusterNodeGet(ctx context.Context, nodeID NodeID, timeout time.Duration) (ClusterNode, error) {
	const op = "cluster node get"
	c, err := h.client(op)
	if err != nil {
		return ClusterNode{}, err
	}
	if timeout <= 0 {
		return ClusterNode{}, &opError{op: op, code: ErrTimeout, msg: "timeout is zero"}
	}
	if timeout != TimeEnd {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, timeout, errNodeGetTimeout)
		defer cancel()
	}
	resp, err := c.Call(ctx, FnNodeGet, AppendNodeGetRequest(nil, nodeID))
	if err != nil {
		if errors.Is(context.Cause(ctx), errNodeGetTimeout) && errors.Is(err, context.DeadlineExceeded) {
			return ClusterNode{}, &opError{op: op, code: ErrTimeout, msg: "no answer within " + timeout.String()}
		}
		return ClusterNode{}, callError(op, err)
	}
	n, err := DecodeNode(resp)
	if err != nil {
		return ClusterNode{}, &opError{op: op, code: ErrLibrary, err: err}
	}
	return n, nil
}

// ClusterNodeGetAsync is saClmClusterNodeGetAsync: the record of nodeID
// comes later through the ClusterNodeGet callback, tagged with inv; a node
// that is not a member gives the callback an error wrapping
// ErrInvalidParam. ErrInit without that callback.
func (h *Handle) ClusterNodeGetAsync(ctx context.Context, inv Invocation, nodeID NodeID) error {
	const op = "cluster node get async"
	c, err := h.client(op)
	if err != nil {
		return err
	}
	if h.cbs.ClusterNodeGet == nil {
		return &opError{op: op, code: ErrInit, msg: "no ClusterNodeGet callback"}
	}
	_, err = c.Call(ctx, FnNodeGetAsync, AppendNodeGetAsyncRequest(nil, inv, nodeID))
	return callError(op, err)
}
