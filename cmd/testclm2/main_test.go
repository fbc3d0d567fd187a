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

// start runs testclm2 in the background with ctx and args.
func start(t *testing.T, ctx context.Context, args ...string) *testout.Program {
	return testout.Start(t, func(stdin io.Reader, stdout, stderr io.Writer) int {
		return runContext(ctx, args, stdin, stdout, stderr)
	})
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
	p := start(t, context.Background(), "-d", c.RunDir(2), "query")
	if code := p.Wait(t, deadline); code != 0 {
		t.Fatalf("exit %d: %s", code, p.Err.String())
	}
	want := "AIS version supported: B.1.1\n" +
		"called: saClmInitialize, status: SA_AIS_OK\n" +
		"called: saClmClusterTrack, status: SA_AIS_OK\n" +
		"view number: 3\n" +
		"number of items: 3\n" +
		nodeLines(1, true, 1, "NO_CHANGE") + nodeLines(2, true, 2, "NO_CHANGE") + nodeLines(3, true, 3, "NO_CHANGE") +
		"called: saClmFinalize, status: SA_AIS_OK\n"
	if out := p.Out.String(); out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestCallbackModes(t *testing.T) {
	c := newCluster(t, 3)
	ctx, interrupt := context.WithCancel(context.Background())
	full := start(t, ctx, "-d", c.RunDir(1), "callback", "full")
	delta := start(t, ctx, "-d", c.RunDir(2), "callback", "delta")
	head := "AIS version supported: B.1.1\n" +
		"called: saClmInitialize, status: SA_AIS_OK\n" +
		"called: saClmSelectionObjectGet, status: SA_AIS_OK\n" +
		"called: saClmClusterTrack, status: SA_AIS_OK\n"
	full.Out.WaitFor(t, head, deadline)
	delta.Out.WaitFor(t, head, deadline)

	c.Crash(3)
	left := nodeLines(3, false, 3, "LEFT")
	out := full.Out.WaitFor(t, "number of members: 2\n", deadline)
	if want := head + "view number: 4\nnumber of items: 3\n" + nodeLines(1, true, 1, "NO_CHANGE") +
		nodeLines(2, true, 2, "NO_CHANGE") + left + "number of members: 2\n"; out != want {
		t.Fatalf("full after the crash:\n%s\nwant:\n%s", out, want)
	}
	out = delta.Out.WaitFor(t, "number of members: 2\n", deadline)
	if want := head + "view number: 4\nnumber of items: 1\n" + left + "number of members: 2\n"; out != want {
		t.Fatalf("delta after the crash:\n%s\nwant:\n%s", out, want)
	}

	c.Add(5)
	out = delta.Out.WaitFor(t, "number of members: 3\n", deadline)
	if !strings.HasSuffix(out, "view number: 5\nnumber of items: 1\n"+nodeLines(5, true, 5, "JOINED")+"number of members: 3\n") {
		t.Fatalf("delta after the add:\n%s", out)
	}
	full.Out.WaitFor(t, "number of members: 3\n", deadline)

	// SIGINT: track stop and finalize.
	interrupt()
	end := "called: saClmClusterTrackStop, status: SA_AIS_OK\ncalled: saClmFinalize, status: SA_AIS_OK\n"
	for name, p := range map[string]*testout.Program{"full": full, "delta": delta} {
		if code := p.Wait(t, deadline); code != 0 || !strings.HasSuffix(p.Out.String(), "number of members: 3\n"+end) {
			t.Fatalf("%s: exit %d\n%s", name, code, p.Out.String())
		}
	}
}

// The executive going away ends the callback mode with the error.
func TestExecutiveGone(t *testing.T) {
	c := newCluster(t, 2)
	p := start(t, context.Background(), "-d", c.RunDir(2), "callback", "full")
	p.Out.WaitFor(t, "called: saClmClusterTrack, status: SA_AIS_OK\n", deadline)
	c.Crash(2)
	if code := p.Wait(t, deadline); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if out := p.Out.String(); !strings.HasSuffix(out, "called: saClmDispatch, status: SA_AIS_ERR_LIBRARY\n"+
		"called: saClmClusterTrackStop, status: SA_AIS_ERR_LIBRARY\ncalled: saClmFinalize, status: SA_AIS_OK\n") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestLimitAndErrors(t *testing.T) {
	c := newCluster(t, 1)
	p := start(t, context.Background(), "-d", c.RunDir(1), "-t", "1ms", "callback", "delta")
	if code := p.Wait(t, deadline); code != 0 || !strings.HasSuffix(p.Out.String(), "called: saClmFinalize, status: SA_AIS_OK\n") {
		t.Fatalf("-t: exit %d\n%s", code, p.Out.String())
	}

	q := start(t, context.Background(), "-d", t.TempDir(), "query")
	if code := q.Wait(t, deadline); code != 1 {
		t.Fatalf("no executive: exit %d", code)
	}
	if out := q.Out.String(); out != "AIS version supported: B.1.1\ncalled: saClmInitialize, status: SA_AIS_ERR_LIBRARY\n" {
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
