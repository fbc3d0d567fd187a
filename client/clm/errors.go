package clm

import (
	"context"
	"errors"

	"goais/ipc"
)

// Errors, one per SA Forum code the CLM calls return. They are the ipc
// package's status sentinels, so errors.Is(err, clm.ErrTryAgain) and
// errors.Is(err, ipc.ErrTryAgain) agree, and every error a call returns
// wraps exactly one of them (or a context error).
var (
	// ErrLibrary: the executive is not running, the connection to it was
	// lost (the error also wraps ipc.ErrDisconnected) or it sent something
	// the library cannot decode (the error also wraps ErrMalformed).
	ErrLibrary = ipc.ErrLibrary
	// ErrInit: the call needs a callback that Initialize was not given.
	ErrInit = ipc.ErrInit
	// ErrTimeout: ClusterNodeGet's timeout expired, or was zero.
	ErrTimeout = ipc.ErrTimeout
	// ErrTryAgain: the executive has not formed its first view yet.
	ErrTryAgain = ipc.ErrTryAgain
	// ErrInvalidParam: a bad argument (DispatchFlags); for
	// ClusterNodeGetAsync the callback's error when the node is not a
	// member.
	ErrInvalidParam = ipc.ErrInvalidParam
	// ErrBadHandle: the handle was finalized.
	ErrBadHandle = ipc.ErrBadHandle
	// ErrAccess: the executive refused this process's credentials.
	ErrAccess = ipc.ErrAccess
	// ErrNotExist: ClusterNodeGet of a node that is not a member;
	// ClusterTrackStop without tracking.
	ErrNotExist = ipc.ErrNotExist
	// ErrBadFlags: track flags that break the rules (see TrackFlags.Check).
	ErrBadFlags = ipc.ErrBadFlags
	// ErrNotSupported: the executive does not run the CLM service.
	ErrNotSupported = ipc.ErrNotSupported
)

// ErrMalformed is wrapped by every decoding error of this package's
// protocol (a *DecodeError).
var ErrMalformed = errors.New("clm: malformed message")

// StatusOf returns the SA Forum code of an error a call of this package
// returned: StatusOK for nil, the status an error wraps, StatusTimeout for
// an expired context and StatusLibrary for anything else.
func StatusOf(err error) ipc.Status {
	if err == nil {
		return ipc.StatusOK
	}
	if se, ok := errors.AsType[*ipc.StatusError](err); ok {
		return se.Status
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ipc.StatusTimeout
	}
	return ipc.StatusLibrary
}

// opError is a failed call: the SA code it maps to and, if there is one,
// the cause.
type opError struct {
	op   string
	code error // one of the sentinels above
	msg  string
	err  error // the cause; may be nil
}

func (e *opError) Error() string {
	s := "clm: " + e.op
	if e.msg != "" {
		s += ": " + e.msg
	}
	if e.err != nil {
		s += ": " + e.err.Error()
	} else {
		s += ": " + e.code.Error()
	}
	return s
}

func (e *opError) Unwrap() []error {
	if e.err == nil {
		return []error{e.code}
	}
	return []error{e.code, e.err}
}

// callError maps what an ipc.Client call returned onto the SA codes: a
// status from the executive stays as it is, a closed client (Finalize
// raced the call) is BAD_HANDLE, a lost or missing executive is LIBRARY,
// and context errors are kept.
func callError(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &opError{op: op, code: err}
	}
	if _, ok := errors.AsType[*ipc.StatusError](err); ok {
		return &opError{op: op, code: err}
	}
	if errors.Is(err, ipc.ErrClosed) {
		return &opError{op: op, code: ErrBadHandle, err: err}
	}
	return &opError{op: op, code: ErrLibrary, err: err}
}
