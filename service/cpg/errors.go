package cpg

import (
	"errors"
	"fmt"

	"goais/service"
)

// Errors of the local client side, named after the corosync error codes the
// IPC glue maps them to.
var (
	// ErrNameTooLong: a group name is longer than NameMax bytes
	// (CS_ERR_NAME_TOO_LONG).
	ErrNameTooLong = errors.New("cpg: group name longer than 128 bytes")
	// ErrExist: the client is already joined (or joining), its leave is
	// already on the way, or another local client joined the same group
	// with the same pid (CS_ERR_EXIST).
	ErrExist = errors.New("cpg: already exists")
	// ErrNotExist: the client is not joined to that group (CS_ERR_NOT_EXIST).
	ErrNotExist = errors.New("cpg: not joined to the group")
	// ErrBusy: a join or leave of this client is still on its way through
	// the ring (CS_ERR_BUSY).
	ErrBusy = errors.New("cpg: a join or leave is still in progress")
	// ErrTooBig: a message is longer than MaxMessageSize (CS_ERR_TOO_BIG).
	ErrTooBig = errors.New("cpg: message too large")
)

// DecodeError says why an exec message was rejected. It unwraps to
// service.ErrMalformed, so errors.Is(err, service.ErrMalformed) holds for
// every decoding error.
type DecodeError struct {
	Msg    string // message name as in the reference: "PROCJOIN", "MCAST", …
	Field  string // field name, e.g. "group_name.length" or "entries[3].pid"
	Offset int    // byte offset of Field from the start of the message
	Detail string // what is wrong with it
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("cpg: %s: %s at offset %d: %s", e.Msg, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, service.ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return service.ErrMalformed }

func decodeErr(msg, field string, off int, format string, args ...any) error {
	return &DecodeError{Msg: msg, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}
