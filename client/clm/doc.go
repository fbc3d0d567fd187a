// Package clm is the Go library of the SA Forum Cluster Membership
// service (CLM B.01.01) that the executive runs: every call maps one to
// one onto an saClm call.
//
//	saClmInitialize             Initialize
//	saClmSelectionObjectGet     Handle.SelectionObjectGet
//	saClmDispatch               Handle.Dispatch
//	saClmFinalize               Handle.Finalize
//	saClmClusterTrack           Handle.ClusterTrack
//	saClmClusterTrackStop       Handle.ClusterTrackStop
//	saClmClusterNodeGet         Handle.ClusterNodeGet
//	saClmClusterNodeGetAsync    Handle.ClusterNodeGetAsync
//
// # Usage
//
//	h, err := clm.Initialize(ctx, "", clm.Callbacks{ClusterTrack: onTrack})
//	…
//	var buf clm.ClusterNotificationBuffer
//	err = h.ClusterTrack(ctx, clm.TrackCurrent|clm.TrackChanges, &buf)
//	ready, _ := h.SelectionObjectGet()
//	for range ready {
//		if err := h.Dispatch(ctx, clm.DispatchAll); err != nil { … }
//	}
//
// # Callbacks and the selection object
//
// As in SA, callbacks run only inside Dispatch, on the caller's goroutine.
// The selection object is a channel instead of a descriptor: a receive
// succeeds when callbacks may be pending, and succeeds at once for good
// after the connection is lost or the handle finalized, so a select loop
// always wakes. Callbacks are read off the connection as they arrive and
// held (up to 4096) for Dispatch, so calls made meanwhile get their
// answers without waiting for the application to dispatch.
//
// # Errors
//
// Every error wraps one of the SA codes, which are the ipc package's
// status sentinels (ErrBadFlags is ipc.ErrBadFlags): test with errors.Is;
// StatusOf gives the numeric SaAisErrorT. A lost executive makes calls
// fail with ErrLibrary (and ipc.ErrDisconnected) at once, never hang.
// Calls after Finalize fail with ErrBadHandle.
//
// # Departures from the C API
//
// Buffers are slices: ClusterTrack returns every entry and never
// truncates nor reports NO_SPACE, so the C API's INVALID_PARAM for an
// empty caller array has no counterpart. Timeouts are time.Duration, with
// TimeEnd for SA_TIME_END; contexts cancel any call.
//
// # Protocol
//
// proto.go holds the request, response and callback bodies carried in
// ipc frames, with encoders and decoders that the executive's service
// (goais/service/clm) uses too.
package clm
