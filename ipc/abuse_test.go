package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// rawDial connects without the Client, to send whatever bytes a test likes.
func rawDial(t *testing.T, path string) *net.UnixConn {
	t.Helper()
	c, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { c.Close() })
	// A hang guard for every read and write on it.
	_ = c.SetDeadline(time.Now().Add(waitLimit))
	return c
}

func helloFrame(service uint16) []byte {
	return AppendFrame(nil, Header{Kind: KindHello}, AppendHello(nil, Hello{Service: service, PID: uint32(os.Getpid())}))
}

// rawHello says hello on a raw connection and checks the reply.
func rawHello(t *testing.T, c *net.UnixConn, service uint16) {
	t.Helper()
	if _, err := c.Write(helloFrame(service)); err != nil {
		t.Fatalf("writing hello: %v", err)
	}
	var b [HeaderSize]byte
	if _, err := io.ReadFull(c, b[:]); err != nil {
		t.Fatalf("reading hello-reply: %v", err)
	}
	h, err := DecodeHeader(b[:])
	if err != nil || h.Kind != KindHelloReply || h.Status != StatusOK {
		t.Fatalf("hello-reply %+v, %v", h, err)
	}
}

// expectClosed reads until the server closes the connection.
func expectClosed(t *testing.T, c *net.UnixConn) {
	t.Helper()
	buf := make([]byte, 4096)
	for {
		_, err := c.Read(buf)
		if err == nil {
			continue
		}
		if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
			return
		}
		t.Fatalf("waiting for the server to close the connection: %v", err)
	}
}

func TestMalformedFramesCloseOnlyThatConnection(t *testing.T) {
	h := newHarness(t, ServerConfig{Services: func(id uint16) bool { return id == 1 }}, echo)
	good := h.dial(1)
	hello := helloFrame(1)
	request := AppendFrame(nil, Header{Kind: KindRequest, Fn: 1, ReqID: 1}, []byte("x"))
	setLen := func(f []byte, n uint32) []byte {
		f = append([]byte(nil), f...)
		binary.LittleEndian.PutUint32(f, n)
		return f
	}
	setByte := func(f []byte, off int, v byte) []byte {
		f = append([]byte(nil), f...)
		f[off] = v
		return f
	}
	for _, tc := range []struct {
		name  string
		bytes []byte
		want  string
	}{
		{"length below header", setLen(hello, 4), "length 4 at offset 0"},
		{"length above MaxFrame", setLen(hello, MaxFrame+1), fmt.Sprintf("length %d at offset 0", MaxFrame+1)},
		{"bad kind", setByte(hello, 4, 77), "kind 77 at offset 4"},
		{"reserved bits", setByte(hello, 5, 1), "reserved byte at offset 5"},
		{"request before hello", request, "first frame is a request, want hello"},
		{"short hello body", AppendFrame(nil, Header{Kind: KindHello}, []byte{1, 0}), "hello body is 2 bytes"},
		{"hello reserved field", setByte(hello, HeaderSize+2, 1), "hello reserved field at body offset 2"},
		{"second hello", append(append([]byte(nil), hello...), hello...), "hello frame from a client, want request"},
		{"response from a client", append(append([]byte(nil), hello...), AppendFrame(nil, Header{Kind: KindResponse, ReqID: 1, Status: StatusOK}, nil)...), "response frame from a client"},
		{"bad frame after requests", append(append(append([]byte(nil), hello...), request...), setByte(request, 5, 9)...), "reserved byte at offset 5 is 0x09"},
		{"truncated frame", append(append([]byte(nil), hello...), request[:HeaderSize+0]...), "stream ended 16 bytes into a 17-byte request frame"},
		{"unknown service", helloFrame(9), "asked for unknown service 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := rawDial(t, h.path)
			if _, err := c.Write(tc.bytes); err != nil {
				t.Fatalf("write: %v", err)
			}
			if tc.name == "truncated frame" {
				_ = c.CloseWrite()
			}
			expectClosed(t, c)
			wantLog(t, h.logs, fmt.Sprintf("client pid %d", os.Getpid()), tc.want)
			// Everyone else is still served.
			if resp, err := good.Call(ctxLimit(t), 1, []byte(tc.name)); err != nil || string(resp) != "re:"+tc.name {
				t.Fatalf("the well-behaved client's Call = %q, %v", resp, err)
			}
		})
	}
}

