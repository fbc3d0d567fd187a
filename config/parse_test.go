package config

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustLoad(t *testing.T, path string) (*Config, []Warning) {
	t.Helper()
	c, warns, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return c, warns
}

func mustParse(t *testing.T, text string) (*Config, []Warning) {
	t.Helper()
	c, warns, err := Parse("test.conf", []byte(text))
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, text)
	}
	return c, warns
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// check compares got and want, naming the field.
func check[T any](t *testing.T, name string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %v, want %v", name, got, want)
	}
}

// TestOpenAISManPage parses testdata/openais.conf, which sets every option
// of openais.conf(5) (seed 004) to a non-default value.
func TestOpenAISManPage(t *testing.T) {
	c, warns := mustLoad(t, "testdata/openais.conf")
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	tt := c.Totem
	check(t, "Source", c.Source, "testdata/openais.conf")
	check(t, "Totem.Line", tt.Line, 5)
	check(t, "Version", tt.Version, 2)
	check(t, "NodeID", tt.NodeID, uint32(42))
	check(t, "SecAuth", tt.SecAuth, true)
	check(t, "Threads", tt.Threads, 2)
	check(t, "RRPMode", tt.RRPMode, "passive")
	check(t, "NetMTU", tt.NetMTU, 8982)
	check(t, "VSFType", tt.VSFType, "ykd")
	check(t, "Token", tt.Token, ms(2000))
	check(t, "TokenRetransmit", tt.TokenRetransmit, ms(400))
	check(t, "Hold", tt.Hold, ms(300))
	check(t, "RetransmitsBeforeLoss", tt.RetransmitsBeforeLoss, 5)
	check(t, "Join", tt.Join, ms(60))
	check(t, "SendJoin", tt.SendJoin, ms(80))
	check(t, "Consensus", tt.Consensus, ms(2400))
	check(t, "Merge", tt.Merge, ms(250))
	check(t, "Downcheck", tt.Downcheck, ms(1500))
	check(t, "FailToRecvConst", tt.FailToRecvConst, 60)
	check(t, "SeqnoUnchangedConst", tt.SeqnoUnchangedConst, 40)
	check(t, "HeartbeatFailuresAllowed", tt.HeartbeatFailuresAllowed, 3)
	check(t, "MaxNetworkDelay", tt.MaxNetworkDelay, ms(60))
	check(t, "WindowSize", tt.WindowSize, 60)
	check(t, "MaxMessages", tt.MaxMessages, 20)
	check(t, "RRPProblemCountTimeout", tt.RRPProblemCountTimeout, ms(1200))
	check(t, "RRPProblemCountThreshold", tt.RRPProblemCountThreshold, 15)
	check(t, "RRPTokenExpiredTimeout", tt.RRPTokenExpiredTimeout, ms(45))
	check(t, "Transport (openais default)", tt.Transport, "udp")
	check(t, "IPVersion (udp default)", tt.IPVersion, "ipv4")
	check(t, "interfaces", len(tt.Interfaces), 2)
	for i, want := range []Interface{
		{Line: 33, RingNumber: 0, BindNetAddr: netip.MustParseAddr("192.168.5.0"), McastAddr: netip.MustParseAddr("226.94.1.1"), McastPort: 5405, TTL: 1},
		{Line: 39, RingNumber: 1, BindNetAddr: netip.MustParseAddr("10.10.0.0"), McastAddr: netip.MustParseAddr("226.94.1.2"), McastPort: 5407, TTL: 1},
	} {
		got := tt.Interfaces[i]
		got.set = nil
		check(t, "interface", got, want)
	}
	// Aliases are tracked under both names.
	check(t, "IsSet(fail_recv_const)", c.IsSet("totem.fail_recv_const"), true)
	check(t, "Line(fail_to_recv_const)", c.Line("totem.fail_to_recv_const"), 23)
	check(t, "Line(token_retransmits_before_loss_const)", c.Line("totem.token_retransmits_before_loss_const"), 17)
	check(t, "IsSet(token_coefficient)", c.IsSet("totem.token_coefficient"), false)

	l := c.Logging
	check(t, "logging", l.LogSettings, LogSettings{
		ToStderr: false, ToFile: true, ToSyslog: true, LogFile: "/var/log/openais.log",
		LogFilePriority: "info", SyslogPriority: "info", SyslogFacility: "local3",
		Debug: "on", Timestamp: "on", FileLine: true,
	})
	check(t, "subsystems", len(l.Subsystems), 2)
	amf := l.Subsystems[0]
	check(t, "amf.Subsys", amf.Subsys, "AMF")
	check(t, "amf.Legacy", amf.Legacy, false)
	check(t, "amf.Tags", amf.Tags, []string{"enter", "leave", "trace1", "trace2", "trace3", "trace4", "trace6"})
	check(t, "amf.Debug", amf.Debug, "off")
	check(t, "amf.SyslogPriority", amf.SyslogPriority, "notice")
	check(t, "amf inherits LogFile", amf.LogFile, "/var/log/openais.log")
	ckpt := l.Subsystems[1]
	check(t, "ckpt.Subsys", ckpt.Subsys, "CKPT")
	check(t, "ckpt.Legacy", ckpt.Legacy, true)
	check(t, "ckpt.Tags", ckpt.Tags, []string{"enter", "return", "trace1"})
	check(t, "ckpt.Debug", ckpt.Debug, "on")
	check(t, "For(AMF)", l.For("AMF").SyslogPriority, "notice")
	check(t, "For(TOTEM)", l.For("TOTEM"), l.LogSettings)

	check(t, "Event", c.Event, Event{DeliveryQueueSize: 2000, DeliveryQueueResume: 1500})
	check(t, "AMF", c.AMF, AMF{Enabled: true})
	check(t, "AISExec", c.AISExec, AISExec{User: "root", Group: "root", DefaultServices: false})
	check(t, "Services", c.Services, []Service{{Line: 86, Name: "openais_cpg", Ver: 0}})
	check(t, "Nodes", len(c.Nodes), 0)

	g, err := c.McastGroup()
	check(t, "McastGroup", g, netip.MustParseAddrPort("226.94.1.1:5405"))
	check(t, "McastGroup err", err, nil)
}

