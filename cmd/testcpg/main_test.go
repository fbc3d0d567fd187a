package main

import (
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"testing"
	"time"

	"goais/internal/svctest"
	"goais/internal/testout"
	"goais/service"
	"goais/service/cpg"
)

func cluster(t *testing.T) *svctest.Cluster {
	return svctest.New(t, 2, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{cpg.NewLibrary(env(service.CPG), log)}
	}, svctest.Options{})
}

type session struct {
	in   *io.PipeWriter
	out  *testout.Buffer
	code chan int
}

func start(t *testing.T, dir string, args ...string) *session {
	r, w := io.Pipe()
	s := &session{in: w, out: testout.New(), code: make(chan int, 1)}
	go func() { s.code <- run(context.Background(), append([]string{"-d", dir}, args...), r, s.out, s.out) }()
	t.Cleanup(func() { w.Close() })
	return s
}

func (s *session) typeLine(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(s.in, line+"\n"); err != nil {
		t.Fatal(err)
	}
}

func (s *session) exit(t *testing.T) string {
	t.Helper()
	select {
	case code := <-s.code:
		if code != 0 {
			t.Fatalf("testcpg exited %d:\n%s", code, s.out)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("testcpg did not exit:\n%s", s.out)
	}
	return s.out.String()
}

var deliverLine = regexp.MustCompile(`(?m)^DeliverCallback: message \(len=\d+\)from node/pid \d+/\d+: '[^']*\n'$`)

func TestTwoNodesSeeTheSameLinesInOrder(t *testing.T) {
	c := cluster(t)
	a := start(t, c.RunDir(1))
	a.out.WaitFor(t, "Type EXIT to finish", 10*time.Second)
	b := start(t, c.RunDir(2), "-i")
	b.out.WaitFor(t, "Type EXIT to finish", 10*time.Second)
	a.out.WaitFor(t, "nodes in group now 2", 10*time.Second)

	a.typeLine(t, "one")
	b.typeLine(t, "two")
	a.typeLine(t, "three")
	b.out.WaitFor(t, "'three\n'", 10*time.Second)
	a.out.WaitFor(t, "'three\n'", 10*time.Second)
	b.typeLine(t, "EXIT")
	b.out.WaitFor(t, "We have left the building", 10*time.Second)
	a.out.WaitFor(t, "left node/pid: 2/", 10*time.Second)
	a.in.Close() // end of input leaves too
	outA, outB := a.exit(t), b.exit(t)

	for _, want := range []string{"Local node id is 1\n", "ConfchgCallback: group 'GROUP'\n", "joined node/pid: 1/", " reason: 1\n",
		"left node/pid: 2/", " reason: 2\n", "We have left the building\n", "Finalize  result is 1 (should be 1)\n"} {
		if !strings.Contains(outA, want) {
			t.Errorf("node 1 output lacks %q:\n%s", want, outA)
		}
	}
	// -i prints node ids as IPv4 addresses (nodeid 2 → 2.0.0.0).
	if !strings.Contains(outB, "Local node id is 2\n") || !strings.Contains(outB, "from node/pid 1.0.0.0/") {
		t.Errorf("node 2 output with -i:\n%s", outB)
	}
	texts := func(out string) []string {
		var l []string
		for _, m := range regexp.MustCompile(`: '([^']*)\n'`).FindAllStringSubmatch(out, -1) {
			l = append(l, m[1])
		}
		return l
	}
	// Both see all three lines in one order, each node's own in the order
	// typed.
	ta, tb := strings.Join(texts(outA), ","), strings.Join(texts(outB), ",")
	if ta != tb || len(texts(outA)) != 3 || strings.Index(ta, "one") > strings.Index(ta, "three") {
		t.Errorf("node 1 delivered %q, node 2 %q", ta, tb)
	}
	if n := len(deliverLine.FindAllString(outA, -1)); n != 3 {
		t.Errorf("node 1 printed %d DeliverCallback lines in the original's format:\n%s", n, outA)
	}
}

func TestNoExecutive(t *testing.T) {
	out := testout.New()
	code := run(context.Background(), []string{"-d", t.TempDir()}, strings.NewReader(""), out, out)
	if code != 1 || !strings.Contains(out.String(), "is aisexec running?") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
