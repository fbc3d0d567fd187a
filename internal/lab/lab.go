package lab

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// netnsDir is where ip netns keeps the namespace handles.
const netnsDir = "/var/run/netns"

// HostDev is every host's interface on the lab network, HostDev1 its
// interface on the second network (Options.Subnet1).
const (
	HostDev  = "eth0"
	HostDev1 = "eth1"
)

// Options shape a lab.
type Options struct {
	// Prefix names everything the lab creates ("<prefix>-<pid>-…").
	Prefix string
	// Hosts is the number of hosts; host i (from 0) has address
	// Subnet.Addr()+i+1.
	Hosts int
	// Subnet is the lab network; default 10.241.0.0/24.
	Subnet netip.Prefix
	// Subnet1, if set, is a second network on its own bridge: host i has
	// Subnet1.Addr()+i+1 on HostDev1 (redundant rings).
	Subnet1 netip.Prefix
	// MTU of every interface; default 1500.
	MTU int
	// Dir holds configurations, logs and state; default a new temporary
	// directory, removed by Close.
	Dir string
	// Bin holds the built programs (see Build); required.
	Bin string
}

// Lab is a set of hosts on one bridge and the processes started on them.
type Lab struct {
	opts    Options
	Dir     string
	ownDir  bool
	bridge  string // namespace of the bridge
	Hosts   []*Host
	mu      sync.Mutex
	procs   []*Process
	closeMu sync.Mutex
	closed  bool
}

// Host is one namespace with one interface on the bridge, and one on the
// second bridge when the lab has a second network.
type Host struct {
	lab   *Lab
	Index int
	NS    string
	Addr  netip.Addr
	Addr1 netip.Addr // on HostDev1; invalid without Options.Subnet1
}

var sweepOnce sync.Map

