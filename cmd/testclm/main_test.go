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
		t.Fatalf("testclm did not end; output:\n%s", p.out.String())
	}
	return -1
}

func nodeBlock(label string, id service.NodeID, initialView uint64) string {
	return fmt.Sprintf("Node Information for %s\n\tnode id is %d (0x%x)\n\tnode address is 127.0.0.%d (family INET)\n"+
		"\tnode name is node%d\n\tmember is 1\n\ttimestamp is %d nanoseconds\n\tinitial view number is %d\n",
		label, id, id, id, id, bootOf(id).UnixNano(), initialView)
}

func TestTestclm(t *testing.T) {
	c := newCluster(t, 3)
	p := start(context.Background(), "-d", c.RunDir(1))
	out := p.out.waitFor(t, "Press Enter to stop tracking.\n")
	want := "Result of saClmClusterNodeGet 1 (should be 1)\n" +
		nodeBlock("saClmClusterNodeGet SA_CLM_LOCAL_NODE_ID", 1, 1) +
		"saClmClusterNodeGetAsync invocation 55 node 0 result is 1 (should be 1)\n" +
		"saClmClusterNodeGetAsync invocation 56 node 1 result is 1 (should be 1)\n" +
		"saClmClusterNodeGetAsync invocation 57 node 4294967280 result is 1 (should be 1)\n" +
		"saClmSelectionObjectGet result is 1 (should be 1)\n" +
		"saClmClusterTrack result is 1 (should be 1)\n" +
		"Current membership: view number 3, 3 nodes\n" +
		nodeBlock("TRACK CURRENT", 1, 1) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACK CURRENT", 2, 2) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACK CURRENT", 3, 3) + "NODE STATE NO CHANGE\n" +
		"Press Enter to stop tracking.\n"
	if !strings.HasPrefix(out, want) {
		t.Fatalf("start:\n%s\nwant:\n%s", out, want)
	}

	// The asynchronous gets, in order.
	out = strings.TrimPrefix(p.out.waitFor(t, "NodeGetCallback invocation 57 error 7\n"), want)
	want = nodeBlock("NODEGETCALLBACK invocation 55", 1, 1) + nodeBlock("NODEGETCALLBACK invocation 56", 1, 1) +
		"NodeGetCallback invocation 57 error 7\n"
	if out != want {
		t.Fatalf("node get callbacks:\n%s\nwant:\n%s", out, want)
	}

	// A node leaves, another joins.
	c.Crash(3)
	out = p.out.waitFor(t, "NODE STATE LEFT\n")
	left := "TrackCallback: view number 4, 3 items, 2 members\n" +
		nodeBlock("TRACKCALLBACK", 1, 1) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 2, 2) + "NODE STATE NO CHANGE\n" +
		strings.Replace(nodeBlock("TRACKCALLBACK", 3, 3), "member is 1", "member is 0", 1) + "NODE STATE LEFT\n" +
		"Done calling trackCallback\n"
	if !strings.Contains(out, left) {
		t.Fatalf("crash:\n%s\nwant it to hold:\n%s", out, left)
	}
	c.Add(4)
	out = p.out.waitFor(t, "NODE STATE JOINED\n")
	joined := "TrackCallback: view number 5, 3 items, 3 members\n" +
		nodeBlock("TRACKCALLBACK", 1, 1) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 2, 2) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 4, 5) + "NODE STATE JOINED\n" +
		"Done calling trackCallback\n"
	if !strings.Contains(out, joined) {
		t.Fatalf("add:\n%s\nwant it to hold:\n%s", out, joined)
	}

	// Enter ends it.
	if _, err := p.stdin.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if out := p.out.String(); !strings.HasSuffix(out, "Done calling trackCallback\nTrackStop result is 1 (should be 1)\nFinalize  result is 1 (should be 1)\n") {
		t.Fatalf("end:\n%s", out)
	}
}

// End of input, the -t limit and SIGINT end the dispatch loop too.
func TestTestclmEnds(t *testing.T) {
	c := newCluster(t, 1)
	const end = "TrackStop result is 1 (should be 1)\nFinalize  result is 1 (should be 1)\n"

	p := start(context.Background(), "-d", c.RunDir(1))
	p.out.waitFor(t, "Press Enter")
	p.stdin.Close()
	if code := p.wait(t); code != 0 || !strings.HasSuffix(p.out.String(), end) {
		t.Fatalf("EOF: exit %d\n%s", code, p.out.String())
	}

	p = start(context.Background(), "-d", c.RunDir(1), "-t", "1ms")
	if code := p.wait(t); code != 0 || !strings.HasSuffix(p.out.String(), end) {
		t.Fatalf("-t: exit %d\n%s", code, p.out.String())
	}
	p.stdin.Close()

	ctx, interrupt := context.WithCancel(context.Background())
	p = start(ctx, "-d", c.RunDir(1))
	p.out.waitFor(t, "Press Enter")
	interrupt()
	if code := p.wait(t); code != 0 || !strings.HasSuffix(p.out.String(), end) {
		t.Fatalf("SIGINT: exit %d\n%s", code, p.out.String())
	}
	p.stdin.Close()
}

func TestTestclmNoExecutive(t *testing.T) {
	p := start(context.Background(), "-d", t.TempDir())
	defer p.stdin.Close()
	if code := p.wait(t); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if out := p.out.String(); out != "Could not initialize Cluster Membership API instance error 2\n" {
		t.Fatalf("output: %q", out)
	}
	if !strings.Contains(p.errs.String(), "no executive") {
		t.Fatalf("stderr: %q", p.errs.String())
	}
}

func TestTestclmUsage(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-x"}} {
		var out, errs strings.Builder
		if code := runContext(context.Background(), args, strings.NewReader(""), &out, &errs); code != 2 {
			t.Errorf("%v: exit %d", args, code)
		}
		if !strings.Contains(errs.String(), "usage: testclm") {
			t.Errorf("%v: stderr %q", args, errs.String())
		}
	}
}
