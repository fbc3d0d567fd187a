package ipc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	conns := make(chan *Conn, 1)
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventConnected {
			conns <- ev.Conn
		}
		echo(ev)
	})
	c := h.dial(42)
	resp, err := c.Call(ctxLimit(t), 7, []byte("ping"))
	if err != nil {
		t.Fatalf("Call: %v", err)
	}
	if string(resp) != "re:ping" {
		t.Errorf("response %q, want %q", resp, "re:ping")
	}
	// An empty request and an empty response work too.
	if resp, err := c.Call(ctxLimit(t), 8, nil); err != nil || string(resp) != "re:" {
		t.Errorf("empty Call = %q, %v", resp, err)
	}

	conn := wait(t, conns, "EventConnected")
	if conn.Service() != 42 {
		t.Errorf("Conn.Service() = %d, want 42", conn.Service())
	}
	if cr := conn.Cred(); cr.PID != os.Getpid() || cr.UID != os.Geteuid() || cr.GID != os.Getegid() {
		t.Errorf("Conn.Cred() = %+v, want pid %d uid %d gid %d", cr, os.Getpid(), os.Geteuid(), os.Getegid())
	}
	if conn.ID() == 0 {
		t.Errorf("Conn.ID() = 0")
	}
}

func TestStatusResponses(t *testing.T) {
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventRequest {
			ev.Conn.Respond(ev.ReqID, ev.Fn, Status(ev.Fn), []byte("ignored on error"))
		}
	})
	c := h.dial(1)
	for _, tc := range []struct {
		fn   uint16
		want error
	}{
		{uint16(StatusTryAgain), ErrTryAgain},
		{uint16(StatusNotExist), ErrNotExist},
		{uint16(StatusBadHandle), ErrBadHandle},
	} {
		resp, err := c.Call(ctxLimit(t), tc.fn, nil)
		if !errors.Is(err, tc.want) || resp != nil {
			t.Errorf("Call(fn %d) = %q, %v; want nil, %v", tc.fn, resp, err, tc.want)
		}
		var se *StatusError
		if !errors.As(err, &se) || se.Status != Status(tc.fn) {
			t.Errorf("Call(fn %d) error %v is not *StatusError{%v}", tc.fn, err, Status(tc.fn))
		}
	}
	if resp, err := c.Call(ctxLimit(t), uint16(StatusOK), nil); err != nil || string(resp) != "ignored on error" {
		t.Errorf("OK Call = %q, %v", resp, err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	h := newHarness(t, ServerConfig{}, echo)
	c := h.dial(1)
	const workers, calls = 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				body := fmt.Appendf(nil, "w%d-%d", w, i)
				fn := uint16(w*calls + i)
				resp, err := c.Call(ctxLimit(t), fn, body)
				if err != nil {
					errs <- err
					return
				}
				if want := append([]byte("re:"), body...); !bytes.Equal(resp, want) {
					errs <- fmt.Errorf("fn %d: response %q, want %q", fn, resp, want)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestCallbacks(t *testing.T) {
	const n = 200
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		switch ev.Kind {
		case EventConnected:
			for i := range n {
				ev.Conn.Callback(uint16(i), fmt.Appendf(nil, "cb%d", i))
			}
		case EventRequest:
			// Callbacks sent while answering arrive before the answer.
			ev.Conn.Callback(1000, []byte("before"))
			echo(ev)
		}
	})
	c := h.dial(1)
	for i := range n {
		cb := wait(t, c.Callbacks(), "callback")
		if cb.Fn != uint16(i) || string(cb.Body) != fmt.Sprintf("cb%d", i) {
			t.Fatalf("callback %d = {%d %q}", i, cb.Fn, cb.Body)
		}
	}
	if _, err := c.Call(ctxLimit(t), 1, nil); err != nil {
		t.Fatalf("Call: %v", err)
	}
	select {
	case cb := <-c.Callbacks():
		if cb.Fn != 1000 {
			t.Errorf("callback fn %d, want 1000", cb.Fn)
		}
	default:
		t.Errorf("the callback sent before the response had not arrived with it")
	}
}

func TestCallCancelDiscardsLateResponse(t *testing.T) {
	held := make(chan Event, 1)
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind != EventRequest {
			return
		}
		if string(ev.Body) == "hold" {
			held <- ev
			return
		}
		echo(ev)
	})
	c := h.dial(1)
	ctx, cancel := context.WithCancel(ctxLimit(t))
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(ctx, 1, []byte("hold"))
		errc <- err
	}()
	ev := wait(t, held, "the held request")
	cancel()
	if err := wait(t, errc, "the cancelled Call"); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Call returned %v, want context.Canceled", err)
	}
	// The late response arrives and is dropped; the next Call gets its own.
	ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, []byte("late"))
	resp, err := c.Call(ctxLimit(t), 1, []byte("next"))
	if err != nil || string(resp) != "re:next" {
		t.Fatalf("Call after a cancelled one = %q, %v", resp, err)
	}
	// A Call whose context is already done does not send anything.
	if _, err := c.Call(ctx, 1, []byte("never")); !errors.Is(err, context.Canceled) {
		t.Errorf("Call with a done context = %v", err)
	}
}

// eventLog records a loop's events per connection.
type eventLog struct {
	mu           sync.Mutex
	connected    map[*Conn]int
	disconnected map[*Conn]int
	afterEnd     map[*Conn]int // events after EventDisconnected
	gone         chan *Conn
}

