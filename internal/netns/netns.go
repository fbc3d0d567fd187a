//go:build linux

package netns

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// runDir is where ip netns keeps the namespace handles.
const runDir = "/var/run/netns"

// NS is a network namespace created for a test.
type NS struct {
	name string
}

var seq atomic.Uint64

// swept records the prefixes whose leftovers were already removed.
var swept sync.Map

// Require fails the test unless it runs as root with the ip command.
func Require(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test creates network namespaces and needs root; run it as root (CI does)")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Fatal("this test needs the ip command: install iproute2 (apt-get install iproute2)")
	}
}

// New creates an empty namespace with its loopback interface up. It is
// deleted when the test ends.
func New(t testing.TB, prefix string) *NS {
	t.Helper()
	Require(t)
	if _, done := swept.LoadOrStore(prefix, true); !done {
		sweep(prefix)
	}
	n := &NS{name: fmt.Sprintf("%s-%d-%d", prefix, os.Getpid(), seq.Add(1))}
	if out, err := exec.Command("ip", "netns", "add", n.name).CombinedOutput(); err != nil {
		t.Fatalf("ip netns add %s: %v: %s", n.name, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if err := n.Delete(); err != nil {
			t.Errorf("%v", err)
		}
	})
	n.IP(t, "link", "set", "lo", "up")
	return n
}

// sweep deletes the namespaces "<prefix>-<pid>-<n>" of processes that no
// longer exist.
func sweep(prefix string) {
	entries, err := os.ReadDir(runDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix+"-")
		if !ok {
			continue
		}
		pidStr, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidStr)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		if _, err := os.Stat(filepath.Join("/proc", pidStr)); os.IsNotExist(err) {
			_ = exec.Command("ip", "netns", "del", e.Name()).Run()
		}
	}
}

// Name returns the namespace name, as ip netns knows it.
func (n *NS) Name() string { return n.name }

// IP runs "ip -n NAME args..." and fails the test if it fails.
func (n *NS) IP(t testing.TB, args ...string) {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"-n", n.name}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(cmd.Args, " "), err, bytes.TrimSpace(out))
	}
}

// Delete removes the namespace and with it every interface in it. New
// arranges for it to run at the end of the test; calling it earlier is
// allowed and the later call is then a no-op.
func (n *NS) Delete() error {
	if _, err := os.Stat(filepath.Join(runDir, n.name)); os.IsNotExist(err) {
		return nil
	}
	if out, err := exec.Command("ip", "netns", "del", n.name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns del %s: %v: %s", n.name, err, bytes.TrimSpace(out))
	}
	return nil
}

// Do runs fn on a new OS thread that has entered the namespace, and returns
// fn's error. Sockets fn creates belong to the namespace for good; so do
// net.Interfaces and similar look-ups made in fn. Goroutines fn starts do
// not run in the namespace. fn runs on another goroutine, so it must report
// failure through its error, not through t.Fatal.
func (n *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// The thread is never unlocked: when this goroutine ends, the
		// runtime destroys the thread instead of reusing it in the wrong
		// namespace.
		runtime.LockOSThread()
		f, err := os.Open(filepath.Join(runDir, n.name))
		if err != nil {
			errc <- fmt.Errorf("netns %s: %w", n.name, err)
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			errc <- fmt.Errorf("netns %s: setns: %w", n.name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// AddAddr assigns an address to dev. IPv6 addresses skip duplicate address
// detection, so that they are usable at once.
func (n *NS) AddAddr(t testing.TB, dev string, p netip.Prefix) {
	t.Helper()
	if p.Addr().Is4() {
		n.IP(t, "addr", "add", p.String(), "dev", dev)
		return
	}
	n.IP(t, "-6", "addr", "add", p.String(), "dev", dev, "nodad")
}

// AddBridge creates a bridge that forwards every multicast frame to every
// port (no IGMP/MLD snooping, which would need a querier), and brings it up.
func (n *NS) AddBridge(t testing.TB, name string) {
	t.Helper()
	n.IP(t, "link", "add", name, "type", "bridge", "mcast_snooping", "0")
	n.IP(t, "link", "set", name, "up")
}

// Link creates a veth pair, aDev in a and bDev in b, and brings both ends
// up.
func Link(t testing.TB, a *NS, aDev string, b *NS, bDev string) {
	t.Helper()
	a.IP(t, "link", "add", aDev, "type", "veth", "peer", "name", bDev, "netns", b.name)
	a.IP(t, "link", "set", aDev, "up")
	b.IP(t, "link", "set", bDev, "up")
}

// LAN is a set of hosts, each in its own namespace with one interface
// "eth0", joined by a bridge "br0" in a namespace of its own: the shape of
// a real cluster network.
type LAN struct {
	Bridge *NS
	Hosts  []*NS
}

// HostDev is the name of every host's interface on the LAN.
const HostDev = "eth0"

// NewLAN creates len(addrs) hosts; host i gets addrs[i] on its interface.
func NewLAN(t testing.TB, prefix string, addrs [][]netip.Prefix) *LAN {
	t.Helper()
	lan := &LAN{Bridge: New(t, prefix)}
	lan.Bridge.AddBridge(t, "br0")
	for i, ps := range addrs {
		h := New(t, prefix)
		port := fmt.Sprintf("p%d", i)
		Link(t, lan.Bridge, port, h, HostDev)
		lan.Bridge.IP(t, "link", "set", port, "master", "br0")
		for _, p := range ps {
			h.AddAddr(t, HostDev, p)
		}
		lan.Hosts = append(lan.Hosts, h)
	}
	return lan
}
