package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goais/internal/svctest"
	"goais/service"
	svcevs "goais/service/evs"
)

func newCluster(t *testing.T) *svctest.Cluster {
	return svctest.New(t, 2, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{svcevs.New(env(service.EVS), log)}
	}, svctest.Options{})
}

// roundLine is the original's printf: "%5d Writes %5d bytes per write
// %7.3f Seconds runtime %9.3f TP/s %7.3f MB/s.".
var roundLine = regexp.MustCompile(`^ *(\d+) Writes +(\d+) bytes per write +\d+\.\d{3} Seconds runtime +\d+\.\d{3} TP/s +\d+\.\d{3} MB/s\.$`)

func TestRounds(t *testing.T) {
	c := newCluster(t)
	var out, errOut bytes.Buffer
	if code := run([]string{"-d", c.RunDir(1), "-rounds", "3", "-duration", "100ms"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 6 || strings.Join(lines[:3], "\n") != "Init result 1\nJoin result 1\nLeave result 1" {
		t.Fatalf("output:\n%s", out.String())
	}
	var writes uint64
	for i, l := range lines[3:] {
		m := roundLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("round line %q does not match the original's format", l)
		}
		if want := []string{"1", "1001", "2001"}[i]; m[2] != want {
			t.Fatalf("round %d: size %s, want %s", i, m[2], want)
		}
		n, _ := strconv.ParseUint(m[1], 10, 64)
		writes += n
	}
	// Every write counted was accepted by the executive; at most the
	// window of calls cut short by each round's end were accepted but
	// not counted.
	var sent uint64
	c.Do(func() { sent = c.Service(1, service.EVS).(*svcevs.EVS).Stats().Sent })
	if sent < writes || sent > writes+3*10 {
		t.Fatalf("counted %d writes, the executive accepted %d", writes, sent)
	}
}

func TestJSONFixedSize(t *testing.T) {
	c := newCluster(t)
	var out, errOut bytes.Buffer
	if code := run([]string{"-d", c.RunDir(2), "-rounds", "2", "-duration", "100ms", "-size", "300", "-window", "3", "-json"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON object per round:\n%s", out.String())
	}
	for _, l := range lines {
		var r Round
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if r.Size != 300 || r.Seconds <= 0 || !near(r.TPS, float64(r.Writes)/r.Seconds) ||
			!near(r.MBPS, float64(r.Writes)*300/r.Seconds/1e6) {
			t.Fatalf("round %+v", r)
		}
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// syncWriter is an output buffer that tells a waiting test when it grows.
type syncWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	change chan struct{}
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n, err := w.buf.Write(p)
	select {
	case w.change <- struct{}{}:
	default:
	}
	return n, err
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// Ctrl-C in the middle of a long round ends evsbench cleanly, without a
// line for the partial round.
func TestInterrupt(t *testing.T) {
	c := newCluster(t)
	out := &syncWriter{change: make(chan struct{}, 1)}
	var errOut bytes.Buffer
	done := make(chan int, 1)
	go func() { done <- run([]string{"-d", c.RunDir(1), "-duration", "1h"}, out, &errOut) }()
	// "Leave result 1" comes after the signal handler is installed.
	timeout := time.After(time.Minute)
	for !strings.Contains(out.String(), "Leave result 1\n") {
		select {
		case <-out.change:
		case code := <-done:
			t.Fatalf("exit %d before the first round: %s", code, errOut.String())
		case <-timeout:
			t.Fatalf("no header:\n%s", out.String())
		}
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("evsbench did not stop on SIGINT")
	}
	if got := out.String(); got != "Init result 1\nJoin result 1\nLeave result 1\n" {
		t.Fatalf("output:\n%s", got)
	}
}
