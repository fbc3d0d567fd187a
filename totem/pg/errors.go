package pg

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors this package creates wrap one of them, so test
// with errors.Is; Mcast and Flush also pass on the Sink's own errors.
var (
	// ErrTooLarge: an application message (group header included) is
	// longer than MaxMessageSize. From Packer.Mcast nothing was sent; from
	// Assembler.Deliver a reassembly was abandoned and its bytes dropped.
	ErrTooLarge = errors.New("totem/pg: message too large")

	// ErrTryAgain: the Sink has no room for all the packets a message
	// needs right now. Nothing was sent and the Packer is unchanged; retry
	// after the next token has drained the sink (corosync's CS_ERR_TRY_AGAIN).
	ErrTryAgain = errors.New("totem/pg: sink full, try again")

	// ErrBadGroups: a group list cannot be encoded (more than 65535 names,
	// or a name longer than 65535 bytes).
	ErrBadGroups = errors.New("totem/pg: invalid group list")

	// ErrMalformed: a packet or group header does not parse. The concrete
	// error is a *PacketError naming the field and offset.
	ErrMalformed = errors.New("totem/pg: malformed")

	// ErrDiscontinuity: a sender's fragment chain broke (a continuation
	// that matches nothing, or a pending fragment that was never
	// continued). The dangling parts were dropped; the complete messages of
	// the packet were still delivered.
	ErrDiscontinuity = errors.New("totem/pg: fragment discontinuity")
)

// PacketError describes a malformed totempg packet or group header. It
// matches ErrMalformed under errors.Is.
type PacketError struct {
	// Part is "packet" for the totempg packet or "group header" for the
	// header at the start of an application message.
	Part string
	// Field names the offending field as the reference spells it, for
	// example "msg_count", "msg_len[3]" or "group_len[0]".
	Field string
	// Offset is the byte offset of Field within the packet or message.
	Offset int
	// Detail says what is wrong with it.
	Detail string
}

func (e *PacketError) Error() string {
	return fmt.Sprintf("totem/pg: malformed %s: %s at offset %d: %s", e.Part, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *PacketError) Unwrap() error { return ErrMalformed }

func packetErr(field string, off int, format string, args ...any) error {
	return &PacketError{Part: "packet", Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}

func groupErr(field string, off int, format string, args ...any) error {
	return &PacketError{Part: "group header", Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}
