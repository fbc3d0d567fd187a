package evs

import "goais/ipc"

// StatusTooManyGroups is EVS_ERR_TOO_MANY_GROUPS, corosync's
// CS_ERR_TOO_MANY_GROUPS: 30, beyond the SA Forum codes that package ipc
// names.
const StatusTooManyGroups ipc.Status = 30

// Errors the calls return, wrapped; test with errors.Is. They are the ipc
// status sentinels (errors.Is(err, ipc.ErrTryAgain) holds as well), plus
// ErrTooManyGroups.
var (
	// ErrTryAgain: the send queue is full or a membership change is being
	// synchronised; retry.
	ErrTryAgain = ipc.ErrTryAgain
	// ErrNotExist: Leave of a group not joined, or McastJoined on a
	// connection that joined no group.
	ErrNotExist = ipc.ErrNotExist
	// ErrTooManyGroups: more than MaxGroupsPerCall groups in one Join, or
	// more than MaxGroups joined or named in one McastGroups.
	ErrTooManyGroups error = &ipc.StatusError{Status: StatusTooManyGroups}
	// ErrTooBig: the message is longer than MaxMessage allows.
	ErrTooBig = ipc.ErrTooBig
	// ErrInvalidParam: a bad guarantee, an McastGroups without groups, a
	// group name longer than 32 bytes, a malformed request.
	ErrInvalidParam = ipc.ErrInvalidParam
	// ErrDisconnected: the connection to the executive was lost.
	ErrDisconnected = ipc.ErrDisconnected
	// ErrClosed: the client was closed.
	ErrClosed = ipc.ErrClosed
)

// StatusName is the name of an EVS status: the SA Forum name, or
// "EVS_ERR_TOO_MANY_GROUPS".
func StatusName(s ipc.Status) string {
	if s == StatusTooManyGroups {
		return "EVS_ERR_TOO_MANY_GROUPS"
	}
	return s.String()
}