// TestCorosyncStyle parses testdata/corosync.conf, a corosync 3.x file.
func TestCorosyncStyle(t *testing.T) {
	c, warns := mustLoad(t, "testdata/corosync.conf")
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	tt := c.Totem
	check(t, "ClusterName", tt.ClusterName, "rlab")
	check(t, "Transport", tt.Transport, "udpu")
	check(t, "IPVersion", tt.IPVersion, "ipv4")
	check(t, "Token", tt.Token, ms(1000))
	check(t, "TokenCoefficient", tt.TokenCoefficient, ms(500))
	check(t, "Consensus", tt.Consensus, ms(1800))
	check(t, "CryptoCipher", tt.CryptoCipher, "none")
	check(t, "CryptoHash", tt.CryptoHash, "none")
	check(t, "BlockUnlistedIPs", tt.BlockUnlistedIPs, true)
	check(t, "Interfaces", len(tt.Interfaces), 0)
	check(t, "NodelistLine", c.NodelistLine, 18)

	var nodes []Node
	for _, n := range c.Nodes {
		n.set = nil
		nodes = append(nodes, n)
	}
	check(t, "Nodes", nodes, []Node{
		{Line: 19, Ring0Addr: "10.88.0.1", Ring1Addr: "10.99.0.1", Name: "alpha", NodeID: 1},
		{Line: 25, Ring0Addr: "10.88.0.2", Ring1Addr: "10.99.0.2", Name: "beta", NodeID: 2},
		{Line: 31, Ring0Addr: "gamma.example", Ring1Addr: "10.99.0.3", Name: "gamma", NodeID: 3},
	})
	check(t, "Quorum", c.Quorum, Quorum{
		Line: 39, Provider: "corosync_votequorum", ExpectedVotes: 3, WaitForAll: true,
		LastManStanding: true, LastManStandingWindow: 20 * time.Second,
	})
	check(t, "IsSet(quorum.auto_tie_breaker)", c.IsSet("quorum.auto_tie_breaker"), true)
	check(t, "IsSet(quorum.two_node)", c.IsSet("quorum.two_node"), false)

	l := c.Logging
	check(t, "ToFile via to_logfile", l.ToFile, true)
	check(t, "Line(logging.to_file)", c.Line("logging.to_file"), 50)
	check(t, "LogFile", l.LogFile, "/var/log/corosync/corosync.log")
	check(t, "Timestamp", l.Timestamp, "hires")
	check(t, "LogFilePriority", l.LogFilePriority, "debug")
	check(t, "SyslogPriority", l.SyslogPriority, "warning")
	check(t, "FunctionName", l.FunctionName, true)
	q := l.For("QUORUM")
	check(t, "QUORUM.Debug", q.Debug, "trace")
	check(t, "QUORUM.ToStderr", q.ToStderr, true)
	check(t, "QUORUM.Timestamp (inherited)", q.Timestamp, "hires")

	check(t, "System", c.System, System{
		RunDir: "/run/goais", StateDir: "/var/lib/goais", SchedRR: false,
		Priority: "-10", QBIPCType: "native", MoveToRootCgroup: "auto",
	})
	check(t, "RunDir", c.RunDir(), "/run/goais")
	check(t, "StateDir", c.StateDir(), "/var/lib/goais")

	g, err := c.McastGroup()
	check(t, "McastGroup from cluster_name", g, netip.MustParseAddrPort("239.192.6.106:5405"))
	check(t, "McastGroup err", err, nil)
}

