package ringtest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"goais/internal/lab"
)

// secureRing is three goais nodes sharing one key, on hosts 0-2.
func secureRing(t *testing.T, key string, extra ...lab.Node) *lab.Ring {
	r := lab.NewRing(lab.UDPU, append([]lab.Node{goais(1, 0), goais(2, 1), goais(3, 2)}, extra...)...)
	r.Keyfile = key
	return r
}

// A secauth ring forms and carries CPG traffic of every size; what crosses
// the wire is sealed (no plaintext Totem header, no application bytes);
// every node shows the same key fingerprint.
func TestSecauthRingCarriesCPG(t *testing.T) {
	c := lab.NewCluster(t, lab.Options{Prefix: "goaisring", Hosts: 3, Bin: bin}, secureRing(t, keygen(t, "authkey")))
	c.WaitMembers(1, 2, 3)
	capture, err := c.Lab.Hosts[1].StartCapture(lab.HostDev, 5405)
	must(t, err)
	peers := c.GroupOnEveryNode("secure")
	c.SendRound(peers, 50, 100, 3000, 70000)
	seen := capture.Stop()
	if len(seen) < 100 {
		t.Fatalf("captured only %d datagrams on host 1", len(seen))
	}
	for _, d := range seen {
		if len(d.Payload) > 0 && (d.Payload[0] == 0x70 || d.Payload[0] == 0xc0) {
			t.Fatalf("a plaintext Totem datagram crossed the wire: %s -> %s, %d bytes", d.Src, d.Dst, len(d.Payload))
		}
		for _, p := range peers {
			if bytes.Contains(d.Payload, []byte(p.Tag+" ")) {
				t.Fatalf("peer %s's message text is readable on the wire (%s -> %s)", p.Tag, d.Src, d.Dst)
			}
		}
	}
	var fp string
	for _, id := range c.IDs() {
		s := ringStatus(t, c.Daemons[id])
		if !strings.HasPrefix(s.Secauth, "on (AES-256-GCM, key fingerprint ") {
			t.Errorf("node %d: secauth %q", id, s.Secauth)
		}
		if fp == "" {
			fp = s.Secauth
		} else if s.Secauth != fp {
			t.Errorf("node %d shows %q, node 1 %q", id, s.Secauth, fp)
		}
		if bad := s.Dropped["invalid digest"] + s.Dropped["replayed"] + s.Dropped["truncated"]; bad != 0 {
			t.Errorf("node %d dropped %d datagrams of its own ring:\n%s", id, bad, s.Text)
		}
	}
	t.Logf("%d sealed datagrams captured on host 1; %s", len(seen), fp)
}

// A node with another key never joins and never disturbs the ring: it
// stays alone, the others keep their ring and log the invalid digests.
func TestWrongKeyNodeStaysOut(t *testing.T) {
	r := secureRing(t, keygen(t, "authkey"), goais(4, 3))
	r.Keyfiles = map[uint32]string{4: keygen(t, "otherkey")}
	c := lab.NewCluster(t, lab.Options{Prefix: "goaisring", Hosts: 4, Bin: bin}, r)
	c.WaitMembers(1, 2, 3)
	c.WaitMembers(4)
	before := rings(t, c, 1, 2, 3)
	// Wait until each member has dropped a good number of the outsider's
	// datagrams: it has been trying all along.
	for _, id := range []uint32{1, 2, 3} {
		waitStatus(t, c.Daemons[id], "20 datagrams dropped for an invalid digest", func(s lab.RingState) bool {
			return s.Dropped["invalid digest"] >= 20
		})
		if _, err := c.Daemons[id].WaitLog(0, "Invalid digest", waitLimit); err != nil {
			t.Error(err)
		}
		if log := c.Daemons[id].Log(); !strings.Contains(log, "key mismatch?") {
			t.Errorf("node %d never logged the key mismatch hint", id)
		}
	}
	if _, err := c.Daemons[4].WaitLog(0, "Invalid digest", waitLimit); err != nil {
		t.Error(err)
	}
	sameRing(t, c, before)
	if ids, err := c.Daemons[4].Members(); err != nil || fmt.Sprint(ids) != "[4]" {
		t.Errorf("the node with another key lists members %v (%v), want only itself", ids, err)
	}
	peers := []*lab.Peer{c.Peer(1, "secure"), c.Peer(2, "secure"), c.Peer(3, "secure")}
	c.WaitGroup(peers...)
	c.SendRound(peers, 50, 1000)
	sameRing(t, c, before)
}