// A client that never reads its callbacks is disconnected once HardBacklog
// bytes are queued for it, while Callback keeps returning (the loop below
// makes 10000 calls with 32 KiB bodies, 320 MB in all, and finishes) and
// another client keeps being served.
func TestSlowClientDisconnected(t *testing.T) {
	const (
		maxBacklog  = 64 << 10
		hardBacklog = 2 << 20
		calls       = 10000
		body        = 32 << 10
	)
	type burst struct{ maxSeen, sent int }
	bursts := make(chan burst, 1)
	slowGone := make(chan struct{})
	h := newHarness(t, ServerConfig{MaxBacklog: maxBacklog, HardBacklog: hardBacklog}, func(ev Event) {
		if ev.Conn.Service() != 2 {
			echo(ev)
			return
		}
		switch ev.Kind {
		case EventConnected:
			b := burst{}
			payload := make([]byte, body)
			for range calls {
				ev.Conn.Callback(1, payload)
				b.maxSeen = max(b.maxSeen, ev.Conn.Backlog())
				b.sent++
			}
			bursts <- b
		case EventDisconnected:
			close(slowGone)
		}
	})
	good := h.dial(1)
	slow := rawDial(t, h.path)
	rawHello(t, slow, 2)

	b := wait(t, bursts, "the loop to finish its callbacks")
	if b.sent != calls {
		t.Fatalf("loop made %d Callback calls, want %d", b.sent, calls)
	}
	if b.maxSeen > hardBacklog {
		t.Errorf("backlog reached %d bytes, above HardBacklog %d", b.maxSeen, hardBacklog)
	}
	wait(t, slowGone, "the slow client's Disconnected")
	wantLog(t, h.logs, fmt.Sprintf("client pid %d is too slow (", os.Getpid()), "bytes queued), disconnecting")
	if resp, err := good.Call(ctxLimit(t), 1, []byte("still here")); err != nil || string(resp) != "re:still here" {
		t.Fatalf("the other client's Call = %q, %v", resp, err)
	}
	// The slow client gets what fit in its socket, then the end.
	expectClosed(t, slow)
}

// A client that writes requests but does not read responses is throttled:
// above MaxBacklog the server stops reading its requests, so its queue
// stays near MaxBacklog instead of growing with every request. Once it
// reads, everything is answered.
func TestBacklogStopsReading(t *testing.T) {
	const (
		maxBacklog = 64 << 10
		eventQueue = 1
		requests   = 2000
		respBody   = 16 << 10
		frame      = HeaderSize + respBody
	)
	var (
		mu       sync.Mutex
		maxSeen  int
		answered int
	)
	throttled := make(chan struct{})
	h := newHarness(t, ServerConfig{MaxBacklog: maxBacklog, EventQueue: eventQueue}, func(ev Event) {
		if ev.Kind != EventRequest {
			return
		}
		ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, make([]byte, respBody))
		b := ev.Conn.Backlog()
		mu.Lock()
		defer mu.Unlock()
		if b > maxBacklog && maxSeen <= maxBacklog {
			close(throttled)
		}
		maxSeen = max(maxSeen, b)
		answered++
	})
	c := rawDial(t, h.path)
	rawHello(t, c, 1)

	writeErr := make(chan error, 1)
	go func() {
		var reqs []byte
		for i := range requests {
			reqs = AppendFrame(reqs, Header{Kind: KindRequest, Fn: 1, ReqID: uint32(i + 1)}, nil)
		}
		_, err := c.Write(reqs)
		writeErr <- err
	}()
	wait(t, throttled, "the backlog to pass MaxBacklog")

	r := NewReader(c)
	for i := range requests {
		fh, body, err := r.Next()
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		if fh.Kind != KindResponse || fh.ReqID != uint32(i+1) || len(body) != respBody {
			t.Fatalf("response %d: %+v with %d bytes", i, fh, len(body))
		}
	}
	if err := wait(t, writeErr, "the requests to be written"); err != nil {
		t.Fatalf("writing requests: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// Each request passed the MaxBacklog check before being read; at most
	// the one in the loop, EventQueue in the channel and the one the
	// reader holds were answered since.
	if limit := maxBacklog + (eventQueue+2)*frame; maxSeen > limit {
		t.Errorf("backlog reached %d bytes, want at most %d", maxSeen, limit)
	}
	if answered != requests {
		t.Errorf("loop answered %d requests, want %d", answered, requests)
	}
}

// A client flooding requests while the loop is busy blocks in its own
// reader goroutine: the loop, when it gets to them, serves the flood and
// other clients alike.
func TestFloodingClientBlocksOnlyItself(t *testing.T) {
	const flood = 5000
	release := make(chan struct{})
	busy := make(chan struct{})
	var floodSeen int
	floodAll := make(chan struct{})
	h := newHarness(t, ServerConfig{EventQueue: 4}, func(ev Event) {
		if ev.Kind != EventRequest {
			return
		}
		if string(ev.Body) == "busy" {
			close(busy)
			<-release // the loop is busy; readers queue up behind it
		}
		if ev.Conn.Service() == 2 {
			if floodSeen++; floodSeen == flood {
				close(floodAll)
			}
			return // the flooder reads nothing, so it gets nothing
		}
		echo(ev)
	})
	good := h.dial(1)
	busyDone := make(chan error, 1)
	go func() {
		_, err := good.Call(ctxLimit(t), 1, []byte("busy"))
		busyDone <- err
	}()
	wait(t, busy, "the loop to get busy")

	flooder := rawDial(t, h.path)
	rawHello(t, flooder, 2)
	var reqs []byte
	for i := range flood {
		reqs = AppendFrame(reqs, Header{Kind: KindRequest, Fn: 1, ReqID: uint32(i + 1)}, []byte("flood"))
	}
	writeDone := make(chan error, 1)
	go func() {
		_, err := flooder.Write(reqs)
		writeDone <- err
	}()
	close(release)
	if err := wait(t, busyDone, "the busy Call"); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := good.Call(ctxLimit(t), 1, []byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := wait(t, writeDone, "the flood to be written"); err != nil {
		t.Fatal(err)
	}
	wait(t, floodAll, "the loop to see every flooded request")
}
