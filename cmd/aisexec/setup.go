package main

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"strconv"

	"goais/config"
	"goais/executive"
	"goais/ipc"
	"goais/logging"
	"goais/totem"
	"goais/transport"
	"goais/transport/secure"
)

// defaultPort is corosync's and openais' mcastport.
const defaultPort = 5405

// localPrefixes lists this host's interface addresses.
func localPrefixes() ([]netip.Prefix, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("list local addresses: %w", err)
	}
	var out []netip.Prefix
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			ip, ok := netip.AddrFromSlice(n.IP)
			if !ok {
				continue
			}
			ones, _ := n.Mask.Size()
			out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
		}
	}
	return out, nil
}

// loggingOptions maps the logging section to the handler's options.
// foreground decides whether to_stderr means anything: a daemon has no
// stderr.
func loggingOptions(c *config.Config, foreground bool) (logging.Options, error) {
	l := &c.Logging
	o := logging.Options{
		Timestamp: l.Timestamp == "on" || l.Timestamp == "hires",
		HiRes:     l.Timestamp == "hires",
		FileLine:  l.FileLine,
		Debug:     l.Debug == "on",
		Trace:     l.Debug == "trace",
		Subsys:    map[string]logging.SubsysOptions{},
	}
	if l.ToStderr && foreground {
		o.Stderr = os.Stderr
	}
	if l.ToFile {
		o.File = l.LogFile
	}
	if l.ToSyslog {
		o.Syslog = l.SyslogFacility
		if o.Syslog == "" {
			o.Syslog = "daemon"
		}
	}
	level := func(s string) (*slog.Level, error) {
		if s == "" {
			return nil, nil
		}
		lv, err := logging.ParseLevel(s)
		return &lv, err
	}
	var err error
	if o.FileLevel, err = level(l.LogFilePriority); err != nil {
		return o, err
	}
	o.StderrLevel = o.FileLevel
	if o.SyslogLevel, err = level(l.SyslogPriority); err != nil {
		return o, err
	}
	for _, s := range l.Subsystems {
		so := logging.SubsysOptions{Debug: s.Debug == "on", Trace: s.Debug == "trace"}
		if s.SyslogPriority != "" && s.SyslogPriority != l.SyslogPriority {
			if so.Level, err = level(s.SyslogPriority); err != nil {
				return o, err
			}
		}
		o.Subsys[s.Subsys] = so
	}
	return o, nil
}

// runDir picks the IPC directory: AIS_RUN_DIR, else system.run_dir, else
// the default clients also compute.
func runDir(c *config.Config) string {
	if d := os.Getenv("AIS_RUN_DIR"); d != "" {
		return d
	}
	if d := c.RunDir(); d != "" {
		return d
	}
	return ipc.DefaultRunDir()
}

// stateDir picks where the ring seq is kept: system.state_dir, else
// /var/lib/goais for root, else the run directory.
func stateDir(c *config.Config, run string) string {
	if d := c.StateDir(); d != "" {
		return d
	}
	if os.Geteuid() == 0 {
		return "/var/lib/goais"
	}
	return run
}

// allowedGID resolves aisexec.group; a group that does not exist allows
// only root and the executive's own user, and says so.
func allowedGID(c *config.Config, log *slog.Logger) int {
	name := c.AISExec.Group
	if name == "" {
		return -1
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		log.Info(fmt.Sprintf("IPC group %q does not exist; only root and uid %d may connect", name, os.Geteuid()))
		return -1
	}
	gid, err := strconv.Atoi(g.Gid)
	if err != nil {
		return -1
	}
	return gid
}

// node is what setup resolved about this node, for the banner.
type node struct {
	local   config.Local
	members []config.Member
}