func newEventLog() *eventLog {
	return &eventLog{connected: map[*Conn]int{}, disconnected: map[*Conn]int{}, afterEnd: map[*Conn]int{}, gone: make(chan *Conn, 16)}
}

func (l *eventLog) record(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.disconnected[ev.Conn] > 0 {
		l.afterEnd[ev.Conn]++
	}
	switch ev.Kind {
	case EventConnected:
		l.connected[ev.Conn]++
	case EventDisconnected:
		l.disconnected[ev.Conn]++
		// After Disconnected, Respond and Callback are no-ops.
		ev.Conn.Respond(1, 1, StatusOK, []byte("x"))
		ev.Conn.Callback(1, []byte("x"))
		if b := ev.Conn.Backlog(); b != 0 {
			panic(fmt.Sprintf("backlog %d after Disconnected", b))
		}
		l.gone <- ev.Conn
	}
}

func (l *eventLog) check(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for c, n := range l.connected {
		if n != 1 || l.disconnected[c] != 1 || l.afterEnd[c] != 0 {
			t.Errorf("%v: %d Connected, %d Disconnected, %d events after Disconnected; want 1, 1, 0", c, n, l.disconnected[c], l.afterEnd[c])
		}
	}
}

func TestDisconnectedExactlyOnce(t *testing.T) {
	events := newEventLog()
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		events.record(ev)
		if ev.Kind == EventRequest && string(ev.Body) == "close me" {
			ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, nil)
			ev.Conn.Close()
			ev.Conn.Close()
			return
		}
		echo(ev)
	})

	// The client closes.
	a := h.dial(1)
	if _, err := a.Call(ctxLimit(t), 1, nil); err != nil {
		t.Fatal(err)
	}
	a.Close()
	wait(t, events.gone, "Disconnected after Client.Close")

	// The loop closes; the client notices.
	b := h.dial(1)
	_, _ = b.Call(ctxLimit(t), 1, []byte("close me"))
	wait(t, b.Done(), "client Done after Conn.Close")
	if err := b.Err(); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Err() after the server closed the connection = %v, want ErrDisconnected", err)
	}
	if _, err := b.Call(ctxLimit(t), 1, nil); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Call after disconnection = %v, want ErrDisconnected", err)
	}
	wait(t, events.gone, "Disconnected after Conn.Close")

	h.close()
	events.check(t)
	if len(events.connected) != 2 {
		t.Errorf("%d connections seen, want 2", len(events.connected))
	}
}

func TestUnknownServiceRefused(t *testing.T) {
	h := newHarness(t, ServerConfig{Services: func(id uint16) bool { return id == 1 }}, echo)
	h.dial(1)
	_, err := Dial(ctxLimit(t), h.path, 2)
	if !errors.Is(err, ErrNotExist) {
		t.Fatalf("Dial(service 2) = %v, want ErrNotExist", err)
	}
	wantLog(t, h.logs, fmt.Sprintf("client pid %d asked for unknown service 2", os.Getpid()))
}

func TestServerCloseDisconnectsClients(t *testing.T) {
	held := make(chan struct{}, 1)
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventRequest {
			held <- struct{}{} // and never answer
		}
	})
	c := h.dial(1)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Call(context.Background(), 1, nil)
		errc <- err
	}()
	wait(t, held, "the request")
	h.close()

	if err := wait(t, errc, "the pending Call"); !errors.Is(err, ErrDisconnected) {
		t.Errorf("pending Call = %v, want ErrDisconnected", err)
	}
	wait(t, c.Done(), "client Done")
	if err := c.Err(); !errors.Is(err, ErrDisconnected) {
		t.Errorf("Err() = %v, want ErrDisconnected", err)
	}
	if _, ok := <-c.Callbacks(); ok {
		t.Errorf("Callbacks still open after disconnection")
	}
	if _, err := os.Stat(h.path); !os.IsNotExist(err) {
		t.Errorf("socket file still there after Close: %v", err)
	}
	if err := h.srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOversizedResponse(t *testing.T) {
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		switch ev.Kind {
		case EventConnected:
			ev.Conn.Callback(1, make([]byte, MaxBody+1)) // dropped
			ev.Conn.Callback(2, make([]byte, MaxBody))   // fits exactly
		case EventRequest:
			ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, make([]byte, MaxBody+1))
		}
	})
	c := h.dial(1)
	if _, err := c.Call(ctxLimit(t), 1, nil); !errors.Is(err, ErrTooBig) {
		t.Errorf("Call answered with an oversized body = %v, want ErrTooBig", err)
	}
	if cb := wait(t, c.Callbacks(), "callback"); cb.Fn != 2 || len(cb.Body) != MaxBody {
		t.Errorf("callback fn %d len %d, want fn 2 len %d", cb.Fn, len(cb.Body), MaxBody)
	}
	if _, err := c.Call(ctxLimit(t), 1, make([]byte, MaxBody+1)); !errors.Is(err, ErrTooBig) {
		t.Errorf("Call with an oversized body = %v, want ErrTooBig", err)
	}
	wantLog(t, h.logs, "exceeds", "SA_AIS_ERR_TOO_BIG")
	wantLog(t, h.logs, "callback of", "dropped")
}
