package ringtest

import (
	"fmt"
	"net/netip"
	"testing"

	"goais/internal/lab"
)

// redundantCluster is three goais nodes with two links each, in mode,
// over udpu.
func redundantCluster(t *testing.T, mode string, secure bool) *lab.Cluster {
	return redundantClusterOver(t, lab.UDPU, mode, secure)
}

// redundantClusterOver is redundantCluster over transport tr: with udp,
// each ring is its own multicast group (interface { ringnumber: 1 }).
func redundantClusterOver(t *testing.T, tr lab.Transport, mode string, secure bool) *lab.Cluster {
	r := lab.NewRing(tr, goais(1, 0), goais(2, 1), goais(3, 2))
	r.RRPMode = mode
	if secure {
		r.Keyfile = keygen(t, "authkey")
	}
	c := lab.NewCluster(t, lab.Options{
		Prefix: "goaisring", Hosts: 3, Bin: bin,
		Subnet1: netip.MustParsePrefix("10.242.0.0/24"),
	}, r)
	c.WaitMembers(1, 2, 3)
	for _, id := range c.IDs() {
		s := waitStatus(t, c.Daemons[id], "both rings active", lab.RingState.AllActive)
		if s.Mode != mode || len(s.Rings) != 2 {
			t.Fatalf("node %d: mode %q, rings %s", id, s.Mode, describe(s))
		}
	}
	return c
}

// linkFault breaks one link of one host and gives a function that heals it.
type linkFault struct {
	name  string
	ring  int
	host  int
	cause func(h *lab.Host) error
	heal  func(h *lab.Host) error
}

var (
	// The kernel takes the interface down: sends fail at once.
	linkDown = func(ring, host int) linkFault {
		dev := devOf(ring)
		return linkFault{
			name: fmt.Sprintf("ring %d link down on host %d", ring, host), ring: ring, host: host,
			cause: func(h *lab.Host) error { return h.SetLinkOf(dev, false) },
			heal:  func(h *lab.Host) error { return h.SetLinkOf(dev, true) },
		}
	}
	// The interface stays up and every datagram through it is lost.
	linkBlackhole = func(ring, host int) linkFault {
		dev := devOf(ring)
		return linkFault{
			name: fmt.Sprintf("ring %d 100%% loss on host %d", ring, host), ring: ring, host: host,
			cause: func(h *lab.Host) error { return h.DropLink(dev, 100) },
			heal:  func(h *lab.Host) error { return h.DropLink(dev, 0) },
		}
	}
)

func devOf(ring int) string {
	if ring == 1 {
		return lab.HostDev1
	}
	return lab.HostDev
}

// loseOneLink runs the whole story on a two-link ring: traffic, one link
// lost, traffic goes on without a membership change, the ring is marked
// FAULTY where the fault is seen, the link comes back, ais-cfgtool -r
// re-enables the ring on every node, traffic goes on over both rings.
func loseOneLink(t *testing.T, c *lab.Cluster, f linkFault) {
	peers := c.GroupOnEveryNode("rrp")
	c.SendRound(peers, 30, 100, 3000)
	before := rings(t, c, c.IDs()...)

	h := c.Lab.Hosts[f.host]
	must(t, f.cause(h))
	c.SendRound(peers, 30, 100, 3000, 70000)
	// Every node stops using the ring, the victim on its own evidence or
	// on another node's report.
	for _, id := range c.IDs() {
		s := waitStatus(t, c.Daemons[id], fmt.Sprintf("ring %d FAULTY after %s", f.ring, f.name), func(s lab.RingState) bool { return s.Faulty(f.ring) })
		t.Logf("node %d after %s: %s", id, f.name, describe(s))
		if s.Faulty(1 - f.ring) {
			t.Fatalf("node %d marked both rings faulty: %s", id, describe(s))
		}
	}
	c.SendRound(peers, 30, 100, 3000, 70000)
	sameRing(t, c, before)

	must(t, f.heal(h))
	out, err := c.Daemons[1].Tool(bin+"/ais-cfgtool", "-r")
	if err != nil {
		t.Fatal(err)
	}
	if want := "Re-enabling all failed rings.\n"; out != want {
		t.Errorf("ais-cfgtool -r printed %q, want %q", out, want)
	}
	for _, id := range c.IDs() {
		waitStatus(t, c.Daemons[id], "both rings active again after ais-cfgtool -r", lab.RingState.AllActive)
		if _, err := c.Daemons[id].WaitLog(0, "Re-enabling all failed rings (requested by node 1)", waitLimit); err != nil {
			t.Error(err)
		}
	}
	c.SendRound(peers, 30, 100, 3000)
	for _, id := range c.IDs() {
		// A problem counted under load may show; a FAULTY mark may not.
		if s := ringStatus(t, c.Daemons[id]); s.Faulty(0) || s.Faulty(1) {
			t.Errorf("node %d: a healed ring went faulty again: %s", id, describe(s))
		}
	}
	sameRing(t, c, before)
}

func TestActiveRingsLinkDown(t *testing.T) {
	loseOneLink(t, redundantCluster(t, "active", false), linkDown(1, 1))
}

func TestActiveRingsLossOnRing0(t *testing.T) {
	loseOneLink(t, redundantCluster(t, "active", true), linkBlackhole(0, 2))
}

func TestPassiveRingsLossOnRing1(t *testing.T) {
	loseOneLink(t, redundantCluster(t, "passive", false), linkBlackhole(1, 1))
}

func TestPassiveRingsLinkDownOnRing0(t *testing.T) {
	loseOneLink(t, redundantCluster(t, "passive", true), linkDown(0, 0))
}

// Two multicast groups, one per network, with secauth: the same story.
func TestActiveRingsOverMulticast(t *testing.T) {
	loseOneLink(t, redundantClusterOver(t, lab.UDP, "active", true), linkBlackhole(1, 2))
}
