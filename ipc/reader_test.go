package ipc

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

type testFrame struct {
	h    Header
	body []byte
}

func pattern(seed byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = seed + byte(i*7)
	}
	return b
}

func streamOf(frames ...testFrame) []byte {
	var b []byte
	for _, f := range frames {
		b = AppendFrame(b, f.h, f.body)
	}
	return b
}

func TestReaderFrames(t *testing.T) {
	frames := []testFrame{
		{Header{Kind: KindHello}, AppendHello(nil, Hello{Service: 1, PID: 2})},
		{Header{Kind: KindRequest, Fn: 1, ReqID: 1}, nil},
		{Header{Kind: KindRequest, Fn: 2, ReqID: 2}, pattern(1, readBufferSize-HeaderSize)}, // exactly fills the read-ahead
		{Header{Kind: KindRequest, Fn: 3, ReqID: 3}, pattern(2, readBufferSize)},            // just past it
		{Header{Kind: KindCallback, Fn: 4}, pattern(3, MaxBody)},
		{Header{Kind: KindResponse, Fn: 5, ReqID: 9, Status: StatusOK}, []byte("tail")},
	}
	stream := streamOf(frames...)
	for name, src := range map[string]io.Reader{
		"whole":    bytes.NewReader(stream),
		"one byte": iotest.OneByteReader(bytes.NewReader(stream)),
		"half":     iotest.HalfReader(bytes.NewReader(stream)),
	} {
		t.Run(name, func(t *testing.T) {
			r := NewReader(src)
			for i, want := range frames {
				h, body, err := r.Next()
				if err != nil {
					t.Fatalf("frame %d: %v", i, err)
				}
				want.h.Length = uint32(HeaderSize + len(want.body))
				if h != want.h {
					t.Errorf("frame %d header %+v, want %+v", i, h, want.h)
				}
				if !bytes.Equal(body, want.body) {
					t.Errorf("frame %d body differs (len %d, want %d)", i, len(body), len(want.body))
				}
			}
			if _, _, err := r.Next(); err != io.EOF {
				t.Errorf("after the last frame: %v, want io.EOF", err)
			}
			if cap(r.buf) > MaxFrame {
				t.Errorf("body buffer grew to %d bytes, more than MaxFrame", cap(r.buf))
			}
		})
	}
}

func TestReaderTruncated(t *testing.T) {
	small := AppendFrame(nil, Header{Kind: KindRequest, ReqID: 1}, pattern(0, 100))
	big := AppendFrame(nil, Header{Kind: KindRequest, ReqID: 1}, pattern(0, 100000))
	for _, tc := range []struct {
		name   string
		stream []byte
		want   string
	}{
		{"in header", small[:7], "7 bytes into a frame header"},
		{"in small body", small[:50], "50 bytes into a 116-byte request frame"},
		{"in big body", big[:70000], "70000 bytes into a 100016-byte request frame"},
		{"after header", big[:HeaderSize], "16 bytes into a 100016-byte request frame"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := NewReader(bytes.NewReader(tc.stream)).Next()
			if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Next() = %v, want io.ErrUnexpectedEOF saying %q", err, tc.want)
			}
		})
	}
}

func TestReaderMalformed(t *testing.T) {
	good := AppendFrame(nil, Header{Kind: KindCallback, Fn: 1}, []byte("ok"))
	bad := AppendHeader(nil, Header{Length: MaxFrame + 1, Kind: KindRequest})
	r := NewReader(bytes.NewReader(append(good, bad...)))
	if _, _, err := r.Next(); err != nil {
		t.Fatalf("first frame: %v", err)
	}
	_, _, err := r.Next()
	if !errors.Is(err, ErrMalformed) {
		t.Fatalf("oversized frame: %v, want ErrMalformed", err)
	}
	if r.buf != nil {
		t.Errorf("the Reader allocated %d bytes for a frame it rejected", cap(r.buf))
	}
}

func TestReaderPassesReadErrors(t *testing.T) {
	boom := errors.New("boom")
	_, _, err := NewReader(iotest.ErrReader(boom)).Next()
	if !errors.Is(err, boom) {
		t.Errorf("Next() = %v, want %v", err, boom)
	}
}
