package ipc

import (
	"fmt"
	"testing"
)

// A client that has not taken its callbacks yet still gets its responses,
// then finds every callback, in order.
func TestResponsesDoNotWaitBehindUntakenCallbacks(t *testing.T) {
	const callbacks = 500 // far more than the Callbacks channel holds
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventRequest {
			for i := range callbacks {
				ev.Conn.Callback(7, fmt.Appendf(nil, "cb %d", i))
			}
			ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, []byte("done"))
		}
	})
	c := h.dial(1)
	for round := range 2 {
		body, err := c.Call(ctxLimit(t), 3, nil)
		if err != nil || string(body) != "done" {
			t.Fatalf("round %d: Call = %q, %v", round, body, err)
		}
	}
	for i := range 2 * callbacks {
		cb := wait(t, c.Callbacks(), "a callback")
		if want := fmt.Sprintf("cb %d", i%callbacks); string(cb.Body) != want || cb.Fn != 7 {
			t.Fatalf("callback %d: fn %d %q, want %q", i, cb.Fn, cb.Body, want)
		}
	}
}

// Close returns even while the callback queue is full and nobody reads.
func TestCloseWithAFullCallbackQueue(t *testing.T) {
	big := make([]byte, 1<<20)
	sent := make(chan struct{})
	h := newHarness(t, ServerConfig{}, func(ev Event) {
		if ev.Kind == EventRequest {
			for range CallbackBytes/len(big) + CallbackQueue + 8 {
				ev.Conn.Callback(1, big)
			}
			ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, nil)
			close(sent)
		}
	})
	c := h.dial(1)
	done := make(chan error, 1)
	go func() {
		_, err := c.Call(ctxLimit(t), 1, nil)
		done <- err
	}()
	wait(t, sent, "the callbacks to be sent")
	closed := make(chan struct{})
	go func() { c.Close(); close(closed) }()
	wait(t, closed, "Close to return")
	if err := wait(t, done, "the Call to end"); err == nil {
		t.Log("the response made it before the queue filled")
	}
}
