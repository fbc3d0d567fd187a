package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"goais/client/cfg"
)

// These tests run real aisexec processes. They build the binary once.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// aisexecBinary builds cmd/aisexec and cmd/ais-cfgtool into a shared
// temporary directory.
func aisexecBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "goais-bin-")
		if err != nil {
			buildErr = err
			return
		}
		for _, name := range []string{"aisexec", "ais-cfgtool"} {
			out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), "goais/cmd/"+name).CombinedOutput()
			if err != nil {
				buildErr = fmt.Errorf("go build %s: %v\n%s", name, err, out)
				return
			}
		}
		binPath = dir
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	if os.Getenv(cpgChildEnv) != "" {
		os.Exit(cpgChild())
	}
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(binPath)
	}
	os.Exit(code)
}

// proc is one aisexec process of a test cluster.
type proc struct {
	id     int
	ns     string // network namespace, "" for the test's own
	dir    string // run and state directory
	conf   string
	cmd    *exec.Cmd
	log    *lockedBuffer
	exited chan struct{}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// procCluster is N aisexec processes on 127.0.0.1…N with udpu.
type procCluster struct {
	t     testing.TB
	bin   string
	procs map[int]*proc
}

// freePort finds a UDP port free on every address.
func freePort(t testing.TB, addrs []string) int {
	t.Helper()
	for range 50 {
		c, err := net.ListenPacket("udp4", addrs[0]+":0")
		if err != nil {
			t.Fatal(err)
		}
		port := c.LocalAddr().(*net.UDPAddr).Port
		c.Close()
		ok := true
		for _, a := range addrs[1:] {
			c2, err := net.ListenPacket("udp4", fmt.Sprintf("%s:%d", a, port))
			if err != nil {
				ok = false
				break
			}
			c2.Close()
		}
		if ok {
			return port
		}
	}
	t.Fatal("no UDP port free on every test address")
	return 0
}

// totemTimers sets the token timeout (and consensus to 1.2 × token) with
// no per-node coefficient, so each test knows its failure detection time.
func totemTimers(token time.Duration) string {
	return fmt.Sprintf("\ttoken: %d\n\ttoken_coefficient: 0\n\tconsensus: %d\n", token.Milliseconds(), token.Milliseconds()*12/10)
}

// nodeSpec describes one executive of a test cluster: its node id, the
// network namespace it runs in ("" for the test's own) and its
// configuration, made from its private directory (run_dir and state_dir).
type nodeSpec struct {
	id   int
	ns   string
	conf func(dir string) string
}

// startCluster writes every node's configuration and starts them all.
func startCluster(t testing.TB, specs []nodeSpec) *procCluster {
	t.Helper()
	c := &procCluster{t: t, bin: aisexecBinary(t), procs: map[int]*proc{}}
	root := t.TempDir()
	for _, sp := range specs {
		p := &proc{id: sp.id, ns: sp.ns, dir: filepath.Join(root, fmt.Sprintf("node%d", sp.id))}
		if err := os.MkdirAll(p.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p.conf = filepath.Join(p.dir, "corosync.conf")
		if err := os.WriteFile(p.conf, []byte(sp.conf(p.dir)), 0o644); err != nil {
			t.Fatal(err)
		}
		c.procs[p.id] = p
	}
	t.Cleanup(c.killAll)
	for id := range c.procs {
		c.start(id)
	}
	return c
}

// newProcCluster runs n executives on 127.0.0.1…n with udpu and the given
// token timeout.
func newProcCluster(t testing.TB, n int, token time.Duration) *procCluster {
	t.Helper()
	var addrs []string
	for i := 1; i <= n; i++ {
		addrs = append(addrs, fmt.Sprintf("127.0.0.%d", i))
	}
	port := freePort(t, addrs)
	var nodelist strings.Builder
	for i, a := range addrs {
		fmt.Fprintf(&nodelist, "\tnode {\n\t\tring0_addr: %s\n\t\tnodeid: %d\n\t\tname: node%d\n\t}\n", a, i+1, i+1)
	}
	var specs []nodeSpec
	for i := range addrs {
		id := i + 1
		specs = append(specs, nodeSpec{id: id, conf: func(dir string) string {
			return fmt.Sprintf("totem {\n\tversion: 2\n\tcluster_name: test\n\ttransport: udpu\n\tnodeid: %d\n%s\tinterface {\n\t\tringnumber: 0\n\t\tmcastport: %d\n\t}\n}\n"+
				"nodelist {\n%s}\n%s", id, totemTimers(token), port, nodelist.String(), commonSections(dir))
		}})
	}
	return startCluster(t, specs)
}

// commonSections are the logging and system sections every test node uses.
func commonSections(dir string) string {
	return fmt.Sprintf("logging {\n\tto_stderr: yes\n\tto_syslog: no\n\ttimestamp: hires\n}\nsystem {\n\trun_dir: %s\n\tstate_dir: %s\n}\n", dir, dir)
}

func (c *procCluster) start(id int) {
	c.t.Helper()
	p := c.procs[id]
	p.log = &lockedBuffer{}
	args := []string{"-f", "-c", p.conf}
	if p.ns != "" {
		// ip netns exec execs the program: the PID is aisexec's.
		p.cmd = exec.Command("ip", append([]string{"netns", "exec", p.ns, filepath.Join(c.bin, "aisexec")}, args...)...)
	} else {
		p.cmd = exec.Command(filepath.Join(c.bin, "aisexec"), args...)
	}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.Env = append(os.Environ(), "AIS_RUN_DIR=")
	if err := p.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	p.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { cmd.Wait(); close(done) }(p.cmd, p.exited)
}

func (c *procCluster) signal(id int, sig syscall.Signal) {
	c.t.Helper()
	if err := c.procs[id].cmd.Process.Signal(sig); err != nil {
		c.t.Fatalf("signal %v to node %d: %v", sig, id, err)
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *procCluster) kill(id int) {
	c.t.Helper()
	p := c.procs[id]
	p.cmd.Process.Signal(syscall.SIGCONT)
	p.cmd.Process.Kill()
	c.waitExit(id)
}

func (c *procCluster) waitExit(id int) {
	c.t.Helper()
	select {
	case <-c.procs[id].exited:
	case <-time.After(20 * time.Second):
		c.t.Fatalf("node %d did not exit within 20 s", id)
	}
}

func (c *procCluster) killAll() {
	for _, p := range c.procs {
		if p.cmd != nil && p.cmd.Process != nil {
			select {
			case <-p.exited:
			default:
				p.cmd.Process.Signal(syscall.SIGCONT)
				p.cmd.Process.Kill()
				<-p.exited
			}
		}
		if c.t.Failed() && p.log != nil {
			c.t.Logf("log of node %d:\n%s", p.id, p.log.String())
		}
	}
}

// status asks node id for its status; errors are returned, not fatal.
func (c *procCluster) status(id int) (cfg.Status, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cl, err := cfg.Dial(ctx, c.procs[id].dir)
	if err != nil {
		return cfg.Status{}, err
	}
	defer cl.Close()
	return cl.Status(ctx)
}

// waitRing waits until every listed node is operational in one ring with
// exactly those members, and returns the ring and each node's status.
func (c *procCluster) waitRing(timeout time.Duration, ids ...int) (string, map[int]cfg.Status) {
	c.t.Helper()
	want := make([]uint32, len(ids))
	for i, id := range ids {
		want[i] = uint32(id)
	}
	slices.Sort(want)
	deadline := time.Now().Add(timeout)
	var last string
	for {
		sts := map[int]cfg.Status{}
		ring, ok := "", true
		for _, id := range ids {
			st, err := c.status(id)
			if err != nil {
				last = fmt.Sprintf("node %d: %v", id, err)
				ok = false
				break
			}
			sts[id] = st
			if st.State != "OPERATIONAL" || !slices.Equal(st.Members, want) || (ring != "" && st.Ring != ring) {
				last = fmt.Sprintf("node %d: state %s ring %s members %v", id, st.State, st.Ring, st.Members)
				ok = false
				break
			}
			ring = st.Ring
		}
		if ok {
			return ring, sts
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("no ring of %v within %v; last: %s", ids, timeout, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *procCluster) cfgtool(id int, args ...string) string {
	c.t.Helper()
	cmd := exec.Command(filepath.Join(c.bin, "ais-cfgtool"), args...)
	cmd.Env = append(os.Environ(), "AIS_RUN_DIR="+c.procs[id].dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("ais-cfgtool %v on node %d: %v\n%s", args, id, err, out)
	}
	return string(out)
}

// TestProcessRingFailuresAndRestart: five processes form a ring; kill -9
// of one makes the survivors re-form; the restarted node rejoins; a clean
// shutdown through ais-cfgtool -H, and one by SIGTERM, are seen as leaves,
// not failures.
func TestProcessRingFailuresAndRestart(t *testing.T) {
	c := newProcCluster(t, 5, time.Second)
	ring, _ := c.waitRing(30*time.Second, 1, 2, 3, 4, 5)

	s := c.cfgtool(1, "-s")
	for _, want := range []string{"Printing ring status.", "Local node ID 1, transport udpu", "RING ID 0", "id\t= 127.0.0.1", "status\t= ring 0 active with no faults"} {
		if !strings.Contains(s, want) {
			t.Errorf("ais-cfgtool -s lacks %q:\n%s", want, s)
		}
	}
	m := c.cfgtool(2, "-m")
	for _, want := range []string{"ring " + ring, "127.0.0.1", "127.0.0.5", "node3", "member (local)"} {
		if !strings.Contains(m, want) {
			t.Errorf("ais-cfgtool -m lacks %q:\n%s", want, m)
		}
	}

	c.kill(3)
	c.waitRing(30*time.Second, 1, 2, 4, 5)
	if l := c.procs[1].log.String(); !strings.Contains(l, "Failed to receive the leave message. failed: 3") {
		t.Errorf("node 1 did not report the failure of 3:\n%s", l)
	}
	if m := c.cfgtool(1, "-m"); !strings.Contains(m, "down") {
		t.Errorf("ais-cfgtool -m does not show node 3 down:\n%s", m)
	}

	c.start(3)
	c.waitRing(30*time.Second, 1, 2, 3, 4, 5)

	before := len(c.procs[1].log.String())
	out := c.cfgtool(2, "-H")
	if !strings.Contains(out, "Shutting down") {
		t.Errorf("ais-cfgtool -H said %q", out)
	}
	c.waitExit(2)
	if code := c.procs[2].cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("node 2 exited with %d after -H", code)
	}
	c.waitRing(30*time.Second, 1, 3, 4, 5)
	c.signal(5, syscall.SIGTERM)
	c.waitExit(5)
	if code := c.procs[5].cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("node 5 exited with %d after SIGTERM", code)
	}
	c.waitRing(30*time.Second, 1, 3, 4)
	after := c.procs[1].log.String()[before:]
	if !strings.Contains(after, "Members left: 2") || !strings.Contains(after, "Members left: 5") ||
		strings.Contains(after, "Failed to receive the leave message") {
		t.Errorf("node 1 did not see clean leaves of 2 and 5:\n%s", after)
	}
}

// TestProcessPauses: SIGSTOP for half a token changes nothing; SIGSTOP
// beyond token + consensus gives one reconfiguration at the survivors and a
// merge after SIGCONT.
func TestProcessPauses(t *testing.T) {
	// A 2 s token leaves room for a loaded CI machine.
	const token = 2 * time.Second
	c := newProcCluster(t, 3, token)
	ring, before := c.waitRing(30*time.Second, 1, 2, 3)

	c.signal(2, syscall.SIGSTOP)
	time.Sleep(token / 2) // the pause under test
	c.signal(2, syscall.SIGCONT)
	// Give a membership change the time it would need to show up.
	time.Sleep(2 * token)
	ring2, after := c.waitRing(10*time.Second, 1, 2, 3)
	if ring2 != ring {
		t.Fatalf("ring changed from %s to %s after a pause of half a token", ring, ring2)
	}
	for id := range after {
		if after[id].Configs != before[id].Configs {
			t.Errorf("node %d: %d configurations before a pause of half a token, %d after", id, before[id].Configs, after[id].Configs)
		}
	}

	c.signal(2, syscall.SIGSTOP)
	_, split := c.waitRing(30*time.Second, 1, 3)
	time.Sleep(2 * token) // let any further change show
	_, split2 := c.waitRing(10*time.Second, 1, 3)
	for _, id := range []int{1, 3} {
		if n := split2[id].Configs - after[id].Configs; n != 1 || split[id].Ring != split2[id].Ring {
			t.Errorf("node %d: %d configurations while 2 was stopped, want exactly 1", id, n)
		}
	}
	c.signal(2, syscall.SIGCONT)
	c.waitRing(30*time.Second, 1, 2, 3)
}
