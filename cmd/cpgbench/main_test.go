package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

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

var line = regexp.MustCompile(`^ *(\d+) messages received +(\d+) bytes per write +\d+\.\d{3} Seconds runtime +\d+\.\d{3} TP/s +\d+\.\d{3} MB/s\.$`)

func TestRoundsPrintTheOriginalLine(t *testing.T) {
	c := cluster(t)
	out := testout.New()
	code := run(context.Background(), []string{"-d", c.RunDir(1), "-sizes", "64,1000,70000", "-duration", "200ms"}, out, out)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want 3 lines:\n%s", out)
	}
	for i, want := range []string{"64", "1000", "70000"} {
		m := line.FindStringSubmatch(lines[i])
		if m == nil || m[2] != want || m[1] == "0" {
			t.Errorf("line %d %q: want the original's format, size %s and messages received", i, lines[i], want)
		}
	}
}

func TestJSON(t *testing.T) {
	c := cluster(t)
	out := testout.New()
	if code := run(context.Background(), []string{"-d", c.RunDir(2), "-size", "512", "-rounds", "2", "-duration", "100ms", "-json"}, out, out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines:\n%s", out)
	}
	for _, l := range lines {
		var r Round
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		if r.Size != 512 || r.Messages == 0 || r.Sent == 0 || r.Seconds <= 0 || r.TPS <= 0 {
			t.Errorf("round %+v", r)
		}
	}
}

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{{"-size", "5", "-sizes", "1"}, {"-sizes", "1,x"}, {"-size", "2000000"}, {"-duration", "0s"}, {"extra"}} {
		out := testout.New()
		if code := run(context.Background(), args, out, out); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	plan, err := roundSizes(0, "", 3)
	if err != nil || len(plan) != 3 || plan[0] != 1 || plan[1] != 1001 || plan[2] != 2001 {
		t.Errorf("default plan %v, %v", plan, err)
	}
}