// setup turns the configuration into executive settings, opening the
// transport and the IPC socket.
func setup(c *config.Config, log *slog.Logger) (executive.Settings, node, error) {
	var s executive.Settings
	prefixes, err := localPrefixes()
	if err != nil {
		return s, node{}, err
	}
	local, err := c.Local(prefixes)
	if err != nil {
		return s, node{}, err
	}
	members, err := c.Members(nil)
	if err != nil {
		return s, node{}, err
	}
	tcfg := c.TotemConfig(local, members)
	run := runDir(c)
	state := stateDir(c, run)
	for _, d := range []string{run, state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return s, node{}, fmt.Errorf("create directory: %w", err)
		}
	}
	var sec *secauth
	if c.Encrypted() {
		if sec, err = loadSecauth(c, state, local.NodeID); err != nil {
			return s, node{}, err
		}
		// Every datagram grows by the envelope: the frames shrink so
		// that they still fit the network MTU.
		mtu := tcfg.NetMTU
		if mtu == 0 {
			mtu = totem.Config{}.WithDefaults().NetMTU
		}
		tcfg.NetMTU = mtu - secure.Overhead
		if c.Totem.Threads > 0 {
			log.Info(fmt.Sprintf("threads %d: accepted and ignored; one loop seals every datagram (see transport/secure)", c.Totem.Threads))
		}
	}
	tlog := logging.Subsys(log, "TRANSPORT")
	var rings []transport.Transport
	closeRings := func() {
		for _, r := range rings {
			r.Close()
		}
	}
	for ring := range c.RingCount() {
		tr, err := openRing(c, ring, local, members, tlog)
		if err == nil && sec != nil {
			tr, err = sec.wrap(tr, local.NodeID, logging.Subsys(log, "SECAUTH"))
		}
		if err != nil {
			closeRings()
			return s, node{}, fmt.Errorf("ring %d: %w", ring, err)
		}
		rings = append(rings, tr)
	}

	srv, err := ipc.Listen(ipc.ServerConfig{
		Path:       ipc.SocketPath(run),
		AllowedGID: allowedGID(c, log),
		Logger:     logging.Subsys(log, "IPC"),
		Services:   executive.Services,
	})
	if err != nil {
		closeRings()
		return s, node{}, err
	}

	s = executive.Settings{
		Totem:         tcfg,
		Transport:     rings[0],
		TransportName: c.Totem.Transport,
		Rings:         []executive.RingInfo{{Number: 0, Addr: local.Ring0}},
		IPC:           srv,
		StateDir:      state,
		Logger:        log,

		ConfigVersion:    c.Totem.ConfigVersion,
		HasConfigVersion: c.IsSet("totem.config_version"),
	}
	if c.Quorum.Provider == "corosync_votequorum" {
		s.Quorum = &executive.QuorumSettings{
			Votes:         uint32(c.Quorum.Votes),
			ExpectedVotes: uint32(c.Quorum.ExpectedVotes),
			TwoNode:       c.Quorum.TwoNode,
			// corosync turns wait_for_all on with two_node unless the
			// file says otherwise.
			WaitForAll: c.Quorum.WaitForAll || c.Quorum.TwoNode && !c.IsSet("quorum.wait_for_all"),
		}
	}
	if sec != nil {
		s.Secauth = fmt.Sprintf("on (AES-256-GCM, key fingerprint %s)", sec.key.Fingerprint())
	}
	if len(rings) > 1 {
		s.Rings = append(s.Rings, executive.RingInfo{Number: 1, Addr: local.Ring1})
		s.Ring1 = rings[1]
		if s.RRP, err = rrpConfig(c, tcfg, local, logging.Subsys(log, "TOTEM")); err != nil {
			srv.Close()
			closeRings()
			return s, node{}, err
		}
	}
	for _, m := range members {
		ni := executive.NodeInfo{NodeID: tcfg.NodeID, Name: m.Name, Votes: uint32(m.Votes)}
		ni.NodeID = toNodeID(m.NodeID)
		ni.Addrs = append(ni.Addrs, m.Ring0)
		if m.Ring1.IsValid() {
			ni.Addrs = append(ni.Addrs, m.Ring1)
		}
		s.Nodes = append(s.Nodes, ni)
	}
	return s, node{local: local, members: members}, nil
}

// socketPathFor is where clients of this configuration find the executive.
func socketPathFor(c *config.Config) string { return filepath.Clean(ipc.SocketPath(runDir(c))) }
