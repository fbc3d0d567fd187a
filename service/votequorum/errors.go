package votequorum

import (
	"fmt"

	"goais/service"
)

// DecodeError says why an exec message was rejected. It unwraps to
// service.ErrMalformed, so errors.Is(err, service.ErrMalformed) holds for
// every decoding error.
type DecodeError struct {
	Msg    string // message name: "NODEINFO", "RECONFIGURE", …
	Field  string // field name, e.g. "votes"
	Offset int    // byte offset of Field from the start of the message
	Detail string // what is wrong with it
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("votequorum: %s: %s at offset %d: %s", e.Msg, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, service.ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return service.ErrMalformed }

func decodeErr(msg, field string, off int, format string, args ...any) error {
	return &DecodeError{Msg: msg, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}
