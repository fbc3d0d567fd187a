package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"goais/internal/svctest"
	"goais/internal/testout"
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

// start runs testclm in the background with ctx and args.
func start(t *testing.T, ctx context.Context, args ...string) *testout.Program {
	return testout.Start(t, func(stdin io.Reader, stdout, stderr io.Writer) int {
		return runContext(ctx, args, stdin, stdout, stderr)
	})
}

func nodeBlock(label string, id service.NodeID, initialView uint64) string {
	return fmt.Sprintf("Node Information for %s\n\tnode id is %d (0x%x)\n\tnode address is 127.0.0.%d (family INET)\n"+
		"\tnode name is node%d\n\tmember is 1\n\ttimestamp is %d nanoseconds\n\tinitial view number is %d\n",
		label, id, id, id, id, bootOf(id).UnixNano(), initialView)
}

func TestTestclm(t *testing.T) {
	c := newCluster(t, 3)
	p := start(t, context.Background(), "-d", c.RunDir(1))
	out := p.Out.WaitFor(t, "Press Enter to stop tracking.\n", deadline)
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
	out = strings.TrimPrefix(p.Out.WaitFor(t, "NodeGetCallback invocation 57 error 7\n", deadline), want)
	want = nodeBlock("NODEGETCALLBACK invocation 55", 1, 1) + nodeBlock("NODEGETCALLBACK invocation 56", 1, 1) +
		"NodeGetCallback invocation 57 error 7\n"
	if out != want {
		t.Fatalf("node get callbacks:\n%s\nwant:\n%s", out, want)
	}

	// A node leaves, another joins. Each callback's block ends with its
	// "Done" line, so wait for that before checking the block.
	c.Crash(3)
	out = p.Out.WaitFor(t, "NODE STATE LEFT\nDone calling trackCallback\n", deadline)
	left := "TrackCallback: view number 4, 3 items, 2 members\n" +
		nodeBlock("TRACKCALLBACK", 1, 1) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 2, 2) + "NODE STATE NO CHANGE\n" +
		strings.Replace(nodeBlock("TRACKCALLBACK", 3, 3), "member is 1", "member is 0", 1) + "NODE STATE LEFT\n" +
		"Done calling trackCallback\n"
	if !strings.Contains(out, left) {
		t.Fatalf("crash:\n%s\nwant it to hold:\n%s", out, left)
	}
	c.Add(4)
	out = p.Out.WaitFor(t, "NODE STATE JOINED\nDone calling trackCallback\n", deadline)
	joined := "TrackCallback: view number 5, 3 items, 3 members\n" +
		nodeBlock("TRACKCALLBACK", 1, 1) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 2, 2) + "NODE STATE NO CHANGE\n" +
		nodeBlock("TRACKCALLBACK", 4, 5) + "NODE STATE JOINED\n" +
		"Done calling trackCallback\n"
	if !strings.Contains(out, joined) {
		t.Fatalf("add:\n%s\nwant it to hold:\n%s", out, joined)
	}

	// Enter ends it.
	p.Type(t, "")
	if code := p.Wait(t, deadline); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if out := p.Out.String(); !strings.HasSuffix(out, "Done calling trackCallback\nTrackStop result is 1 (should be 1)\nFinalize  result is 1 (should be 1)\n") {
		t.Fatalf("end:\n%s", out)
	}
}

// End of input, the -t limit and SIGINT end the dispatch loop too.
func TestTestclmEnds(t *testing.T) {
	c := newCluster(t, 1)
	const end = "TrackStop result is 1 (should be 1)\nFinalize  result is 1 (should be 1)\n"

	p := start(t, context.Background(), "-d", c.RunDir(1))
	p.Out.WaitFor(t, "Press Enter", deadline)
	p.In.Close()
	if code := p.Wait(t, deadline); code != 0 || !strings.HasSuffix(p.Out.String(), end) {
		t.Fatalf("EOF: exit %d\n%s", code, p.Out.String())
	}

	p = start(t, context.Background(), "-d", c.RunDir(1), "-t", "1ms")
	if code := p.Wait(t, deadline); code != 0 || !strings.HasSuffix(p.Out.String(), end) {
		t.Fatalf("-t: exit %d\n%s", code, p.Out.String())
	}

	ctx, interrupt := context.WithCancel(context.Background())
	p = start(t, ctx, "-d", c.RunDir(1))
	p.Out.WaitFor(t, "Press Enter", deadline)
	interrupt()
	if code := p.Wait(t, deadline); code != 0 || !strings.HasSuffix(p.Out.String(), end) {
		t.Fatalf("SIGINT: exit %d\n%s", code, p.Out.String())
	}
}

func TestTestclmNoExecutive(t *testing.T) {
	p := start(t, context.Background(), "-d", t.TempDir())
	if code := p.Wait(t, deadline); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if out := p.Out.String(); out != "Could not initialize Cluster Membership API instance error 2\n" {
		t.Fatalf("output: %q", out)
	}
	if !strings.Contains(p.Err.String(), "no executive") {
		t.Fatalf("stderr: %q", p.Err.String())
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
