package wire

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by a decoder is a [*DecodeError]
// that unwraps to exactly one of these, so callers can use [errors.Is].
var (
	// ErrShort: the datagram ends before a field (or a list) it must hold.
	ErrShort = errors.New("totem/wire: message too short")
	// ErrBadMagic: the first two bytes are not 0xC070 in either byte order.
	ErrBadMagic = errors.New("totem/wire: bad magic number")
	// ErrBadVersion: the header version is not [Version].
	ErrBadVersion = errors.New("totem/wire: unsupported version")
	// ErrBadType: the header type is above [TypeTokenHoldCancel].
	ErrBadType = errors.New("totem/wire: unknown message type")
	// ErrTooMany: a list count is above its protocol bound
	// ([RetransmitEntriesMax] or [ProcessorsMax]).
	ErrTooMany = errors.New("totem/wire: too many list entries")
	// ErrWrongType: a valid message of another type was passed to a typed
	// decoder (for example a MEMB_JOIN to [DecodeToken]).
	ErrWrongType = errors.New("totem/wire: wrong message type")
)

// TypeUnknown is never a valid type on the wire (types are 0..5). It is the
// [DecodeError.Type] of errors found by [PeekHeader] or [Decode] before the
// message type was known.
const TypeUnknown MessageType = 0xFF

// DecodeError describes why a datagram was rejected. The meaning of Need and
// Have depends on Err:
//
//	ErrShort      Need = bytes the field needs at Offset, Have = bytes left at Offset
//	ErrTooMany    Need = the bound, Have = the count received
//	ErrBadMagic   Need = Magic, Have = the first two bytes read little-endian
//	ErrBadVersion Need = Version, Have = the version byte
//	ErrBadType    Need = 5 (the highest type), Have = the type byte
//	ErrWrongType  Need = the type the decoder wanted, Have = the type byte
type DecodeError struct {
	Type   MessageType // message being decoded; TypeUnknown if not known yet
	Field  string      // wire field name as in the reference, e.g. "proc_list"
	Offset int         // byte offset of Field in the datagram
	Need   int64
	Have   int64 // int64 because a hostile u32 count must not wrap on 32-bit
	Err    error // one of the sentinels above
}

func (e *DecodeError) Error() string {
	msg := "header"
	if e.Type <= TypeTokenHoldCancel {
		msg = e.Type.String()
	}
	var detail string
	switch e.Err {
	case ErrShort:
		detail = fmt.Sprintf("need %d bytes, have %d", e.Need, e.Have)
	case ErrTooMany:
		detail = fmt.Sprintf("%d entries, max %d", e.Have, e.Need)
	case ErrBadMagic:
		detail = fmt.Sprintf("bad magic %02x %02x, want 70 c0 (little-endian) or c0 70 (big-endian)",
			byte(e.Have), byte(e.Have>>8))
	case ErrBadVersion:
		detail = fmt.Sprintf("unsupported version %d, want %d", e.Have, e.Need)
	case ErrBadType:
		detail = fmt.Sprintf("unknown type %d, max %d", e.Have, e.Need)
	case ErrWrongType:
		detail = fmt.Sprintf("got %s (%d), want %s (%d)",
			MessageType(e.Have), e.Have, MessageType(e.Need), e.Need)
	default:
		detail = fmt.Sprintf("%v (need %d, have %d)", e.Err, e.Need, e.Have)
	}
	return fmt.Sprintf("totem/wire: %s: %s at offset %d: %s", msg, e.Field, e.Offset, detail)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// field is one fixed-offset field of a layout. The tables exist only to name
// the first truncated field in an ErrShort; codecs use literal offsets.
type field struct {
	name      string
	off, size int
}

// errTruncated reports the first field of layout that does not fit in n
// bytes. The caller has established that some field does not fit.
func errTruncated(typ MessageType, layout []field, n int) error {
	for _, f := range layout {
		if f.off+f.size > n {
			return &DecodeError{Type: typ, Field: f.name, Offset: f.off,
				Need: int64(f.size), Have: int64(max(n-f.off, 0)), Err: ErrShort}
		}
	}
	// Unreachable when the caller is right; still return an error, never panic.
	last := layout[len(layout)-1]
	return &DecodeError{Type: typ, Field: last.name, Offset: last.off,
		Need: int64(last.size), Have: int64(max(n-last.off, 0)), Err: ErrShort}
}

// checkList checks that a list of need bytes fits at off in a datagram of
// n bytes.
func checkList(typ MessageType, name string, off, need, n int) error {
	if have := n - off; have < need {
		return &DecodeError{Type: typ, Field: name, Offset: off,
			Need: int64(need), Have: int64(max(have, 0)), Err: ErrShort}
	}
	return nil
}

// checkCount checks a list count against its bound. It runs before any
// length arithmetic or allocation, so a hostile count costs nothing.
func checkCount(typ MessageType, name string, off int, count uint32, limit int) error {
	if int64(count) > int64(limit) {
		return &DecodeError{Type: typ, Field: name, Offset: off,
			Need: int64(limit), Have: int64(count), Err: ErrTooMany}
	}
	return nil
}
