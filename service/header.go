package service

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes of the two exec headers (reference §5.1). Every member is aligned
// to 8 bytes in corosync's structs, so the padding is part of the wire
// format.
const (
	// HeaderSize is qb_ipc_request_header: id i32 @0, size i32 @8.
	HeaderSize = 16
	// ResponseHeaderSize is qb_ipc_response_header: id @0, size @8,
	// error @16. CPG's JOINLIST starts with it.
	ResponseHeaderSize = 24
)

// ErrMalformed is wrapped by every decoding error of this package, so that
// callers can count bad input without matching on text.
var ErrMalformed = errors.New("malformed message")

// AppendHeader appends the 16-byte exec message header to dst: the id
// service<<16|fn at 0 and the total message size (this header included) at
// 8, little-endian, padding zeroed. size must fit in an int32.
func AppendHeader(dst []byte, id ID, fn uint16, size int) []byte {
	var b [HeaderSize]byte
	putHeader(b[:], id, fn, size)
	return append(dst, b[:]...)
}

// AppendResponseHeader appends the 24-byte response header variant: as
// AppendHeader, plus errCode (a cs_error_t) at 16.
func AppendResponseHeader(dst []byte, id ID, fn uint16, size int, errCode int32) []byte {
	var b [ResponseHeaderSize]byte
	putHeader(b[:], id, fn, size)
	binary.LittleEndian.PutUint32(b[16:], uint32(errCode))
	return append(dst, b[:]...)
}

func putHeader(b []byte, id ID, fn uint16, size int) {
	binary.LittleEndian.PutUint32(b[0:], uint32(id)<<16|uint32(fn))
	binary.LittleEndian.PutUint32(b[8:], uint32(int32(size)))
}

// DecodeHeader reads the exec header at the start of msg. bigEndian is the
// Totem endian flag of the delivery: corosync's deliver_fn swaps the id and
// size of a foreign-endian sender before dispatching.
//
// corosync dispatches without looking at size, but handlers such as CPG's
// JOINLIST iterate up to it; DecodeHeader therefore insists that size
// covers the header and stays within msg, so that handlers may trust it.
// Extra bytes after size are allowed.
func DecodeHeader(msg []byte, bigEndian bool) (id ID, fn uint16, size int, err error) {
	return decodeHeader(msg, bigEndian, HeaderSize, "exec header")
}

// DecodeResponseHeader reads the 24-byte response header at the start of
// msg, with the same checks as DecodeHeader; errCode is the field at 16.
func DecodeResponseHeader(msg []byte, bigEndian bool) (id ID, fn uint16, size int, errCode int32, err error) {
	id, fn, size, err = decodeHeader(msg, bigEndian, ResponseHeaderSize, "response header")
	if err != nil {
		return 0, 0, 0, 0, err
	}
	return id, fn, size, int32(byteOrder(bigEndian).Uint32(msg[16:])), nil
}

func decodeHeader(msg []byte, bigEndian bool, hdrSize int, what string) (ID, uint16, int, error) {
	if len(msg) < hdrSize {
		return 0, 0, 0, fmt.Errorf("service: %s: message is %d bytes, the header needs %d: %w",
			what, len(msg), hdrSize, ErrMalformed)
	}
	order := byteOrder(bigEndian)
	raw := order.Uint32(msg[0:])
	size := int(int32(order.Uint32(msg[8:])))
	if size < hdrSize || size > len(msg) {
		return 0, 0, 0, fmt.Errorf("service: %s: size field (offset 8) is %d, want %d to %d (the message length): %w",
			what, size, hdrSize, len(msg), ErrMalformed)
	}
	return ID(raw >> 16), uint16(raw), size, nil
}

func byteOrder(bigEndian bool) binary.ByteOrder {
	if bigEndian {
		return binary.BigEndian
	}
	return binary.LittleEndian
}
