package ipc

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds every wait in these tests. It is a hang guard, not a
// performance expectation: nothing is asserted about how long things take.
const waitLimit = 30 * time.Second

// logBuffer collects the server's log lines for assertions.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// harness is a Server with a fake event loop: one goroutine that hands
// each event to handle, as the executive's loop will.
type harness struct {
	t    testing.TB
	srv  *Server
	path string
	logs *logBuffer
	done chan struct{} // closed when the loop has seen Events close
}

func newHarness(t testing.TB, cfg ServerConfig, handle func(Event)) *harness {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "run", SocketName)
	}
	logs := &logBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.AllowedGID == 0 {
		cfg.AllowedGID = -1
	}
	srv, err := Listen(cfg)
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	h := &harness{t: t, srv: srv, path: cfg.Path, logs: logs, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		for ev := range srv.Events() {
			handle(ev)
		}
	}()
	t.Cleanup(h.close)
	return h
}

// close shuts the server and waits for the loop to finish.
func (h *harness) close() {
	if err := h.srv.Close(); err != nil {
		h.t.Errorf("Server.Close: %v", err)
	}
	wait(h.t, h.done, "event loop to end")
}

func (h *harness) dial(service uint16) *Client {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := Dial(ctx, h.path, service)
	if err != nil {
		h.t.Fatalf("Dial: %v", err)
	}
	h.t.Cleanup(func() { c.Close() })
	return c
}

// echo answers every request with "re:" + body and the same fn.
func echo(ev Event) {
	if ev.Kind == EventRequest {
		ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, append([]byte("re:"), ev.Body...))
	}
}

// wait blocks until ch is closed or yields, failing the test after
// waitLimit.
func wait[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("gave up waiting for %s", what)
		panic("unreachable")
	}
}

func ctxLimit(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

func wantLog(t *testing.T, logs *logBuffer, parts ...string) {
	t.Helper()
	for _, line := range strings.Split(logs.String(), "\n") {
		ok := true
		for _, p := range parts {
			if !strings.Contains(line, p) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
	}
	t.Errorf("no log line contains all of %q; log:\n%s", parts, logs.String())
}
