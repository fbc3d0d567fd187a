package udpu_test

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udpu"
)

// waitLimit bounds every wait in these tests. It is a deadline for failing
// with a message, never a claim about speed.
const waitLimit = transporttest.WaitLimit

// modes are the two I/O paths; every behaviour is tested on both.
var modes = []struct {
	name  string
	batch bool
}{{"single", false}, {"batch", true}}

// loopback3 are three addresses of 127/8, all local on Linux.
var loopback3 = []netip.Addr{
	netip.MustParseAddr("127.0.0.1"),
	netip.MustParseAddr("127.0.0.2"),
	netip.MustParseAddr("127.0.0.3"),
}

// node is a transport under test with a goroutine feeding what it receives
// into RX.
type node struct {
	*transporttest.Reader
	tr   *udpu.Transport
	id   transport.NodeID
	addr netip.AddrPort
}

// members returns the member list for addrs, nodeid i+1 for addrs[i].
func members(addrs []netip.Addr) []transport.Member {
	ms := make([]transport.Member, len(addrs))
	for i, a := range addrs {
		ms[i] = transport.Member{NodeID: transport.NodeID(i + 1), Addr: a}
	}
	return ms
}

// freePort returns a UDP port that is free on addr right now.
func freePort(t testing.TB, addr netip.Addr) uint16 {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(addr, 0)))
	if err != nil {
		t.Fatalf("finding a free port on %v: %v", addr, err)
	}
	defer c.Close()
	return uint16(c.LocalAddr().(*net.UDPAddr).Port)
}

// newCluster starts one transport per address, all on one port, and a
// reader for each. mod may adjust each config. create, if not nil, wraps
// the call to udpu.New (to run it inside a network namespace). The port is
// chosen free on the first address and the attempt repeated, a bounded
// number of times, if another process takes it meanwhile.
func newCluster(t testing.TB, batch bool, addrs []netip.Addr, mod func(i int, c *udpu.Config), create func(func() error) error) []*node {
	t.Helper()
	if create == nil {
		create = func(f func() error) error { return f() }
	}
	for range 20 {
		port := uint16(0)
		if err := create(func() error { port = freePort(t, addrs[0]); return nil }); err != nil {
			t.Fatal(err)
		}
		trs, err := startAll(addrs, port, batch, mod, create)
		if errors.Is(err, syscall.EADDRINUSE) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		nodes := make([]*node, len(trs))
		for i, tr := range trs {
			nodes[i] = startReader(t, tr, transport.NodeID(i+1), 8, transport.MaxDatagram)
		}
		return nodes
	}
	t.Fatal("no free port found in 20 attempts")
	return nil
}

func startAll(addrs []netip.Addr, port uint16, batch bool, mod func(int, *udpu.Config), create func(func() error) error) ([]*udpu.Transport, error) {
	var trs []*udpu.Transport
	for i, a := range addrs {
		cfg := udpu.Config{
			Local:            netip.AddrPortFrom(a, port),
			Members:          members(addrs),
			BlockUnlistedIPs: true,
			Batch:            batch,
		}
		if mod != nil {
			mod(i, &cfg)
		}
		var tr *udpu.Transport
		err := create(func() (err error) { tr, err = udpu.New(cfg); return err })
		if err != nil {
			for _, tr := range trs {
				tr.Close()
			}
			return nil, err
		}
		trs = append(trs, tr)
	}
	return trs, nil
}

// startReader drains tr into the node's RX until the transport closes;
// the test's cleanup closes it and waits for the reader.
func startReader(t testing.TB, tr *udpu.Transport, id transport.NodeID, npkts, bufSize int) *node {
	return &node{Reader: transporttest.StartReader(t, tr, npkts, bufSize), tr: tr, id: id, addr: tr.LocalAddr()}
}

// expect waits for the next datagram and checks it.
func (n *node) expect(t testing.TB, data string, from netip.AddrPort) {
	t.Helper()
	n.Expect(t, fmt.Sprintf("node %d", n.id), data, from)
}

// send sends and fails the test on error.
func send(t testing.TB, n *node, dgs ...transport.Datagram) {
	t.Helper()
	if err := n.tr.Send(dgs); err != nil {
		t.Fatalf("node %d Send: %v", n.id, err)
	}
}

func dg(to transport.NodeID, data string) transport.Datagram {
	return transport.Datagram{To: to, Data: []byte(data)}
}

// waitFor polls cond until it holds or waitLimit passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v", what, waitLimit)
		}
		time.Sleep(time.Millisecond)
	}
}
