package udpsock

import (
	"net/netip"
	"strings"
	"testing"

	"goais/transport"
)

func TestNewMemberTableLeavesOutBadEntries(t *testing.T) {
	a := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	tab, err := NewMemberTable([]transport.Member{
		{NodeID: 1, Addr: a("10.0.0.1")},
		{NodeID: 0, Addr: a("10.0.0.2")},                  // reserved nodeid
		{NodeID: 2, Addr: a("fd00::2")},                   // wrong family
		{NodeID: 1, Addr: a("10.0.0.3")},                  // duplicate nodeid
		{NodeID: 4, Addr: a("10.0.0.1")},                  // duplicate address
		{NodeID: 5},                                       // no address
		{NodeID: 3, Addr: a("::ffff:10.0.0.3")},           // mapped: accepted as 10.0.0.3
		{NodeID: 6, Addr: a("fe80::6%no-such-interface")}, // wrong family first
	}, 5405, true)
	for _, want := range []string{
		"member 1 (nodeid 0, 10.0.0.2): nodeid 0 is reserved",
		"member 2 (nodeid 2, fd00::2): address family differs",
		"member 3 (nodeid 1, 10.0.0.3): duplicate nodeid",
		"member 4 (nodeid 4, 10.0.0.1): duplicate address",
		"member 5 (nodeid 5, invalid IP): no address",
		"member 7 (nodeid 6, fe80::6%no-such-interface): address family differs",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	want := []transport.Member{{NodeID: 1, Addr: a("10.0.0.1")}, {NodeID: 3, Addr: a("10.0.0.3")}}
	got := tab.Members()
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Members() = %v, want %v", got, want)
	}
	if tab.Len() != 2 || tab.Dest(1).Addr() != netip.MustParseAddrPort("10.0.0.3:5405") {
		t.Fatalf("Len %d, Dest(1) %v; want 2 and 10.0.0.3:5405", tab.Len(), tab.Dest(1).Addr())
	}
	if tab.Lookup(3) != tab.Dest(1) || tab.Lookup(2) != nil {
		t.Fatal("Lookup does not index the accepted members by nodeid")
	}
	if !tab.Has(a("10.0.0.3")) || tab.Has(a("10.0.0.2")) {
		t.Fatal("Has does not report exactly the accepted addresses")
	}
	got[0].NodeID = 99
	if tab.Members()[0].NodeID != 1 {
		t.Fatal("Members() returned the table's own slice")
	}
}

func TestNewMemberTableIPv6Zones(t *testing.T) {
	tab, err := NewMemberTable([]transport.Member{
		{NodeID: 1, Addr: netip.MustParseAddr("fe80::1%1")},
		{NodeID: 2, Addr: netip.MustParseAddr("fe80::1%2")}, // same address, other zone
		{NodeID: 3, Addr: netip.MustParseAddr("fe80::3%no-such-interface")},
	}, 5405, false)
	if err == nil || !strings.Contains(err.Error(), "member 1 (nodeid 2, fe80::1%2): duplicate address") ||
		!strings.Contains(err.Error(), `member 2 (nodeid 3, fe80::3%no-such-interface): zone "no-such-interface"`) {
		t.Fatalf("error %v, want the duplicate and the unknown zone named", err)
	}
	if tab.Len() != 1 || !tab.Has(netip.MustParseAddr("fe80::1")) || tab.Dest(0).Addr().Addr().Zone() != "1" {
		t.Fatalf("table %v, want fe80::1%%1 alone, looked up without zone", tab.Members())
	}
}
