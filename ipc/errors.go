package ipc

import "errors"

// Sentinel errors for conditions that are not SA Forum statuses. Errors
// this package creates wrap one of them (or a *StatusError); test with
// errors.Is.
var (
	// ErrMalformed: bytes that are not a valid frame or hello body. The
	// wrapping error names the field and its offset.
	ErrMalformed = errors.New("ipc: malformed frame")

	// ErrDisconnected: a Client lost its connection to the executive. The
	// wrapping error also wraps the cause (EOF, a reset, a protocol error).
	ErrDisconnected = errors.New("ipc: disconnected from the executive")

	// ErrClosed: the Client was closed by its owner.
	ErrClosed = errors.New("ipc: client closed")

	// ErrNoExecutive: Dial found no executive listening on the socket path.
	ErrNoExecutive = errors.New("ipc: no executive")

	// ErrExecutiveRunning: Listen found another executive serving the path.
	ErrExecutiveRunning = errors.New("ipc: another executive is running")
)
