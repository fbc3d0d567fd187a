package clm

import (
	"net/netip"
	"strings"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
)

// The configured record is normalised: a name cut to 256 bytes, an
// IPv4-mapped address as IPv4, no zone; and it is what the node sends.
func TestSelfRecord(t *testing.T) {
	env := &svcharness.Env{ID: 7, Message: Message}
	c := New(env, Config{Self: NodeInfo{Address: netip.MustParseAddr("::ffff:10.9.8.7"), Name: strings.Repeat("n", 300)}}, nil)
	if c.ID() != service.CLM || c.Name() != "clm" {
		t.Fatalf("id %d name %q", c.ID(), c.Name())
	}
	c.SyncInit([]service.NodeID{7}, []service.NodeID{7}, service.RingID{Rep: 7, Seq: 40})
	if !c.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("sent %d messages", len(env.Sent))
	}
	n, err := DecodeNodeJoin(env.Sent[0], false)
	if err != nil {
		t.Fatal(err)
	}
	if n.ID != 7 || len(n.Name) != 256 || n.Address != netip.MustParseAddr("10.9.8.7") || n.InitialView != 10 {
		t.Fatalf("sent %+v", n)
	}
	// A second SyncProcess in the same round sends nothing more.
	if !c.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("sent %d messages", len(env.Sent))
	}
	c.Deliver(7, FnNodeJoin, env.Sent[0], false)
	c.SyncActivate()
	view, nodes, ok := c.View()
	if !ok || view != 10 || len(nodes) != 1 || nodes[0].Name != n.Name {
		t.Fatalf("view %d %+v %v", view, nodes, ok)
	}
	z := New(env, Config{Self: NodeInfo{Address: netip.MustParseAddr("fe80::1%eth0")}}, nil)
	if z.self.Address.Zone() != "" {
		t.Fatalf("zone kept: %v", z.self.Address)
	}
}
