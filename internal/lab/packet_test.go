package lab

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestIPv4UDPRoundTrip(t *testing.T) {
	src := netip.MustParseAddrPort("10.0.0.1:5405")
	dst := netip.MustParseAddrPort("10.0.0.2:5405")
	pkt := buildIPv4UDP(src, dst, 7, []byte("hello"))
	d, ok := parseIPv4UDP(pkt)
	if !ok || d.Src != src || d.Dst != dst || !bytes.Equal(d.Payload, []byte("hello")) {
		t.Fatalf("parse(build) = %+v, %v", d, ok)
	}
	for n := range len(pkt) {
		if _, ok := parseIPv4UDP(pkt[:n]); ok {
			t.Errorf("a packet truncated to %d of %d bytes parsed", n, len(pkt))
		}
	}
	frag := bytes.Clone(pkt)
	frag[6] = 0x20 // more fragments
	if _, ok := parseIPv4UDP(frag); ok {
		t.Error("a fragment parsed")
	}
}

func TestParseRingStatus(t *testing.T) {
	out := "Printing ring status.\nLocal node ID 2, transport udpu\nRedundant ring mode passive, secauth on (AES-256-GCM, key fingerprint 0011)\n" +
		"RING ID 0\n\tid\t= 10.0.0.2\n\tstatus\t= ring 0 active with no faults\n" +
		"RING ID 1\n\tid\t= 10.1.0.2\n\tstatus\t= Marking ringid 1 interface 10.1.0.2 FAULTY - administrative intervention required.\n" +
		"Dropped datagrams: invalid digest 3, truncated 1, plaintext 0, replayed 40, unknown source 0, oversized 0, malformed 2\n"
	s, err := ParseRingStatus(out)
	if err != nil {
		t.Fatal(err)
	}
	if s.Mode != "passive" || s.Secauth != "on (AES-256-GCM, key fingerprint 0011)" || len(s.Rings) != 2 ||
		s.Rings[1].Addr != "10.1.0.2" || !s.Faulty(1) || s.Faulty(0) || s.AllActive() ||
		s.Dropped["invalid digest"] != 3 || s.Dropped["replayed"] != 40 || s.Dropped["malformed"] != 2 {
		t.Errorf("parsed %+v", s)
	}
}
