package wire

import (
	"math/bits"
	"strconv"
)

// Message is implemented by the six message structs (*Token, *Mcast,
// *MergeDetect, *Join, *CommitToken, *TokenHoldCancel). It is what the
// generic [Decode] returns.
type Message interface {
	MessageType() MessageType
}

// String returns the snake_case name of the message struct ("token",
// "mcast", "merge_detect", "join", "commit_token", "token_hold_cancel"),
// or "type(N)" for a value that is not a Totem SRP type.
func (t MessageType) String() string {
	switch t {
	case TypeORFToken:
		return "token"
	case TypeMcast:
		return "mcast"
	case TypeMergeDetect:
		return "merge_detect"
	case TypeJoin:
		return "join"
	case TypeCommitToken:
		return "commit_token"
	case TypeTokenHoldCancel:
		return "token_hold_cancel"
	}
	return "type(" + strconv.Itoa(int(t)) + ")"
}

// Common header layout, reference §2.1.
var headerFields = []field{
	{"magic", 0, 2},
	{"version", 2, 1},
	{"type", 3, 1},
	{"encapsulated", 4, 1},
	{"nodeid", 5, 4},
	{"target_nodeid", 9, 4},
}

// PeekHeader validates and decodes the 13-byte common header the way
// corosync's check_message_header_validity() does: length >= 13, magic 0xC070
// in either byte order, version 3, type <= 5. bigEndian reports a
// byte-swapped sender; the returned fields are already in host order.
func PeekHeader(b []byte) (h Header, bigEndian bool, err error) {
	h, r, err := peekHeader(b, TypeUnknown)
	return h, r.be, err
}

// peekHeader is PeekHeader with the type being decoded (TypeUnknown if any)
// to name in errors, and returning a reader for the rest of the message.
func peekHeader(b []byte, typ MessageType) (Header, reader, error) {
	if len(b) < HeaderSize {
		return Header{}, reader{}, errTruncated(typ, headerFields, len(b))
	}
	r := reader{b: b}
	switch m := le.Uint16(b); m {
	case Magic:
	case bits.ReverseBytes16(Magic):
		r.be = true
	default:
		return Header{}, reader{}, &DecodeError{Type: typ, Field: "magic", Offset: 0,
			Need: int64(Magic), Have: int64(m), Err: ErrBadMagic}
	}
	if b[2] != Version {
		return Header{}, reader{}, &DecodeError{Type: typ, Field: "version", Offset: 2,
			Need: int64(Version), Have: int64(b[2]), Err: ErrBadVersion}
	}
	if MessageType(b[3]) > TypeTokenHoldCancel {
		return Header{}, reader{}, &DecodeError{Type: typ, Field: "type", Offset: 3,
			Need: int64(TypeTokenHoldCancel), Have: int64(b[3]), Err: ErrBadType}
	}
	h := Header{
		Type:         MessageType(b[3]),
		Encapsulated: b[4],
		NodeID:       r.nodeID(5),
		TargetNodeID: r.nodeID(9),
	}
	return h, r, nil
}

// decodeHeader is peekHeader plus the check that the message is of type want.
func decodeHeader(b []byte, want MessageType) (Header, reader, error) {
	h, r, err := peekHeader(b, want)
	if err != nil {
		return h, r, err
	}
	if h.Type != want {
		return Header{}, reader{}, &DecodeError{Type: want, Field: "type", Offset: 3,
			Need: int64(want), Have: int64(h.Type), Err: ErrWrongType}
	}
	return h, r, nil
}

// putHeader writes the common header into b[:13]. The type comes from the
// encoder, not from h, so a struct with a stale Header.Type still encodes
// as what it is.
func putHeader(b []byte, typ MessageType, h *Header) {
	_ = b[HeaderSize-1]    // one bounds check for the whole header
	le.PutUint16(b, Magic) // 70 c0
	b[2] = Version
	b[3] = byte(typ)
	b[4] = h.Encapsulated
	le.PutUint32(b[5:], uint32(h.NodeID))
	le.PutUint32(b[9:], uint32(h.TargetNodeID))
}
