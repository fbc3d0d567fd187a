// Package testout runs command-line tools' mains inside tests: a
// goroutine-safe output Buffer the tool writes to while the test waits for
// lines to appear, and a Program with a standard-input pipe.
package testout

import (
	"bytes"
	"io"
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

// WaitFor waits until the output contains s and returns the output,
// failing the test after timeout (a generous bound, not a measurement).
func (b *Buffer) WaitFor(t testing.TB, s string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		b.mu.Lock()
		out := b.b.String()
		ch := b.changed
		b.mu.Unlock()
		if strings.Contains(out, s) {
			return out
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("output lacks %q after %v:\n%s", s, timeout, b.String())
		}
	}
}

// Program is a command-line tool's main running in a goroutine, with its
// standard input a pipe and its outputs Buffers.
type Program struct {
	In   *io.PipeWriter
	Out  *Buffer
	Err  *Buffer
	code chan int
}

// Start runs main in the background. Its standard input ends when the
// test closes In (or ends).
func Start(t testing.TB, main func(stdin io.Reader, stdout, stderr io.Writer) int) *Program {
	r, w := io.Pipe()
	p := &Program{In: w, Out: New(), Err: New(), code: make(chan int, 1)}
	go func() {
		p.code <- main(r, p.Out, p.Err)
		r.Close()
	}()
	t.Cleanup(func() { w.Close() })
	return p
}

// Type writes one line to the program's standard input.
func (p *Program) Type(t testing.TB, line string) {
	t.Helper()
	if _, err := io.WriteString(p.In, line+"\n"); err != nil {
		t.Fatalf("typing %q: %v", line, err)
	}
}

// Wait waits for the program to end and returns its exit code, failing
// the test if it does not end within timeout.
func (p *Program) Wait(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case c := <-p.code:
		return c
	case <-time.After(timeout):
		t.Fatalf("the program did not end within %v; output:\n%s\nerrors:\n%s", timeout, p.Out, p.Err)
	}
	return -1
}
