package ipc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// readBufferSize is the Reader's fixed read-ahead. Frames up to this size
// are returned straight from it; larger ones are read into a separate body
// buffer.
const readBufferSize = 16 << 10

// Reader reads whole frames from a byte stream. It reuses its buffers, so
// a connection's memory for incoming frames is bounded by readBufferSize
// plus the largest frame seen, which is at most MaxFrame: the body buffer
// is only grown after the header has been checked.
type Reader struct {
	br  *bufio.Reader
	buf []byte // bodies larger than the read-ahead
}

// NewReader returns a Reader on r.
func NewReader(r io.Reader) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, readBufferSize)}
}

// Next reads the next frame and returns its header and body. The body
// aliases the Reader's buffers and is valid only until the next call.
//
// It returns io.EOF if the stream ends cleanly between frames, an error
// wrapping io.ErrUnexpectedEOF if it ends inside one, and an error wrapping
// ErrMalformed for a bad header. After any error the stream is out of step
// and the Reader must not be used again.
func (r *Reader) Next() (Header, []byte, error) {
	hb, err := r.br.Peek(HeaderSize)
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(hb) == 0 {
				return Header{}, nil, io.EOF
			}
			return Header{}, nil, fmt.Errorf("ipc: stream ended %d bytes into a frame header: %w", len(hb), io.ErrUnexpectedEOF)
		}
		return Header{}, nil, err
	}
	h, err := DecodeHeader(hb)
	if err != nil {
		return Header{}, nil, err
	}
	n := int(h.Length)
	if n <= r.br.Size() {
		frame, err := r.br.Peek(n)
		if err != nil {
			return Header{}, nil, truncated(h, len(frame), err)
		}
		// Discard cannot fail here: the n bytes are buffered.
		_, _ = r.br.Discard(n)
		return h, frame[HeaderSize:], nil
	}
	_, _ = r.br.Discard(HeaderSize)
	body := h.BodyLen()
	if cap(r.buf) < body {
		r.buf = make([]byte, body)
	}
	got, err := io.ReadFull(r.br, r.buf[:body])
	if err != nil {
		return Header{}, nil, truncated(h, HeaderSize+got, err)
	}
	return h, r.buf[:body], nil
}

func truncated(h Header, got int, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("ipc: stream ended %d bytes into a %d-byte %v frame: %w", got, h.Length, h.Kind, io.ErrUnexpectedEOF)
	}
	return err
}
