package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"goais/totem"
)

// fakeResolver resolves from a fixed table and fails for anything else,
// so tests never reach the network.
func fakeResolver(table map[string][]string) Resolver {
	return func(host string) ([]netip.Addr, error) {
		as, ok := table[host]
		if !ok {
			return nil, fmt.Errorf("lookup %s: no such host", host)
		}
		var out []netip.Addr
		for _, a := range as {
			out = append(out, netip.MustParseAddr(a))
		}
		return out, nil
	}
}

func prefixes(ps ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range ps {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

func TestDeriveNodeID(t *testing.T) {
	for _, tc := range []struct {
		addr      string
		clearHigh bool
		want      uint32
		err       bool
	}{
		{"10.88.0.3", false, 0x0A580003, false},
		{"10.88.0.3", true, 0x0A580003, false},
		{"192.168.1.1", false, 0xC0A80101, false},
		{"192.168.1.1", true, 0x40A80101, false},
		{"::ffff:10.88.0.3", false, 0x0A580003, false},
		{"128.0.0.0", true, 0, true}, // clears to the reserved 0
		{"0.0.0.0", false, 0, true},
		{"fd00::3", false, 0, true},
	} {
		got, err := deriveNodeID(netip.MustParseAddr(tc.addr), tc.clearHigh)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("deriveNodeID(%s, %v) = %#x, %v; want %#x, error %v", tc.addr, tc.clearHigh, got, err, tc.want, tc.err)
		}
	}
}

func TestMembersAndLocal(t *testing.T) {
	c, _ := mustLoad(t, "testdata/corosync.conf")
	c.Resolver = fakeResolver(map[string][]string{"gamma.example": {"fd00::3", "10.88.0.3"}})

	m, err := c.Members(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{
		{NodeID: 1, Ring0: netip.MustParseAddr("10.88.0.1"), Ring1: netip.MustParseAddr("10.99.0.1"), Name: "alpha", Line: 19},
		{NodeID: 2, Ring0: netip.MustParseAddr("10.88.0.2"), Ring1: netip.MustParseAddr("10.99.0.2"), Name: "beta", Line: 25},
		// ip_version ipv4: the IPv4 address of a dual-stack name.
		{NodeID: 3, Ring0: netip.MustParseAddr("10.88.0.3"), Ring1: netip.MustParseAddr("10.99.0.3"), Name: "gamma", Line: 31},
	}
	check(t, "Members", m, want)

	l, err := c.Local(prefixes("127.0.0.1/8", "10.88.0.2/16", "10.99.0.2/16"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local", l, Local{NodeID: 2, Index: 1, Ring0: netip.MustParseAddr("10.88.0.2"), Ring1: netip.MustParseAddr("10.99.0.2"), Name: "beta"})

	l, err = c.Local(prefixes("10.88.0.3/16"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local by host name", l.Index, 2)

	tc := c.TotemConfig(l, m)
	check(t, "NodeID", tc.NodeID, totem.NodeID(3))
	check(t, "Nodes", tc.Nodes, []totem.NodeID{1, 2, 3})
	check(t, "Token with coefficient", tc.Token, ms(1500)) // 1000 + (3-2)·500
	check(t, "TokenCoefficient", tc.TokenCoefficient, ms(500))
	check(t, "Consensus", tc.Consensus, ms(1800))
	full := tc.WithDefaults()
	if err := full.Validate(); err != nil {
		t.Fatal(err)
	}

	_, err = c.Local(prefixes("192.168.1.1/24"))
	var e *Error
	if !errors.As(err, &e) || e.Line != 18 || !strings.Contains(err.Error(), "no nodelist entry matches a local address") ||
		!strings.Contains(err.Error(), "gamma.example → 10.88.0.3") || !strings.Contains(err.Error(), "192.168.1.1/24") {
		t.Errorf("Local with no match: %v", err)
	}
}

func TestLocalUnresolvablePeer(t *testing.T) {
	c, _ := mustParse(t, lines("totem {", "version: 2", "transport: udpu", "}", "nodelist {",
		"node {", "ring0_addr: ghost.example", "}", // 6
		"node {", "ring0_addr: self.example", "}", // 9
		"}"))
	c.Resolver = fakeResolver(map[string][]string{"self.example": {"10.0.0.2"}})
	l, err := c.Local(prefixes("10.0.0.2/24"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local", l, Local{NodeID: 0x0A000002, Index: 1, Ring0: netip.MustParseAddr("10.0.0.2")})
	_, err = c.Members(nil)
	if err == nil || !strings.HasPrefix(err.Error(), "test.conf:7: nodelist.node.ring0_addr: invalid value \"ghost.example\": cannot resolve") {
		t.Errorf("Members: %v", err)
	}
}

func TestMembersByName(t *testing.T) {
	text := lines("totem {", "version: 2", "transport: udpu", "clear_node_high_bit: yes", "}", "nodelist {",
		"node {", "ring0_addr: a.example", "}", // 7
		"node {", "ring0_addr: b.example", "}", // 10
		"}")
	c, _ := mustParse(t, text)

	// Names resolving to the same address collide on the derived id.
	_, err := c.Members(fakeResolver(map[string][]string{"a.example": {"192.168.1.1"}, "b.example": {"192.168.1.1"}}))
	if err == nil || !strings.HasPrefix(err.Error(), "test.conf:11: nodelist.node.nodeid:") {
		t.Errorf("duplicate derived nodeid: %v", err)
	}
	// A name with only an IPv6 address needs a nodeid.
	_, err = c.Members(fakeResolver(map[string][]string{"a.example": {"192.168.1.1"}, "b.example": {"fd00::2"}}))
	if err == nil || !strings.HasPrefix(err.Error(), "test.conf:11: nodelist.node.nodeid:") || !strings.Contains(err.Error(), "IPv6") {
		t.Errorf("IPv6 without nodeid: %v", err)
	}
	// clear_node_high_bit applies to derived ids; udpu prefers IPv6.
	m, err := c.Members(fakeResolver(map[string][]string{"a.example": {"192.168.1.1"}, "b.example": {"192.168.1.2", "fd00::2"}}))
	if err == nil || !strings.Contains(err.Error(), "IPv6") {
		t.Errorf("ipv6-4 should pick fd00::2 for b.example and fail without nodeid: %v %v", m, err)
	}
	m, err = c.Members(fakeResolver(map[string][]string{"a.example": {"192.168.1.1"}, "b.example": {"192.168.1.2"}}))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "ids", []uint32{m[0].NodeID, m[1].NodeID}, []uint32{0x40A80101, 0x40A80102})
}

func TestLocalTotemNodeIDFallback(t *testing.T) {
	c, _ := mustParse(t, lines("totem {", "version: 2", "transport: udpu", "nodeid: 77", "}", "nodelist {",
		"node {", "ring0_addr: 10.0.0.1", "nodeid: 1", "}",
		"node {", "ring0_addr: 10.0.0.2", "}",
		"}"))
	l, err := c.Local(prefixes("10.0.0.2/24"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "NodeID from totem.nodeid", l.NodeID, uint32(77))
	m, err := c.Members(nil)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "member id derived", m[1].NodeID, uint32(0x0A000002))
	// TotemConfig uses this node's own id for its entry.
	check(t, "Nodes", c.TotemConfig(l, m).Nodes, []totem.NodeID{1, 77})
}

func TestLocalWithoutNodelist(t *testing.T) {
	c, _ := mustLoad(t, "testdata/openais.conf") // rings 192.168.5.0 and 10.10.0.0, nodeid 42
	l, err := c.Local(prefixes("127.0.0.1/8", "10.10.3.4/16", "192.168.5.92/24"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local", l, Local{NodeID: 42, Index: -1, Ring0: netip.MustParseAddr("192.168.5.92"), Ring1: netip.MustParseAddr("10.10.3.4")})

	tc := c.TotemConfig(l, nil)
	check(t, "NodeID", tc.NodeID, totem.NodeID(42))
	check(t, "Nodes", tc.Nodes, []totem.NodeID{42})
	want := totem.Config{
		NodeID: 42, Nodes: []totem.NodeID{42},
		Token: ms(2000), TokenRetransmit: ms(400), Hold: ms(300), RetransmitsBeforeLoss: 5,
		Join: ms(60), SendJoin: ms(80), Consensus: ms(2400), Merge: ms(250), Downcheck: ms(1500),
		FailToRecvConst: 60, SeqnoUnchangedConst: 40, HeartbeatFailuresAllowed: 3,
		MaxNetworkDelay: ms(60), WindowSize: 60, MaxMessages: 20, NetMTU: 8982,
	}
	check(t, "TotemConfig", tc, want)
	full := tc.WithDefaults()
	if err := full.Validate(); err != nil {
		t.Fatal(err)
	}

	// The second ring must be local too.
	_, err = c.Local(prefixes("192.168.5.92/24"))
	if err == nil || !strings.HasPrefix(err.Error(), "testdata/openais.conf:41: totem.interface.bindnetaddr: invalid value \"10.10.0.0\": no local address") {
		t.Errorf("missing ring 1: %v", err)
	}

	// Derived nodeid, and a bindnetaddr that is a host address.
	c, _ = mustParse(t, totemWith("clear_node_high_bit: on"))
	l, err = c.Local(prefixes("10.0.0.9/8"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "derived", l.NodeID, uint32(0x0A000009))
	_, err = c.Local(prefixes("10.1.0.9/16")) // same /8 but not the same /16
	if err == nil {
		t.Error("10.0.0.0 matched 10.1.0.9/16")
	}
}

func TestLocalIPv6WithoutNodelist(t *testing.T) {
	c, _ := mustParse(t, lines("totem {", "version: 2", "nodeid: 9", "interface {", "bindnetaddr: fd00::5", "mcastaddr: ff15::1", "}", "}"))
	l, err := c.Local(prefixes("fd00::4/64", "fd00::5/64"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "Local", l, Local{NodeID: 9, Index: -1, Ring0: netip.MustParseAddr("fd00::5")})
	// IPv6 matches the exact address, not the network.
	if _, err := c.Local(prefixes("fd00::4/64")); err == nil {
		t.Error("fd00::5 matched fd00::4/64")
	}
}

func TestTokenCoefficientZero(t *testing.T) {
	text := lines("totem {", "version: 2", "transport: udpu", "token_coefficient: 0", "}", "nodelist {",
		"node {", "ring0_addr: 10.0.0.1", "}", "node {", "ring0_addr: 10.0.0.2", "}", "node {", "ring0_addr: 10.0.0.3", "}", "}")
	c, _ := mustParse(t, text)
	l, _ := c.Local(prefixes("10.0.0.1/24"))
	m, _ := c.Members(nil)
	tc := c.TotemConfig(l, m)
	check(t, "Token", tc.Token, 3*time.Second) // not 3000 + 650
	check(t, "Nodes", len(tc.Nodes), 3)
	// Without the explicit zero, the core applies the coefficient.
	c, _ = mustParse(t, strings.Replace(text, "token_coefficient: 0", "token_coefficient: 100", 1))
	tc = c.TotemConfig(l, m)
	check(t, "Token left to defaults", tc.Token, time.Duration(0))
	check(t, "defaulted", tc.WithDefaults().Token, ms(3100))
}

// Several executives on one host: every 127.0.0.x is local, and
// totem.nodeid picks the entry.
func TestLocalSeveralOnLoopback(t *testing.T) {
	for _, tc := range []struct {
		nodeid    string
		wantIndex int
	}{{"", 0}, {"nodeid: 2", 1}, {"nodeid: 3", 2}} {
		c, _ := mustParse(t, lines("totem {", "version: 2", "transport: udpu", tc.nodeid, "}", "nodelist {",
			"node {", "ring0_addr: 127.0.0.1", "nodeid: 1", "}",
			"node {", "ring0_addr: 127.0.0.2", "nodeid: 2", "}",
			"node {", "ring0_addr: 127.0.0.3", "nodeid: 3", "}",
			"}"))
		l, err := c.Local(prefixes("127.0.0.1/8", "10.0.0.5/24"))
		if err != nil {
			t.Fatal(err)
		}
		check(t, "index for "+tc.nodeid, l.Index, tc.wantIndex)
		check(t, "nodeid for "+tc.nodeid, l.NodeID, uint32(tc.wantIndex+1))
	}
	// A nodeid whose address is not local does not select its entry.
	c, _ := mustParse(t, lines("totem {", "version: 2", "transport: udpu", "nodeid: 2", "}", "nodelist {",
		"node {", "ring0_addr: 10.0.0.5", "nodeid: 1", "}",
		"node {", "ring0_addr: 10.0.0.6", "nodeid: 2", "}",
		"}"))
	l, err := c.Local(prefixes("10.0.0.5/24"))
	if err != nil {
		t.Fatal(err)
	}
	check(t, "non-local nodeid entry", l.Index, 0)
}