func TestDefault(t *testing.T) {
	c := Default()
	check(t, "Source", c.Source, "built-in default")
	check(t, "Transport", c.Totem.Transport, "udpu")
	check(t, "ClusterName", c.Totem.ClusterName, "goais")
	check(t, "nodes", len(c.Nodes), 1)
	check(t, "Ring0Addr", c.Nodes[0].Ring0Addr, "127.0.0.1")
	check(t, "NodeID", c.Nodes[0].NodeID, uint32(1))
	check(t, "ToStderr", c.Logging.ToStderr, true)
	check(t, "ToSyslog", c.Logging.ToSyslog, false)
	check(t, "Timestamp", c.Logging.Timestamp, "on")
	l, err := c.Local([]netip.Prefix{netip.MustParsePrefix("127.0.0.1/8")})
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local", l, Local{NodeID: 1, Index: 0, Ring0: netip.MustParseAddr("127.0.0.1")})
	m, err := c.Members(nil)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.TotemConfig(l, m)
	tc = tc.WithDefaults()
	if err := tc.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestSyntaxVariants(t *testing.T) {
	text := "# comment in column 1\r\n" +
		"totem{\r\n" +
		"    # indented comment (corosync)\n" +
		"\tversion:2\n" +
		"\tcluster_name: \"my cluster\"   \n" +
		"\ttransport:   udp\n" +
		"\tinterface {\n" +
		"\t\tbindnetaddr: 10.0.0.0\n" +
		"\t}\n" +
		"\n" +
		"}" // no final newline
	c, warns := mustParse(t, text)
	check(t, "warnings", len(warns), 0)
	check(t, "ClusterName", c.Totem.ClusterName, "my cluster")
	check(t, "Transport", c.Totem.Transport, "udp")
	check(t, "Line(cluster_name)", c.Line("totem.cluster_name"), 5)
	check(t, "Interfaces[0].Line", c.Totem.Interfaces[0].Line, 7)
	// The value is everything after the first colon.
	c, _ = mustParse(t, "totem {\nversion: 2\ncluster_name: a:b: c\ntransport: udp\ninterface {\nbindnetaddr: fe80::1\n}\nnodeid: 5\n}\n")
	check(t, "ClusterName", c.Totem.ClusterName, "a:b: c")
	check(t, "BindNetAddr", c.Totem.Interfaces[0].BindNetAddr, netip.MustParseAddr("fe80::1"))
	// Brace lines may end in a comment; values keep their '#'.
	c, _ = mustParse(t, "totem { # the protocol\nversion: 2\ntransport: udp\ncluster_name: x#y\ninterface {\nbindnetaddr: 10.0.0.0\nmcastport: 6000\n} # end interface\n}\n")
	check(t, "ClusterName", c.Totem.ClusterName, "x#y")
	check(t, "Port", c.Port(), uint16(6000))
	check(t, "default Port", Default().Port(), uint16(5405))
}

func TestWarnings(t *testing.T) {
	text := strings.Join([]string{
		"totem {", // 1
		"	version: 2",
		"	foo: bar", // 3
		"	knet_pmtud_interval: 30",
		"	token: 1000", // 5
		"	token: 2000",
		"	widget {", // 7
		"		a: b",
		"	}",
		"}", // 10
		"nodelist {",
		"	node {",
		"		ring0_addr: 10.0.0.1",
		"		ring2_addr: 10.2.0.1", // 14
		"	}",
		"}",
		"gadget {", // 17
		"	x: y",
		"}",
		"logging {",
		"	blackbox: on", // 21
		"}",
	}, "\n")
	c, warns := mustParse(t, text)
	got := make([]string, len(warns))
	for i, w := range warns {
		got[i] = w.String()
	}
	want := []string{
		"test.conf:3: unknown option totem.foo, ignored",
		"test.conf:4: option totem.knet_pmtud_interval ignored: knet is not supported",
		"test.conf:6: totem.token given again (first at line 5); the last value wins",
		"test.conf:7: unknown section totem.widget, ignored",
		"test.conf:14: option nodelist.node.ring2_addr ignored: only ring0_addr and ring1_addr are used by udp and udpu",
		"test.conf:17: unknown section gadget, ignored",
		"test.conf:21: option logging.blackbox ignored: goais has no flight recorder",
		"test.conf:1: transport not set: corosync 3 would use knet; goais uses udpu",
	}
	if !slices.Equal(got, want) {
		t.Errorf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	check(t, "last token wins", c.Totem.Token, ms(2000))
	check(t, "warning fields", warns[0], Warning{File: "test.conf", Line: 3, Msg: "unknown option totem.foo, ignored"})

	// totem.nodeid alongside a nodelist selects this node's entry: no warning.
	_, warns = mustParse(t, "totem {\nversion: 2\ntransport: udpu\nnodeid: 7\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\n}\n}\n")
	if len(warns) != 0 {
		t.Errorf("warnings = %v, want none", warns)
	}
}

func TestTransportDefaults(t *testing.T) {
	for _, tc := range []struct {
		name, text          string
		transport, ipVer    string
		warnTransportNotSet bool
	}{
		{"openais style", "totem {\nversion: 2\ninterface {\nbindnetaddr: 10.0.0.0\nmcastaddr: 239.1.1.1\n}\n}\n", "udp", "ipv4", false},
		{"nodelist", "totem {\nversion: 2\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\n}\n}\n", "udpu", "ipv6-4", true},
		{"explicit udp with nodelist", "totem {\nversion: 2\ntransport: udp\ncluster_name: x\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\n}\n}\n", "udp", "ipv4", false},
		{"explicit ip_version", "totem {\nversion: 2\ntransport: UDPU\nip_version: ipv4-6\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\n}\n}\n", "udpu", "ipv4-6", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, warns := mustParse(t, tc.text)
			check(t, "Transport", c.Totem.Transport, tc.transport)
			check(t, "IPVersion", c.Totem.IPVersion, tc.ipVer)
			warned := slices.ContainsFunc(warns, func(w Warning) bool { return strings.HasPrefix(w.Msg, "transport not set") })
			check(t, "transport warning", warned, tc.warnTransportNotSet)
		})
	}
}

func TestValueForms(t *testing.T) {
	base := "totem {\nversion: 2\ntransport: udp\ninterface {\nbindnetaddr: 10.0.0.0\nmcastaddr: 239.1.1.1\n}\n%s\n}\n"
	for _, tc := range []struct {
		line string
		get  func(c *Config) any
		want any
	}{
		{"secauth: ON", func(c *Config) any { return c.Totem.SecAuth }, true},
		{"secauth: true", func(c *Config) any { return c.Totem.SecAuth }, true},
		{"secauth: 1", func(c *Config) any { return c.Totem.SecAuth }, true},
		{"secauth: Off", func(c *Config) any { return c.Totem.SecAuth }, false},
		{"secauth: false", func(c *Config) any { return c.Totem.SecAuth }, false},
		{"secauth: 0", func(c *Config) any { return c.Totem.SecAuth }, false},
		{"clear_node_high_bit: yes", func(c *Config) any { return c.Totem.ClearNodeHighBit }, true},
		{"block_unlisted_ips: no", func(c *Config) any { return c.Totem.BlockUnlistedIPs }, false},
		{"token_coefficient: 0", func(c *Config) any { return c.IsSet("totem.token_coefficient") }, true},
		{"send_join: 0", func(c *Config) any { return c.Totem.SendJoin }, time.Duration(0)},
		{"miss_count_const: 7", func(c *Config) any { return c.Totem.MissCountConst }, 7},
		{"rrp_problem_count_mcast_threshold: 30", func(c *Config) any { return c.Totem.RRPProblemCountMcastThreshold }, 30},
		{"rrp_autorecovery_check_timeout: 900", func(c *Config) any { return c.Totem.RRPAutorecoveryCheckTimeout }, ms(900)},
		{"token_retransmits_before_loss_const: 9", func(c *Config) any { return c.Totem.RetransmitsBeforeLoss }, 9},
		{"fail_recv_const: 2500", func(c *Config) any { return c.Totem.FailToRecvConst }, 2500},
		{"crypto_model: openssl", func(c *Config) any { return c.Totem.CryptoModel }, "openssl"},
		{"keyfile: /etc/corosync/authkey", func(c *Config) any { return c.Totem.Keyfile }, "/etc/corosync/authkey"},
		{"key: s3cret", func(c *Config) any { return c.Totem.Key }, "s3cret"},
		{"nodeid: 4294967295", func(c *Config) any { return c.Totem.NodeID }, uint32(4294967295)},
		{"interface {\nringnumber: 1\nbindnetaddr: 10.1.0.0\nbroadcast: yes\nttl: 0\n}\nrrp_mode: active",
			func(c *Config) any {
				i := c.Totem.Interfaces[1]
				return []any{i.RingNumber, i.Broadcast, i.TTL, i.McastPort}
			},
			[]any{1, true, 0, uint16(5407)}},
		{"interface {\nlinknumber: 1\nbindnetaddr: 10.1.0.0\nmcastaddr: 239.1.1.2\n}\nrrp_mode: active",
			func(c *Config) any { return c.Totem.Interfaces[1].RingNumber }, 1},
	} {
		c, _ := mustParse(t, strings.Replace(base, "%s", tc.line, 1))
		if got := tc.get(c); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %v, want %v", tc.line, got, tc.want)
		}
	}
}

