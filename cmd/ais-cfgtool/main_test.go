package main

import (
	"bytes"
	"strings"
	"testing"

	"goais/client/cfg"
)

func TestPrintMembers(t *testing.T) {
	m := cfg.Members{Ring: "1.c", Nodes: []cfg.Member{
		{NodeID: 1, Name: "node1", Addrs: []string{"10.0.0.1"}, Status: "member", Votes: 1},
		{NodeID: 2, Addrs: []string{"10.0.0.2"}, Status: "member", Local: true, Votes: 1},
		{NodeID: 3, Name: "node3", Status: "down"},
	}}
	var b bytes.Buffer
	printMembers(&b, m)
	want := "Membership information (ring 1.c)\n" +
		"Nodeid  Address   Name   Status\n" +
		"1       10.0.0.1  node1  member\n" +
		"2       10.0.0.2  -      member (local)\n" +
		"3       -         node3  down\n"
	if b.String() != want {
		t.Errorf("without quorum:\n%s\nwant:\n%s", b.String(), want)
	}

	m.Quorum = &cfg.Quorum{Quorate: true, ExpectedVotes: 3, HighestExpected: 3, TotalVotes: 2, Quorum: 2}
	b.Reset()
	printMembers(&b, m)
	want = "Membership information (ring 1.c)\n" +
		"Nodeid  Votes  Address   Name   Status\n" +
		"1       1      10.0.0.1  node1  member\n" +
		"2       1      10.0.0.2  -      member (local)\n" +
		"3       0      -         node3  down\n" +
		"Quorum: quorate (total votes 2, expected votes 3, highest expected 3, quorum 2)\n"
	if b.String() != want {
		t.Errorf("with quorum:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run(nil, &out, &errb); code != 2 || !strings.Contains(errb.String(), "usage: ais-cfgtool") {
		t.Errorf("no options: exit %d, stderr %q", code, errb.String())
	}
	if code := run([]string{"-m", "extra"}, &out, &errb); code != 2 {
		t.Errorf("an extra argument: exit %d", code)
	}
}
