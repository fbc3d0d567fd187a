package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	clientcpg "goais/client/cpg"
	"goais/internal/svctest"
	"goais/internal/testout"
	"goais/service"
	"goais/service/cpg"
)

func TestListsGroupsAndMembers(t *testing.T) {
	c := svctest.New(t, 2, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{cpg.NewLibrary(env(service.CPG), log)}
	}, svctest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	join := func(node service.NodeID, pid uint32, group string) {
		cl, err := clientcpg.Dial(ctx, clientcpg.Options{RunDir: c.RunDir(node), PID: pid})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cl.Close() })
		if err := cl.Join(ctx, group); err != nil {
			t.Fatal(err)
		}
		for {
			ev, err := cl.Next(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := ev.(*clientcpg.Confchg); ok {
				return
			}
		}
	}
	join(1, 100, "beta")
	join(2, 200, "alpha")
	join(2, 201, "be\x01ta")

	out := testout.New()
	if code := run([]string{"-d", c.RunDir(1)}, out, out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	want := "Group Name\t       PID\t   Node ID\n" +
		"alpha\n\t\t       200\t         2 (unknown)\n" +
		"be\\x01ta\n\t\t       201\t         2 (unknown)\n" +
		"beta\n\t\t       100\t         1 (unknown)\n"
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}

	out = testout.New()
	run([]string{"-d", c.RunDir(2), "-n", "-e"}, out, out)
	if got := out.String(); got != "alpha\nbe\x01ta\nbeta\n" {
		t.Errorf("-n -e: %q", got)
	}
	out = testout.New()
	run([]string{"-d", c.RunDir(2), "-D", ";"}, out, out)
	if got := out.String(); !strings.Contains(got, "alpha;200;2\n") {
		t.Errorf("-D: %q", got)
	}
}
