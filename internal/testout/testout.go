// Package testout is a goroutine-safe output buffer for tests of
// command-line tools: the tool writes to it while the test waits for
// lines to appear.
package testout

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// Buffer collects a tool's output.
type Buffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

// New returns an empty Buffer.
func New() *Buffer { return &Buffer{changed: make(chan struct{})} }

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n, err := b.b.Write(p)
	close(b.changed)
	b.changed = make(chan struct{})
	return n, err
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// WaitFor waits until the output contains s, failing the test after
// timeout (a generous bound, not a measurement).
func (b *Buffer) WaitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		ok := strings.Contains(b.b.String(), s)
		ch := b.changed
		b.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("output lacks %q after %v:\n%s", s, timeout, b.String())
		}
	}
}