func TestInterfacesSortedByRing(t *testing.T) {
	c, _ := mustParse(t, "totem {\nversion: 2\nrrp_mode: active\ninterface {\nringnumber: 1\nbindnetaddr: 10.1.0.0\nmcastaddr: 239.1.1.2\n}\ninterface {\nringnumber: 0\nbindnetaddr: 10.0.0.0\nmcastaddr: 239.1.1.1\n}\n}\n")
	check(t, "ring of Interfaces[0]", c.Totem.Interfaces[0].RingNumber, 0)
	check(t, "line of Interfaces[0]", c.Totem.Interfaces[0].Line, 9)
}

func TestMcastGroup(t *testing.T) {
	for _, tc := range []struct {
		name, totem string
		want        string
	}{
		{"rlab ipv4", "cluster_name: rlab\ninterface {\nbindnetaddr: 10.0.0.0\n}", "239.192.6.106:5405"},
		{"rlab ipv6", "cluster_name: rlab\nip_version: ipv6\nnodeid: 1\ninterface {\nbindnetaddr: fd00::1\n}", "[ff15::664]:5405"},
		{"explicit", "cluster_name: rlab\ninterface {\nbindnetaddr: 10.0.0.0\nmcastaddr: 226.94.1.1\nmcastport: 6000\n}", "226.94.1.1:6000"},
		{"broadcast", "interface {\nbindnetaddr: 10.0.0.0\nbroadcast: yes\n}", "255.255.255.255:5405"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := mustParse(t, "totem {\nversion: 2\ntransport: udp\n"+tc.totem+"\n}\n")
			g, err := c.McastGroup()
			if err != nil {
				t.Fatal(err)
			}
			check(t, "group", g, netip.MustParseAddrPort(tc.want))
		})
	}
	// corosync's quirks: % 0xFF, the link number added, a signed char.
	check(t, "link 1", clusterMcastAddr("rlab", 1, "ipv4"), netip.MustParseAddr("239.192.6.107"))
	check(t, "id 255 wraps", clusterMcastAddr("\x7f\x01", 0, "ipv4"), netip.MustParseAddr("239.192.0.0")) // id 127·2+1 = 255, and 255 % 0xFF = 0
	check(t, "signed char", clusterID("\xe9"), uint16(0xFFE9))
	check(t, "long name keeps low 16 bits", clusterID(strings.Repeat("z", 40)), clusterIDNaive(strings.Repeat("z", 40)))
}

// clusterIDNaive computes generate_cluster_id with unbounded arithmetic.
func clusterIDNaive(name string) uint16 {
	v := uint64(0)
	for i := 0; i < len(name); i++ {
		v = v<<1 + uint64(int64(int8(name[i])))
	}
	return uint16(v)
}

func TestConfigVersion(t *testing.T) {
	c, _ := mustParse(t, "totem {\nversion: 2\ncluster_name: v\nconfig_version: 7\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\nnodeid: 1\n}\n}\n")
	check(t, "ConfigVersion", c.Totem.ConfigVersion, uint64(7))
	check(t, "IsSet", c.IsSet("totem.config_version"), true)
	c, _ = mustParse(t, "totem {\nversion: 2\ncluster_name: v\n}\nnodelist {\nnode {\nring0_addr: 10.0.0.1\nnodeid: 1\n}\n}\n")
	check(t, "IsSet when absent", c.IsSet("totem.config_version"), false)
	if _, _, err := Parse("t.conf", []byte("totem {\nversion: 2\nconfig_version: -1\n}\n")); err == nil || !strings.Contains(err.Error(), "t.conf:3") {
		t.Errorf("a negative config_version: %v", err)
	}
}