// New creates the hosts and the bridge. On error it removes what it made.
func New(opts Options) (*Lab, error) {
	if os.Geteuid() != 0 {
		return nil, errors.New("lab: network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, errors.New("lab: the ip command is missing (apt-get install iproute2)")
	}
	if opts.Prefix == "" {
		opts.Prefix = "goaislab"
	}
	if opts.Hosts <= 0 {
		return nil, errors.New("lab: no hosts")
	}
	if !opts.Subnet.IsValid() {
		opts.Subnet = netip.MustParsePrefix("10.241.0.0/24")
	}
	if opts.MTU == 0 {
		opts.MTU = 1500
	}
	if opts.Bin == "" {
		return nil, errors.New("lab: Options.Bin is required (see Build)")
	}
	if _, done := sweepOnce.LoadOrStore(opts.Prefix, true); !done {
		sweep(opts.Prefix)
	}
	l := &Lab{opts: opts, Dir: opts.Dir}
	if l.Dir == "" {
		d, err := os.MkdirTemp("", opts.Prefix+"-")
		if err != nil {
			return nil, err
		}
		l.Dir, l.ownDir = d, true
	}
	base := fmt.Sprintf("%s-%d-%d", opts.Prefix, os.Getpid(), labSeq.Add(1))
	l.bridge = base + "-br"
	if err := l.build(base); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) build(base string) error {
	if err := ipCmd("netns", "add", l.bridge); err != nil {
		return err
	}
	if err := ipCmd("-n", l.bridge, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0"); err != nil {
		return err
	}
	if err := ipCmd("-n", l.bridge, "link", "set", "br0", "up"); err != nil {
		return err
	}
	second := l.opts.Subnet1.IsValid()
	if second {
		if err := ipCmd("-n", l.bridge, "link", "add", "br1", "type", "bridge", "mcast_snooping", "0"); err != nil {
			return err
		}
		if err := ipCmd("-n", l.bridge, "link", "set", "br1", "up"); err != nil {
			return err
		}
	}
	addr, addr1 := l.opts.Subnet.Addr(), l.opts.Subnet1.Addr()
	for i := range l.opts.Hosts {
		addr = addr.Next()
		h := &Host{lab: l, Index: i, NS: fmt.Sprintf("%s-h%d", base, i+1), Addr: addr}
		if second {
			addr1 = addr1.Next()
			h.Addr1 = addr1
		}
		l.Hosts = append(l.Hosts, h)
		port := fmt.Sprintf("p%d", i+1)
		mtu := strconv.Itoa(l.opts.MTU)
		steps := [][]string{
			{"netns", "add", h.NS},
			{"-n", h.NS, "link", "set", "lo", "up"},
			{"-n", l.bridge, "link", "add", port, "mtu", mtu, "type", "veth", "peer", "name", HostDev, "mtu", mtu, "netns", h.NS},
			{"-n", l.bridge, "link", "set", port, "master", "br0"},
			{"-n", l.bridge, "link", "set", port, "up"},
			{"-n", h.NS, "addr", "add", netip.PrefixFrom(addr, l.opts.Subnet.Bits()).String(), "dev", HostDev},
			{"-n", h.NS, "link", "set", HostDev, "up"},
		}
		if second {
			port1 := fmt.Sprintf("q%d", i+1)
			steps = append(steps,
				[]string{"-n", l.bridge, "link", "add", port1, "mtu", mtu, "type", "veth", "peer", "name", HostDev1, "mtu", mtu, "netns", h.NS},
				[]string{"-n", l.bridge, "link", "set", port1, "master", "br1"},
				[]string{"-n", l.bridge, "link", "set", port1, "up"},
				[]string{"-n", h.NS, "addr", "add", netip.PrefixFrom(addr1, l.opts.Subnet1.Bits()).String(), "dev", HostDev1},
				[]string{"-n", h.NS, "link", "set", HostDev1, "up"},
			)
		}
		for _, s := range steps {
			if err := ipCmd(s...); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close kills every process the lab started (by PID) and deletes the
// namespaces and, if the lab made it, the directory. It is safe to call
// more than once.
func (l *Lab) Close() error {
	l.closeMu.Lock()
	defer l.closeMu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.mu.Lock()
	procs := append([]*Process(nil), l.procs...)
	l.mu.Unlock()
	for _, p := range procs {
		p.Kill()
	}
	for _, p := range procs {
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
		}
	}
	var errs []error
	for _, h := range l.Hosts {
		errs = append(errs, deleteNS(h.NS))
	}
	if l.bridge != "" {
		errs = append(errs, deleteNS(l.bridge))
	}
	if l.ownDir && os.Getenv("GOAIS_LAB_KEEP") == "" {
		errs = append(errs, os.RemoveAll(l.Dir))
	}
	return errors.Join(errs...)
}

// Bin is the path of a built program.
func (l *Lab) Bin(name string) string { return filepath.Join(l.opts.Bin, name) }

// Command returns a command that runs name in the host's namespace.
func (h *Host) Command(name string, args ...string) *exec.Cmd {
	return exec.Command("ip", append([]string{"netns", "exec", h.NS, name}, args...)...)
}

// Run runs a command in the host's namespace and returns its combined
// output; the error includes that output.
func (h *Host) Run(name string, args ...string) (string, error) {
	out, err := h.Command(name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s on %s: %v: %s", name, strings.Join(args, " "), h.NS, err, bytes.TrimSpace(out))
	}
	return string(out), nil
}

// SetLink brings the host's interface up or down.
func (h *Host) SetLink(up bool) error { return h.SetLinkOf(HostDev, up) }

// SetLinkOf brings the host's interface dev up or down.
func (h *Host) SetLinkOf(dev string, up bool) error {
	state := "down"
	if up {
		state = "up"
	}
	return ipCmd("-n", h.NS, "link", "set", dev, state)
}

// DropLink makes the host drop percent % of the UDP datagrams that enter
// or leave through interface dev (nftables numgen, its own table per
// interface); 0 removes the rule. Dropping 100 % is a dead link that the
// kernel still reports up.
func (h *Host) DropLink(dev string, percent int) error {
	table := "goaislab_" + dev
	_, _ = h.Run("nft", "delete", "table", "inet", table)
	if percent == 0 {
		return nil
	}
	if _, err := exec.LookPath("nft"); err != nil {
		return errors.New("lab: nft is missing (apt-get install nftables)")
	}
	// numgen's "< 100" is out of its range: 100 % is a plain drop.
	chance := []string{"numgen", "random", "mod", "100", "<", strconv.Itoa(percent)}
	if percent >= 100 {
		chance = nil
	}
	rule := func(hook, match string) []string {
		r := []string{"add", "rule", "inet", table, hook, match, dev, "meta", "l4proto", "udp"}
		return append(append(r, chance...), "counter", "drop")
	}
	for _, args := range [][]string{
		{"add", "table", "inet", table},
		{"add", "chain", "inet", table, "input", "{ type filter hook input priority 0 ; }"},
		{"add", "chain", "inet", table, "output", "{ type filter hook output priority 0 ; }"},
		rule("input", "iifname"),
		rule("output", "oifname"),
	} {
		if _, err := h.Run("nft", args...); err != nil {
			return err
		}
	}
	return nil
}

// DropInbound makes the host drop percent % of the UDP datagrams it
// receives, at random (nftables numgen: this kernel has no netem); 0
// removes the rule. It returns the rule's counter of dropped datagrams
// through Dropped.
func (h *Host) DropInbound(percent int) error {
	_, _ = h.Run("nft", "delete", "table", "inet", "goaislab")
	if percent == 0 {
		return nil
	}
	if _, err := exec.LookPath("nft"); err != nil {
		return errors.New("lab: nft is missing (apt-get install nftables)")
	}
	for _, args := range [][]string{
		{"add", "table", "inet", "goaislab"},
		{"add", "chain", "inet", "goaislab", "input", "{ type filter hook input priority 0 ; }"},
		{"add", "rule", "inet", "goaislab", "input", "meta", "l4proto", "udp", "numgen", "random", "mod", "100", "<", strconv.Itoa(percent), "counter", "drop"},
	} {
		if _, err := h.Run("nft", args...); err != nil {
			return err
		}
	}
	return nil
}

// Dropped returns how many datagrams the DropInbound rule dropped.
func (h *Host) Dropped() (int, error) {
	out, err := h.Run("nft", "list", "table", "inet", "goaislab")
	if err != nil {
		return 0, err
	}
	_, rest, ok := strings.Cut(out, "counter packets ")
	if !ok {
		return 0, fmt.Errorf("lab: no counter in %q", out)
	}
	n, _, _ := strings.Cut(rest, " ")
	return strconv.Atoi(n)
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func deleteNS(name string) error {
	if _, err := os.Stat(filepath.Join(netnsDir, name)); os.IsNotExist(err) {
		return nil
	}
	// Processes still inside keep the namespace alive after the handle is
	// gone; kill them first (by PID, as ip netns pids lists them).
	if out, err := exec.Command("ip", "netns", "pids", name).Output(); err == nil {
		for _, f := range strings.Fields(string(out)) {
			// Not this process: a thread of it may have entered the
			// namespace (Host.Do), and ip lists the process then.
			if pid, err := strconv.Atoi(f); err == nil && pid != os.Getpid() {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
	return ipCmd("netns", "del", name)
}

// sweep deletes the namespaces "<prefix>-<pid>-…" of processes that no
// longer exist.
func sweep(prefix string) {
	entries, err := os.ReadDir(netnsDir)
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
			_ = deleteNS(e.Name())
		}
	}
}
