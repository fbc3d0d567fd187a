package ipc

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

func FuzzDecodeHeader(f *testing.F) {
	f.Add(AppendHeader(nil, Header{Length: HeaderSize, Kind: KindHello}))
	f.Add(AppendHeader(nil, Header{Length: 40, Kind: KindRequest, Fn: 3, ReqID: 7}))
	f.Add(AppendHeader(nil, Header{Length: MaxFrame, Kind: KindResponse, ReqID: 7, Status: StatusTryAgain}))
	f.Add(AppendHeader(nil, Header{Length: 8, Kind: 9}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if h.Length < HeaderSize || h.Length > MaxFrame || h.BodyLen() < 0 {
			t.Fatalf("accepted length %d", h.Length)
		}
		// What decodes re-encodes to the same 16 bytes.
		if enc := AppendHeader(nil, h); !bytes.Equal(enc, b[:HeaderSize]) {
			t.Fatalf("re-encoding %+v gave % x, input % x", h, enc, b[:HeaderSize])
		}
	})
}

func FuzzDecodeHello(f *testing.F) {
	f.Add(AppendHello(nil, Hello{Service: 1, PID: 42}))
	f.Add([]byte{1, 0, 1, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHello(b)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if enc := AppendHello(nil, h); !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding %+v gave % x, input % x", h, enc, b)
		}
	})
}

// FuzzReadFrames feeds arbitrary streams to a Reader: it must never panic,
// must return each frame's body at the length its header declares, and
// must never hold a body buffer larger than MaxFrame.
func FuzzReadFrames(f *testing.F) {
	f.Add(streamOf(
		testFrame{Header{Kind: KindHello}, AppendHello(nil, Hello{Service: 1})},
		testFrame{Header{Kind: KindRequest, Fn: 1, ReqID: 1}, []byte("abc")},
	))
	f.Add(streamOf(testFrame{Header{Kind: KindCallback, Fn: 2}, pattern(1, readBufferSize+5)}))
	f.Add(AppendHeader(nil, Header{Length: MaxFrame, Kind: KindRequest, ReqID: 1})) // claims 1 MiB, sends none
	f.Add(AppendHeader(nil, Header{Length: MaxFrame + 1, Kind: KindRequest}))
	f.Add([]byte{16, 0, 0, 0, 3, 0})
	f.Fuzz(func(t *testing.T, stream []byte) {
		r := NewReader(bytes.NewReader(stream))
		consumed := 0
		for {
			h, body, err := r.Next()
			if cap(r.buf) > MaxFrame {
				t.Fatalf("body buffer of %d bytes, more than MaxFrame", cap(r.buf))
			}
			if err != nil {
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("unexpected error %v", err)
				}
				if err == io.EOF && consumed != len(stream) {
					t.Fatalf("io.EOF after %d of %d bytes", consumed, len(stream))
				}
				return
			}
			if len(body) != h.BodyLen() {
				t.Fatalf("body of %d bytes, header says %d", len(body), h.BodyLen())
			}
			if !bytes.Equal(body, stream[consumed+HeaderSize:consumed+int(h.Length)]) {
				t.Fatalf("body at stream offset %d differs from the input", consumed)
			}
			consumed += int(h.Length)
		}
	})
}

// FuzzServerInput sends arbitrary bytes to a live server as a client
// would: whatever they are, the server must not panic, must end or keep
// that connection cleanly, and must go on serving a well-behaved client.
func FuzzServerInput(f *testing.F) {
	hello := helloFrame(1)
	f.Add(hello)
	f.Add(append(append([]byte(nil), hello...), AppendFrame(nil, Header{Kind: KindRequest, Fn: 1, ReqID: 1}, []byte("hi"))...))
	f.Add(AppendFrame(nil, Header{Kind: KindRequest, ReqID: 1}, nil))
	f.Add(append(append([]byte(nil), hello...), 0xff, 0xff, 0xff, 0xff))
	f.Add([]byte("GET / HTTP/1.0\r\n\r\n"))
	h := newHarness(f, ServerConfig{Services: func(id uint16) bool { return id == 1 }}, echo)
	good, err := Dial(ctxLimit(f), h.path, 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { good.Close() })
	f.Fuzz(func(t *testing.T, input []byte) {
		c := rawDial(t, h.path)
		wrote := make(chan struct{})
		go func() {
			defer close(wrote)
			_, _ = c.Write(input)
			_ = c.CloseWrite()
		}()
		expectClosed(t, c)
		c.Close()
		wait(t, wrote, "the input to be written")
		if resp, err := good.Call(ctxLimit(t), 2, []byte("ok")); err != nil || string(resp) != "re:ok" {
			t.Fatalf("the well-behaved client's Call = %q, %v", resp, err)
		}
	})
}
