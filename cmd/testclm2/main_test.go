package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/internal/svctest"
	"goais/service"
	clmsvc "goais/service/clm"
)

const deadline = 20 * time.Second

var boot = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func bootOf(id service.NodeID) time.Time { return boot.Add(time.Duration(id) * time.Second) }

func newCluster(t *testing.T, n int) *svctest.Cluster {
	return svctest.New(t, n, func(self service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{clmsvc.New(env(service.CLM), clmsvc.Config{Self: clmsvc.NodeInfo{
			Address: netip.AddrFrom4([4]byte{127, 0, 0, byte(self)}), Name: fmt.Sprintf("node%d", self), BootTime: bootOf(self)}}, log)}
	}, svctest.Options{})
}

// output collects what the program prints and lets the test wait for a
// line to appear.
type output struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newOutput() *output { return &output{changed: make(chan struct{}, 1)} }

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.b.Write(p)
	select {
	case o.changed <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// waitFor waits until the output holds s and returns the output.
func (o *output) waitFor(t *testing.T, s string) string {
	t.Helper()
	timeout := time.After(deadline)
	for {
		if out := o.String(); strings.Contains(out, s) {
			return out
		}
		select {
		case <-o.changed:
		case <-timeout:
			t.Fatalf("output never held %q; it is:\n%s", s, o.String())
		}
	}
}

// program runs testclm in the background.
type program struct {
	out   *output
	errs  *output
	stdin *io.PipeWriter
	code  chan int
}

func start(ctx context.Context, args ...string) *program {
	r, w := io.Pipe()
	p := &program{out: newOutput(), errs: newOutput(), stdin: w, code: make(chan int, 1)}
	go func() {
		p.code <- runContext(ctx, args, r, p.out, p.errs)
		r.Close()
	}()
	return p
}

func (p *program) wait(t *testing.T) int {
	t.Helper()
	select {
	case c := <-p.code:
		return c
	case <-time.After(deadline):
		t.Fatalf("testclm2 did not end; output:\n%s", p.out.String())
	}
	return -1
}

// nodeLines is what testclm2 prints for node id.
func nodeLines(id service.NodeID, member bool, initialView uint64, change string) string {
	m := "yes"
	if !member {
		m = "no"
	}
	return fmt.Sprintf("node id: %d\n\taddress: 127.0.0.%d (INET)\n\tname: node%d\n\tmember: %s\n\tbooted: %s\n"+
		"\tinitial view: %d\n\tcluster change: SA_CLM_NODE_%s\n",
		id, id, id, m, bootOf(id).Local().Format(time.ANSIC), initialView, change)
}

func TestQuery(t *testing.T) {
	c := newCluster(t, 3)
	p := start(context.Background(), "-d", c.RunDir(2), "query")
	defer p.stdin.Close()
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d: %s", code, p.errs.String())
	}
	want := "AIS version supported: B.1.1\n" +
		"called: saClmInitialize, status: SA_AIS_OK\n" +
		"called: saClmClusterTrack, status: SA_AIS_OK\n" +
		"view number: 3\n" +
		"number of items: 3\n" +
		nodeLines(1, true, 1, "NO_CHANGE") + nodeLines(2, true, 2, "NO_CHANGE") + nodeLines(3, true, 3, "NO_CHANGE") +
		"called: saClmFinalize, status: SA_AIS_OK\n"
	if out := p.out.String(); out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestCallbackModes(t *testing.T) {
	c := newCluster(t, 3)
	ctx, interrupt := context.WithCancel(context.Background())
	full := start(ctx, "-d", c.RunDir(1), "callback", "full")
	delta := start(ctx, "-d", c.RunDir(2), "callback", "delta")
	defer full.stdin.Close()
	defer delta.stdin.Close()
	head := "AIS version supported: B.1.1\n" +
		"called: saClmInitialize, status: SA_AIS_OK\n" +
		"called: saClmSelectionObjectGet, status: SA_AIS_OK\n" +
		"called: saClmClusterTrack, status: SA_AIS_OK\n"
	full.out.waitFor(t, head)
	delta.out.waitFor(t, head)

	c.Crash(3)
	left := nodeLines(3, false, 3, "LEFT")
	out := full.out.waitFor(t, "number of members: 2\n")
	if want := head + "view number: 4\nnumber of items: 3\n" + nodeLines(1, true, 1, "NO_CHANGE") +
		nodeLines(2, true, 2, "NO_CHANGE") + left + "number of members: 2\n"; out != want {
		t.Fatalf("full after the crash:\n%s\nwant:\n%s", out, want)
	}
	out = delta.out.waitFor(t, "number of members: 2\n")
	if want := head + "view number: 4\nnumber of items: 1\n" + left + "number of members: 2\n"; out != want {
		t.Fatalf("delta after the crash:\n%s\nwant:\n%s", out, want)
	}

	c.Add(5)
	out = delta.out.waitFor(t, "number of members: 3\n")
	if !strings.HasSuffix(out, "view number: 5\nnumber of items: 1\n"+nodeLines(5, true, 5, "JOINED")+"number of members: 3\n") {
		t.Fatalf("delta after the add:\n%s", out)
	}
	full.out.waitFor(t, "number of members: 3\n")

	// SIGINT: track stop and finalize.
	interrupt()
	end := "called: saClmClusterTrackStop, status: SA_AIS_OK\ncalled: saClmFinalize, status: SA_AIS_OK\n"
	for name, p := range map[string]*program{"full": full, "delta": delta} {
		if code := p.wait(t); code != 0 || !strings.HasSuffix(p.out.String(), "number of members: 3\n"+end) {
			t.Fatalf("%s: exit %d\n%s", name, code, p.out.String())
		}
	}
}

// The executive going away ends the callback mode with the error.
func TestExecutiveGone(t *testing.T) {
	c := newCluster(t, 2)
	p := start(context.Background(), "-d", c.RunDir(2), "callback", "full")
	defer p.stdin.Close()
	p.out.waitFor(t, "called: saClmClusterTrack, status: SA_AIS_OK\n")
	c.Crash(2)
	if code := p.wait(t); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if out := p.out.String(); !strings.HasSuffix(out, "called: saClmDispatch, status: SA_AIS_ERR_LIBRARY\n"+
		"called: saClmClusterTrackStop, status: SA_AIS_ERR_LIBRARY\ncalled: saClmFinalize, status: SA_AIS_OK\n") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestLimitAndErrors(t *testing.T) {
	c := newCluster(t, 1)
	p := start(context.Background(), "-d", c.RunDir(1), "-t", "1ms", "callback", "delta")
	defer p.stdin.Close()
	if code := p.wait(t); code != 0 || !strings.HasSuffix(p.out.String(), "called: saClmFinalize, status: SA_AIS_OK\n") {
		t.Fatalf("-t: exit %d\n%s", code, p.out.String())
	}

	q := start(context.Background(), "-d", t.TempDir(), "query")
	defer q.stdin.Close()
	if code := q.wait(t); code != 1 {
		t.Fatalf("no executive: exit %d", code)
	}
	if out := q.out.String(); out != "AIS version supported: B.1.1\ncalled: saClmInitialize, status: SA_AIS_ERR_LIBRARY\n" {
		t.Fatalf("no executive: %q", out)
	}

	for _, args := range [][]string{nil, {"callback"}, {"callback", "half"}, {"query", "x"}, {"-x", "query"}} {
		var out, errs strings.Builder
		if code := runContext(context.Background(), args, strings.NewReader(""), &out, &errs); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
		if !strings.Contains(errs.String(), "usage: testclm2") {
			t.Errorf("%v: stderr %q", args, errs.String())
		}
	}
}
