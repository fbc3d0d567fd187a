package udp_test

import (
	"fmt"
	"net/netip"
	"testing"

	"goais/internal/netns"
	"goais/totem/wire"
	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udp"
)

// The namespaces are fresh, so a fixed port collides with nothing.
const port = 5405

var (
	group4 = netip.AddrPortFrom(netip.MustParseAddr("239.192.6.106"), port) // corosync's group for cluster "rlab"
	group6 = netip.AddrPortFrom(netip.MustParseAddr("ff15::6a"), port)
)

// Host i (0-based) has 10.231.0.(i+1) and fd00:231::(i+1). In
// newLANWithPrimary host 0 also has 10.231.0.101 as its primary IPv4
// address, so that a test sees which source address multicasts carry.
var (
	hostAddr4 = []netip.Addr{netip.MustParseAddr("10.231.0.1"), netip.MustParseAddr("10.231.0.2"), netip.MustParseAddr("10.231.0.3")}
	hostAddr6 = []netip.Addr{netip.MustParseAddr("fd00:231::1"), netip.MustParseAddr("fd00:231::2"), netip.MustParseAddr("fd00:231::3")}
	primary0  = netip.MustParsePrefix("10.231.0.101/24")
)

// modes are the two I/O paths; every behaviour is tested on both.
var modes = []struct {
	name  string
	batch bool
}{{"single", false}, {"batch", true}}

// families are the two address families, each with its group.
var families = []struct {
	name  string
	addrs []netip.Addr
	group netip.AddrPort
}{{"ipv4", hostAddr4, group4}, {"ipv6", hostAddr6, group6}}

// newLAN creates three hosts on a bridge, each in its own namespace.
func newLAN(t testing.TB) *netns.LAN {
	t.Helper()
	return makeLAN(t, false)
}

// newLANWithPrimary is newLAN with primary0 added first on host 0.
func newLANWithPrimary(t testing.TB) *netns.LAN {
	t.Helper()
	return makeLAN(t, true)
}

func makeLAN(t testing.TB, withPrimary bool) *netns.LAN {
	t.Helper()
	addrs := make([][]netip.Prefix, 3)
	for i := range addrs {
		addrs[i] = []netip.Prefix{netip.PrefixFrom(hostAddr4[i], 24), netip.PrefixFrom(hostAddr6[i], 64)}
	}
	if withPrimary {
		addrs[0] = append([]netip.Prefix{primary0}, addrs[0]...)
	}
	return netns.NewLAN(t, "goaisudp", addrs)
}

// node is a transport under test with a goroutine feeding what it receives
// into RX.
type node struct {
	*transporttest.Reader
	tr   *udp.Transport
	id   transport.NodeID
	addr netip.Addr
}

// newNodes starts one transport per host of lan, nodeid i+1 on host i,
// with a reader each. mod may adjust each config.
func newNodes(t testing.TB, lan *netns.LAN, addrs []netip.Addr, group netip.AddrPort, batch bool, mod func(i int, c *udp.Config)) []*node {
	t.Helper()
	var nodes []*node
	for i, h := range lan.Hosts {
		cfg := udp.Config{Local: addrs[i], Group: group, Batch: batch}
		if mod != nil {
			mod(i, &cfg)
		}
		var tr *udp.Transport
		if err := h.Do(func() (err error) { tr, err = udp.New(cfg); return err }); err != nil {
			t.Fatalf("host %d: %v", i, err)
		}
		nodes = append(nodes, startReader(t, tr, transport.NodeID(i+1), addrs[i]))
	}
	return nodes
}

// startReader drains tr into the node's RX until the transport closes;
// the test's cleanup closes it and waits for the reader.
func startReader(t testing.TB, tr *udp.Transport, id transport.NodeID, addr netip.Addr) *node {
	return &node{Reader: transporttest.StartReader(t, tr, 8, transport.MaxDatagram), tr: tr, id: id, addr: addr}
}

// expect waits for the next datagram and checks it. A node's copy of its
// own multicast arrives from the loopback address (see Transport.Send).
func (n *node) expect(t testing.TB, data string, from netip.AddrPort) {
	t.Helper()
	if from.IsValid() && from.Addr() == n.addr {
		lo := netip.IPv6Loopback()
		if n.addr.Is4() {
			lo = netip.MustParseAddr("127.0.0.1")
		}
		from = netip.AddrPortFrom(lo, from.Port())
	}
	n.Expect(t, fmt.Sprintf("node %d", n.id), data, from)
}

func (n *node) from() netip.AddrPort { return netip.AddrPortFrom(n.addr, port) }

func send(t testing.TB, n *node, dgs ...transport.Datagram) {
	t.Helper()
	if err := n.tr.Send(dgs); err != nil {
		t.Fatalf("node %d Send: %v", n.id, err)
	}
}

func dg(to transport.NodeID, data string) transport.Datagram {
	return transport.Datagram{To: to, Data: []byte(data)}
}

// join returns a Totem join from nodeid id, as a node multicasts it while
// forming a ring.
func join(id transport.NodeID) []byte {
	return wire.AppendJoin(nil, &wire.Join{
		Header:     wire.Header{NodeID: wire.NodeID(id)},
		SystemFrom: wire.NodeID(id),
		ProcList:   []wire.NodeID{wire.NodeID(id)},
		RingSeq:    4,
	})
}

// mcast returns a Totem MCAST whose header names originator id.
func mcast(id transport.NodeID, payload string) []byte {
	return wire.AppendMcast(nil, &wire.Mcast{
		Header:     wire.Header{NodeID: wire.NodeID(id), Encapsulated: wire.NotEncapsulated},
		SystemFrom: wire.NodeID(id),
		Seq:        1,
		Payload:    []byte(payload),
	})
}

// expectAll waits for data on every node.
func expectAll(t testing.TB, ns []*node, data string, from netip.AddrPort) {
	t.Helper()
	for _, n := range ns {
		n.expect(t, data, from)
	}
}
