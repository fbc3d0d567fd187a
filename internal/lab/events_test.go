package lab

import (
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

func TestParseEvents(t *testing.T) {
	ev := []string{
		"confchg 100 members=1:10,3:30 left= joined=3:30:1",
		"totem 101 ring=1.12 members=1,2,3",
		"deliver 3 30 n3p0 7 64 ok",
		"deliver 1 10 - - 5 bad",
		"confchg 200 members=1:10 left=3:30:3 joined=",
	}
	ds, err := Deliveries(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []Delivery{
		{NodeID: 3, PID: 30, Tag: "n3p0", Seq: "7", Len: 64, OK: true},
		{NodeID: 1, PID: 10, Tag: "-", Seq: "-", Len: 5},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Errorf("Deliveries = %+v, want %+v", ds, want)
	}
	if k := ds[0].Key(); k != "3/30/n3p0/7" {
		t.Errorf("Key = %q", k)
	}
	ccs, err := Confchgs(ev)
	if err != nil {
		t.Fatal(err)
	}
	wantCC := []Confchg{
		{Mono: 100, Members: []Member{{1, 10, 0}, {3, 30, 0}}, Joined: []Member{{3, 30, 1}}},
		{Mono: 200, Members: []Member{{1, 10, 0}}, Left: []Member{{3, 30, 3}}},
	}
	if !reflect.DeepEqual(ccs, wantCC) {
		t.Errorf("Confchgs = %+v, want %+v", ccs, wantCC)
	}
	ts, err := Totems(ev)
	if err != nil || !reflect.DeepEqual(ts, []Totem{{Mono: 101, Ring: "1.12", Members: []uint32{1, 2, 3}}}) {
		t.Errorf("Totems = %+v, %v", ts, err)
	}
	line := "flood sent=10 delivered=30 bytes=1920 secs=1.002"
	if Int(line, "delivered") != 30 || Float(line, "secs") != 1.002 || Int(line, "missing") != 0 {
		t.Errorf("Fields of %q: %v", line, Fields(line))
	}
}

func TestParseEventsRejectsMalformedLines(t *testing.T) {
	for _, bad := range []string{
		"deliver 3 30 tag",
		"deliver x 30 tag 1 2 ok",
		"confchg 1 members=1:2",
		"confchg x members= left= joined=",
		"confchg 1 members=1:2:3:4 left= joined=",
		"confchg 1 members=a:b left= joined=",
		"confchg 1 left= members= joined=",
	} {
		if _, err := Deliveries([]string{bad}); err == nil && bad[:7] == "deliver" {
			t.Errorf("Deliveries accepted %q", bad)
		}
		if _, err := Confchgs([]string{bad}); err == nil && bad[:7] == "confchg" {
			t.Errorf("Confchgs accepted %q", bad)
		}
	}
	for _, bad := range []string{"totem 1 ring=1.2", "totem 1 ring=1.2 members=x", "totem x ring=1.2 members=1"} {
		if _, err := Totems([]string{bad}); err == nil {
			t.Errorf("Totems accepted %q", bad)
		}
	}
}

func TestRingConfig(t *testing.T) {
	l := &Lab{Hosts: []*Host{{Addr: mustAddr("10.0.0.1")}, {Addr: mustAddr("10.0.0.2")}}}
	r := NewRing(UDP, Node{ID: 1, Host: 0, Kind: Corosync}, Node{ID: 2, Host: 1, Kind: Goais})
	got := r.Config(l, "/d", 2)
	for _, want := range []string{
		"\ttransport: udp\n", "\ttoken: 1000\n", "\t\tmcastaddr: 239.192.77.1\n",
		"\t\tring0_addr: 10.0.0.2\n\t\tnodeid: 2\n\t\tname: node2\n",
		"quorum {\n\tprovider: corosync_votequorum\n}", "run_dir: /d\n",
	} {
		if !contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
}

func TestRingConfigRedundantSecure(t *testing.T) {
	l := &Lab{Hosts: []*Host{
		{Addr: mustAddr("10.0.0.1"), Addr1: mustAddr("10.1.0.1")},
		{Addr: mustAddr("10.0.0.2"), Addr1: mustAddr("10.1.0.2")},
	}}
	r := NewRing(UDPU, Node{ID: 1, Host: 0, Kind: Goais}, Node{ID: 2, Host: 1, Kind: Goais})
	r.RRPMode, r.Keyfile, r.Keyfiles = "passive", "/k/authkey", map[uint32]string{2: "/k/other"}
	one, two := r.Config(l, "/d", 1), r.Config(l, "/d", 2)
	for _, want := range []string{"\trrp_mode: passive\n", "\t\tring0_addr: 10.0.0.2\n\t\tring1_addr: 10.1.0.2\n", "\tcrypto_cipher: aes256\n"} {
		if !contains(one, want) {
			t.Errorf("config lacks %q:\n%s", want, one)
		}
	}
	if !contains(one, "keyfile: /k/authkey\n") || !contains(two, "keyfile: /k/other\n") {
		t.Errorf("per-node keyfiles not applied:\n%s\n%s", one, two)
	}
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }
