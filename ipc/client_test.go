package ipc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClientCloseFailsPendingCalls(t *testing.T) {
	held := make(chan struct{}, 1)
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventRequest {
			held <- struct{}{}
		}
	})
	c := h.dial(1)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), 1, nil)
		errc <- err
	}()
	wait(t, held, "the request")
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := wait(t, errc, "the pending Call"); !errors.Is(err, ErrClosed) {
		t.Errorf("pending Call after Close = %v, want ErrClosed", err)
	}
	wait(t, c.Done(), "Done")
	if !errors.Is(c.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", c.Err())
	}
	if _, err := c.Call(ctxLimit(t), 1, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("Call after Close = %v, want ErrClosed", err)
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// fakeExecutive accepts one connection and hands it to script; for testing
// the client against a daemon that misbehaves.
func fakeExecutive(t *testing.T, script func(c *net.UnixConn, r *Reader)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), SocketName)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		script(c, NewReader(c))
	}()
	t.Cleanup(func() {
		ln.Close()
		wait(t, done, "the fake executive")
	})
	return path
}

func TestDialCancelledDuringHello(t *testing.T) {
	ctx, cancel := context.WithCancel(ctxLimit(t))
	release := make(chan struct{})
	path := fakeExecutive(t, func(c *net.UnixConn, r *Reader) {
		if _, _, err := r.Next(); err != nil { // the hello; never answered
			t.Errorf("fake executive reading hello: %v", err)
		}
		cancel()
		<-release
	})
	_, err := Dial(ctx, path, 1)
	close(release)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Dial cancelled during the hello = %v, want context.Canceled", err)
	}
}

func TestDialBadHelloReply(t *testing.T) {
	path := fakeExecutive(t, func(c *net.UnixConn, r *Reader) {
		_, _, _ = r.Next()
		_, _ = c.Write(AppendFrame(nil, Header{Kind: KindCallback, Fn: 1}, nil))
	})
	_, err := Dial(ctxLimit(t), path, 1)
	if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), "answered the hello with a callback frame") {
		t.Errorf("Dial answered by a callback = %v", err)
	}

	path = fakeExecutive(t, func(c *net.UnixConn, r *Reader) {
		_, _, _ = r.Next() // then close without a reply
	})
	if _, err := Dial(ctxLimit(t), path, 1); err == nil || !strings.Contains(err.Error(), "did not answer the hello") {
		t.Errorf("Dial to an executive that hangs up = %v", err)
	}
}

func TestClientProtocolViolations(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func(req Header) []byte
		want  string
	}{
		{"wrong fn", func(req Header) []byte {
			return AppendFrame(nil, Header{Kind: KindResponse, Fn: req.Fn + 1, ReqID: req.ReqID, Status: StatusOK}, nil)
		}, "is for fn 8, the request was fn 7"},
		{"request from the executive", func(req Header) []byte {
			return AppendFrame(nil, Header{Kind: KindRequest, Fn: 1, ReqID: 1}, nil)
		}, "executive sent a request frame after the hello"},
		{"garbage", func(req Header) []byte {
			return []byte("this is not a frame at all")
		}, "length 1936287860 at offset 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fakeExecutive(t, func(c *net.UnixConn, r *Reader) {
				_, _, _ = r.Next()
				_, _ = c.Write(AppendFrame(nil, Header{Kind: KindHelloReply, Status: StatusOK}, nil))
				req, _, err := r.Next()
				if err != nil {
					t.Errorf("fake executive reading request: %v", err)
					return
				}
				_, _ = c.Write(tc.reply(req))
				_, _, _ = r.Next() // until the client hangs up
			})
			c, err := Dial(ctxLimit(t), path, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			_, err = c.Call(ctxLimit(t), 7, nil)
			if !errors.Is(err, ErrDisconnected) || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Call = %v, want ErrDisconnected wrapping ErrMalformed saying %q", err, tc.want)
			}
			wait(t, c.Done(), "Done")
		})
	}
}

// A client that does not drain its callbacks stops reading the socket; the
// executive's queue for it grows past HardBacklog and it is disconnected.
// The client's own buffering is the Callbacks channel, CallbackQueue
// entries; it learns of the disconnection after delivering what it holds.
func TestUndrainedCallbacksPushBack(t *testing.T) {
	// More than the client's callback queue and the server's hard
	// backlog together can hold, so that the client must push back.
	const (
		hardBacklog = 2 << 20
		body        = 64 << 10
		sends       = (CallbackBytes+2*hardBacklog)/body + CallbackQueue + 256
	)
	gone := make(chan struct{})
	sent := make(chan struct{})
	h := newHarness(t, ServerConfig{MaxBacklog: 64 << 10, HardBacklog: hardBacklog}, func(ev Event) {
		switch ev.Kind {
		case EventConnected:
			payload := make([]byte, body)
			for i := range sends {
				ev.Conn.Callback(uint16(i), payload)
			}
			close(sent)
		case EventDisconnected:
			close(gone)
		}
	})
	c := h.dial(1)
	wait(t, sent, "the loop's callbacks")
	wait(t, gone, "the client's disconnection")
	wantLog(t, h.logs, fmt.Sprintf("client pid %d is too slow", os.Getpid()))

	got := 0
	for cb := range c.Callbacks() {
		if cb.Fn != uint16(got) {
			t.Fatalf("callback %d has fn %d", got, cb.Fn)
		}
		got++
	}
	// How many made it out before the disconnection depends on
	// scheduling; what matters is that it was not all of them.
	if got >= sends {
		t.Errorf("received all %d callbacks; want the client cut off", sends)
	}
	wait(t, c.Done(), "Done")
	if !errors.Is(c.Err(), ErrDisconnected) {
		t.Errorf("Err() = %v, want ErrDisconnected", c.Err())
	}
}
