package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpgProc is one CPG client process (see cpgchild_test.go).
type cpgProc struct {
	t     testing.TB
	name  string
	node  int
	pid   int
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

// startCPGClient starts a client process on node id of c and waits until
// it has joined group "g".
func (c *procCluster) startCPGClient(id int, name string) *cpgProc {
	c.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cpgChildEnv+"="+c.procs[id].dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		c.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	p := &cpgProc{t: c.t, name: name, node: id, cmd: cmd, stdin: stdin, lines: make(chan string, 1024)}
	c.t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
	}()
	f := strings.Fields(p.expect("ready", 20*time.Second))
	p.pid, _ = strconv.Atoi(f[2])
	return p
}

// expect returns the next line starting with prefix, skipping others; an
// "error" line or the end of output fails the test.
func (p *cpgProc) expect(prefix string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.t.Fatalf("client %s exited while waiting for %q", p.name, prefix)
			}
			if strings.HasPrefix(l, "error") {
				p.t.Fatalf("client %s: %s", p.name, l)
			}
			if strings.HasPrefix(l, prefix) {
				return l
			}
		case <-deadline:
			p.t.Fatalf("client %s: no %q line within %v", p.name, prefix, timeout)
		}
	}
}

// expectConfchg waits for a configuration change line containing want.
func (p *cpgProc) expectConfchg(want string, timeout time.Duration) string {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		l := p.expect("confchg", time.Until(deadline))
		if strings.Contains(l, want) {
			return l
		}
		p.t.Logf("client %s: skipping %s", p.name, l)
	}
}

func (p *cpgProc) send(cmd string) {
	p.t.Helper()
	if _, err := fmt.Fprintln(p.stdin, cmd); err != nil {
		p.t.Fatalf("client %s: %v", p.name, err)
	}
}

// members renders a member list as the child prints it.
func members(ps ...*cpgProc) string {
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("%d/%d:0", p.node, p.pid))
	}
	return "members=[" + strings.Join(parts, ",") + "]"
}

// waitAll asks every client to wait for total deliveries and checks they
// saw the same order, without gaps, duplicates or corruption.
func waitAll(t *testing.T, clients []*cpgProc, total int, timeout time.Duration) string {
	t.Helper()
	for _, p := range clients {
		p.send(fmt.Sprintf("wait %d", total))
	}
	var first string
	for _, p := range clients {
		l := p.expect("delivered", timeout)
		if !strings.HasSuffix(l, `errors ""`) {
			t.Fatalf("client %s: %s", p.name, l)
		}
		f := strings.Fields(l)
		if f[1] != strconv.Itoa(total) {
			t.Fatalf("client %s delivered %s messages, want %d: %s", p.name, f[1], total, l)
		}
		if first == "" {
			first = l
		} else if l != first {
			t.Fatalf("clients disagree:\n%s: %s\nfirst: %s", p.name, l, first)
		}
	}
	return first
}

// TestProcessCPG runs CPG clients as processes on three executives on
// loopback: two per node in one group. Every client receives every
// message once, intact, in one order (equal order hashes); 1 MiB messages
// arrive intact; a client flooding faster than the ring gets try-again
// while the executive's memory stays bounded; a killed client gives
// PROCDOWN everywhere and a killed executive NODEDOWN.
func TestProcessCPG(t *testing.T) {
	c := newProcCluster(t, 3, time.Second)
	c.waitRing(30*time.Second, 1, 2, 3)

	var clients []*cpgProc
	for id := 1; id <= 3; id++ {
		for k := range 2 {
			clients = append(clients, c.startCPGClient(id, fmt.Sprintf("n%d.%d", id, k)))
		}
	}
	all := members(sortedByNode(clients)...)
	for _, p := range clients {
		p.expectConfchg(all, 20*time.Second)
	}

	// Six senders at once, mixed sizes up to a fragmented 100 KB.
	sizes := []int{64, 1000, 8000, 100000, 300, 2000}
	for i, p := range clients {
		p.send(fmt.Sprintf("send 200 %d", sizes[i]))
	}
	for _, p := range clients {
		p.expect("sent", 60*time.Second)
	}
	total := 6 * 200
	waitAll(t, clients, total, 60*time.Second)

	// 1 MiB messages from two nodes.
	clients[0].send("big")
	clients[5].send("big")
	clients[0].expect("sent big", 30*time.Second)
	clients[5].expect("sent big", 30*time.Second)
	total += 2
	if l := waitAll(t, clients, total, 60*time.Second); !strings.Contains(l, " big 2 ") {
		t.Fatalf("1 MiB messages: %s", l)
	}

	// A flooding client gets try-again; the executive does not balloon.
	before := rss(t, c.procs[1].cmd.Process.Pid)
	clients[0].send("flood 3s")
	l := clients[0].expect("flooded", 60*time.Second)
	var sent, again int
	fmt.Sscanf(l, "flooded sent=%d tryagain=%d", &sent, &again)
	if sent == 0 || again == 0 {
		t.Fatalf("flood: %s; want messages sent and try-again answers", l)
	}
	total += sent
	waitAll(t, clients, total, 120*time.Second)
	after := rss(t, c.procs[1].cmd.Process.Pid)
	t.Logf("flood: %d sent, %d try-again; executive RSS %d kB before, %d kB after", sent, again, before, after)
	if after > 256<<10 {
		t.Fatalf("executive RSS %d kB after the flood", after)
	}

	// A client killed: PROCDOWN (5) everywhere.
	victim := clients[3]
	victim.cmd.Process.Signal(syscall.SIGKILL)
	rest := append(append([]*cpgProc{}, clients[:3]...), clients[4:]...)
	for _, p := range rest {
		p.expectConfchg(fmt.Sprintf("left=[%d/%d:5]", victim.node, victim.pid), 20*time.Second)
	}

	// An executive killed: its clients are NODEDOWN (3) at the
	// survivors; messaging goes on in one order.
	c.kill(3)
	lost := sortedByNode(clients[4:])
	survivors := clients[:3]
	for _, p := range survivors {
		p.expectConfchg(fmt.Sprintf("left=[%d/%d:3,%d/%d:3]", lost[0].node, lost[0].pid, lost[1].node, lost[1].pid), 30*time.Second)
	}
	for _, p := range lost {
		p.expect("disconnected", 20*time.Second)
	}
	for _, p := range survivors {
		p.send("send 50 500")
	}
	for _, p := range survivors {
		p.expect("sent", 30*time.Second)
	}
	// Survivors delivered everything so far plus what the victims sent
	// before dying (nothing new) plus 150.
	for _, p := range survivors {
		p.send(fmt.Sprintf("wait %d", total+150))
	}
	var first string
	for _, p := range survivors {
		l := p.expect("delivered", 60*time.Second)
		if !strings.HasSuffix(l, `errors ""`) || !strings.HasPrefix(l, fmt.Sprintf("delivered %d ", total+150)) {
			t.Fatalf("client %s after the failures: %s", p.name, l)
		}
		if first != "" && l != first {
			t.Fatalf("survivors disagree: %s vs %s", l, first)
		}
		first = l
	}
}

func sortedByNode(ps []*cpgProc) []*cpgProc {
	out := append([]*cpgProc{}, ps...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].node < out[i].node || out[j].node == out[i].node && out[j].pid < out[i].pid {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// rss is a process's resident set in kB.
func rss(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
