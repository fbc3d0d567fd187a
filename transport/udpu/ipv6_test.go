package udpu_test

import (
	"net/netip"
	"testing"

	"goais/internal/netns"
)

// TestIPv6ThreeNodes runs three nodes on IPv6 addresses of a namespace's
// loopback interface (the machine's own loopback has only ::1).
func TestIPv6ThreeNodes(t *testing.T) {
	addrs := []netip.Addr{
		netip.MustParseAddr("fd00:232::1"),
		netip.MustParseAddr("fd00:232::2"),
		netip.MustParseAddr("fd00:232::3"),
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := netns.New(t, "goaisudpu")
			for _, a := range addrs {
				ns.AddAddr(t, "lo", netip.PrefixFrom(a, 128))
			}
			nodes := newCluster(t, m.batch, addrs, nil, ns.Do)
			send(t, nodes[2], dg(0, "v6 to all"), dg(1, "v6 token"))
			for _, n := range nodes {
				n.expect(t, "v6 to all", nodes[2].addr)
			}
			nodes[0].expect(t, "v6 token", nodes[2].addr)
		})
	}
}
