package main

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/internal/svctest"
	"goais/internal/testout"
	"goais/service"
	svcevs "goais/service/evs"
)

func newCluster(t *testing.T, n int, opt svctest.Options) *svctest.Cluster {
	return svctest.New(t, n, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{svcevs.New(env(service.EVS), log)}
	}, opt)
}

// header is what testevs prints before it sends, on node 1 of three.
const header = `Current membership from evs_membership_get entries 3
member [0] is 1
member [1] is 2
member [2] is 3
local processor from evs_membership_get 1
Init result 1
Join result 1
Leave result 1
`

func deliveries(n int) string {
	var b strings.Builder
	for _, api := range []string{"evs_mcast_joined", "evs_mcast_groups"} {
		for i := range n {
			fmt.Fprintf(&b, "API '%s' msg '%s: This is message %d'\n", api, api, i)
		}
	}
	return b.String()
}

func TestAlone(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{})
	var out, errOut bytes.Buffer
	if code := run([]string{"-d", c.RunDir(1), "-n", "20", "-t", "1m"}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if want := header + deliveries(20); out.String() != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

// Two instances on different nodes see each other's messages too, and
// both end once their own came back.
func TestTwoInstances(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{})
	var wg sync.WaitGroup
	outs := make([]bytes.Buffer, 2)
	for i := range outs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var errOut bytes.Buffer
			if code := run([]string{"-d", c.RunDir(service.NodeID(i + 1)), "-n", "30"}, &outs[i], &errOut); code != 0 {
				t.Errorf("instance %d: exit %d: %s", i+1, code, errOut.String())
			}
		}()
	}
	wg.Wait()
	for i := range outs {
		got := outs[i].String()
		for n := range 30 {
			line := fmt.Sprintf("msg 'evs_mcast_joined: This is message %d'\n", n)
			// Its own message at least; the other's when it was still
			// dispatching.
			if strings.Count(got, line) < 1 {
				t.Fatalf("instance %d lacks %q:\n%s", i+1, line, got)
			}
		}
	}
}

// A node fails while testevs waits for room to send: it prints both
// configuration changes, then its messages once the ring moves again.
func TestConfigurationChange(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{QueueLimit: 2})
	c.Hold()
	p := testout.Start(t, func(_ io.Reader, stdout, stderr io.Writer) int {
		return run([]string{"-d", c.RunDir(1), "-n", "5"}, stdout, stderr)
	})
	p.Out.WaitFor(t, "Leave result 1\n", time.Minute)
	c.Crash(3)
	c.Release()
	if code := p.Wait(t, time.Minute); code != 0 {
		t.Fatalf("exit %d: %s", code, p.Err.String())
	}
	want := header + `CONFIGURATION CHANGE
--------------------
New configuration
1
2
Members Left:
3
Members Joined:
CONFIGURATION CHANGE
--------------------
New configuration
1
2
Members Left:
Members Joined:
` + deliveries(5)
	if out := p.Out.String(); out != want {
		t.Fatalf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestNoExecutive(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"-d", t.TempDir()}, &out, &errOut); code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "Couldn't initialize EVS service") || errOut.Len() == 0 {
		t.Fatalf("output %q, errors %q", out.String(), errOut.String())
	}
}
