package ipc

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

const (
	// HeaderSize is the size of the fixed frame header.
	HeaderSize = 16

	// MaxFrame is the largest frame, header included: 1 MiB for the
	// largest CPG message plus 64 KiB for its service header.
	MaxFrame = 1<<20 + 64<<10

	// MaxBody is the largest body a frame can carry.
	MaxBody = MaxFrame - HeaderSize

	// HelloSize is the size of a hello body.
	HelloSize = 8
)

// Kind is the frame kind at header offset 4.
type Kind uint8

// Frame kinds.
const (
	KindHello      Kind = 1 // client → daemon, first frame of a connection
	KindHelloReply Kind = 2 // daemon → client, answers the hello
	KindRequest    Kind = 3 // client → daemon
	KindResponse   Kind = 4 // daemon → client, echoes a request's id
	KindCallback   Kind = 5 // daemon → client, unsolicited
)

func (k Kind) String() string {
	switch k {
	case KindHello:
		return "hello"
	case KindHelloReply:
		return "hello-reply"
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	case KindCallback:
		return "callback"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// hasStatus reports whether frames of this kind carry a status.
func (k Kind) hasStatus() bool { return k == KindHelloReply || k == KindResponse }

// hasReqID reports whether frames of this kind carry a request id.
func (k Kind) hasReqID() bool { return k == KindRequest || k == KindResponse }

// Header is a decoded frame header.
type Header struct {
	Length uint32 // whole frame, header included
	Kind   Kind
	Fn     uint16
	ReqID  uint32
	Status Status
}

// BodyLen is the number of body bytes that follow the header.
func (h Header) BodyLen() int { return int(h.Length) - HeaderSize }

// AppendHeader appends the 16-byte encoding of h to dst. It encodes what it
// is given; DecodeHeader is where the rules are checked.
func AppendHeader(dst []byte, h Header) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, h.Length)
	dst = append(dst, byte(h.Kind), 0)
	dst = binary.LittleEndian.AppendUint16(dst, h.Fn)
	dst = binary.LittleEndian.AppendUint32(dst, h.ReqID)
	return binary.LittleEndian.AppendUint32(dst, uint32(h.Status))
}

// AppendFrame appends a whole frame to dst: h with its Length set to
// HeaderSize+len(body), then body.
func AppendFrame(dst []byte, h Header, body []byte) []byte {
	h.Length = uint32(HeaderSize + len(body))
	return append(AppendHeader(dst, h), body...)
}

// DecodeHeader decodes and checks the header at the start of b. Errors wrap
// ErrMalformed and name the offending field and its offset.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: header needs %d bytes, have %d", ErrMalformed, HeaderSize, len(b))
	}
	h := Header{
		Length: binary.LittleEndian.Uint32(b[0:]),
		Kind:   Kind(b[4]),
		Fn:     binary.LittleEndian.Uint16(b[6:]),
		ReqID:  binary.LittleEndian.Uint32(b[8:]),
		Status: Status(int32(binary.LittleEndian.Uint32(b[12:]))),
	}
	switch {
	case h.Length < HeaderSize || h.Length > MaxFrame:
		return Header{}, fmt.Errorf("%w: length %d at offset 0 outside [%d, %d]", ErrMalformed, h.Length, HeaderSize, MaxFrame)
	case h.Kind < KindHello || h.Kind > KindCallback:
		return Header{}, fmt.Errorf("%w: kind %d at offset 4 is not a frame kind", ErrMalformed, b[4])
	case b[5] != 0:
		return Header{}, fmt.Errorf("%w: reserved byte at offset 5 is %#02x, must be 0", ErrMalformed, b[5])
	case !h.Kind.hasReqID() && h.ReqID != 0:
		return Header{}, fmt.Errorf("%w: request id %d at offset 8 must be 0 on a %v frame", ErrMalformed, h.ReqID, h.Kind)
	case !h.Kind.hasStatus() && h.Status != 0:
		return Header{}, fmt.Errorf("%w: status %d at offset 12 must be 0 on a %v frame", ErrMalformed, int32(h.Status), h.Kind)
	}
	return h, nil
}

// Hello is the body of a hello frame.
type Hello struct {
	Service uint16 // the service the connection talks to
	PID     uint32 // the client's pid, informational
}

// AppendHello appends the 8-byte hello body to dst.
func AppendHello(dst []byte, h Hello) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, h.Service)
	dst = binary.LittleEndian.AppendUint16(dst, 0)
	return binary.LittleEndian.AppendUint32(dst, h.PID)
}

// DecodeHello decodes a hello body. Errors wrap ErrMalformed and name the
// field and its offset within the body.
func DecodeHello(body []byte) (Hello, error) {
	if len(body) != HelloSize {
		return Hello{}, fmt.Errorf("%w: hello body is %d bytes, want %d", ErrMalformed, len(body), HelloSize)
	}
	if r := binary.LittleEndian.Uint16(body[2:]); r != 0 {
		return Hello{}, fmt.Errorf("%w: hello reserved field at body offset 2 is %#04x, must be 0", ErrMalformed, r)
	}
	return Hello{
		Service: binary.LittleEndian.Uint16(body[0:]),
		PID:     binary.LittleEndian.Uint32(body[4:]),
	}, nil
}
