package udpu_test

import (
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udpu"
)

func TestMulticastReachesEveryMemberIncludingSelf(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			send(t, ns[0], dg(0, "to all"))
			for _, n := range ns {
				n.expect(t, "to all", ns[0].addr)
			}
			if s := ns[0].tr.Stats(); s.SentDatagrams != 3 || s.SentBytes != 18 || s.SendErrors != 0 {
				t.Fatalf("sender stats %+v, want 3 datagrams, 18 bytes, no errors", s)
			}
			waitFor(t, "every node counted one received datagram", func() bool {
				for _, n := range ns {
					if s := n.tr.Stats(); s.RecvDatagrams != 1 || s.RecvBytes != 6 {
						return false
					}
				}
				return true
			})
		})
	}
}

// TestUnicastReachesOnlyTarget sends to node 2 and then a multicast marker
// from the same socket: on loopback the datagrams of one sender arrive in
// order, so a node that sees the marker first never got the unicast.
func TestUnicastReachesOnlyTarget(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			send(t, ns[0], dg(2, "token"), dg(0, "marker"))
			ns[1].expect(t, "token", ns[0].addr)
			for _, n := range ns {
				n.expect(t, "marker", ns[0].addr)
			}
		})
	}
}

func TestUnknownTargetIsCountedAndOthersStillSent(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			send(t, ns[0], dg(99, "lost"), dg(3, "found"))
			ns[2].expect(t, "found", ns[0].addr)
			if s := ns[0].tr.Stats(); s.UnknownTargets != 1 || s.SentDatagrams != 1 {
				t.Fatalf("stats %+v, want 1 unknown target and 1 sent", s)
			}
		})
	}
}

// sendFrom sends one datagram from a plain socket bound to from.
func sendFrom(t *testing.T, from netip.Addr, to netip.AddrPort, data string) {
	t.Helper()
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.AddrPortFrom(from, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.WriteToUDPAddrPort([]byte(data), to); err != nil {
		t.Fatal(err)
	}
}

func TestUnlistedSourceRejected(t *testing.T) {
	stranger := netip.MustParseAddr("127.0.0.9")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			sendFrom(t, stranger, ns[0].addr, "intruder")
			send(t, ns[1], dg(1, "member"))
			ns[0].expect(t, "member", ns[1].addr)
			waitFor(t, "one datagram rejected", func() bool { return ns[0].tr.Stats().Rejected == 1 })
			if s := ns[0].tr.Stats(); s.RecvDatagrams != 1 {
				t.Fatalf("stats %+v, want only the member's datagram received", s)
			}
		})
	}
}

func TestUnlistedSourceAcceptedWhenNotBlocking(t *testing.T) {
	stranger := netip.MustParseAddr("127.0.0.9")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, func(_ int, c *udpu.Config) { c.BlockUnlistedIPs = false }, nil)
			sendFrom(t, stranger, ns[0].addr, "visitor")
			select {
			case g := <-ns[0].RX:
				if g.Data != "visitor" || g.From.Addr() != stranger {
					t.Fatalf("got %q from %v, want the visitor's datagram", g.Data, g.From)
				}
			case <-time.After(waitLimit):
				t.Fatal("datagram from an unlisted source not received")
			}
		})
	}
}

// TestBatchKeepsOrderAroundRejected queues datagrams from members and from
// a stranger alternately before the reader runs, so that one recvmmsg gets
// a mix; the accepted ones must come out complete and in order.
func TestBatchKeepsOrderAroundRejected(t *testing.T) {
	stranger := netip.MustParseAddr("127.0.0.9")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			addrs := loopback3[:2]
			trs, err := startTransports(addrs, freePort(t, addrs[0]), m.batch)
			if err != nil {
				t.Fatal(err)
			}
			a, b := trs[0], trs[1]
			want := []string{"m0", "m1", "m2", "m3", "m4"}
			for i, w := range want {
				sendFrom(t, stranger, a.LocalAddr(), "x"+strings.Repeat("y", i*100))
				if err := b.Send([]transport.Datagram{dg(1, w)}); err != nil {
					t.Fatal(err)
				}
			}
			// Only now start reading: everything is queued.
			n := startReader(t, a, 1, 16, transport.MaxDatagram)
			defer b.Close()
			for _, w := range want {
				n.expect(t, w, b.LocalAddr())
			}
			if s := a.Stats(); s.Rejected != 5 || s.RecvDatagrams != 5 {
				t.Fatalf("stats %+v, want 5 rejected and 5 received", s)
			}
		})
	}
}

func startTransports(addrs []netip.Addr, port uint16, batch bool) ([]*udpu.Transport, error) {
	var trs []*udpu.Transport
	for _, a := range addrs {
		tr, err := udpu.New(udpu.Config{Local: netip.AddrPortFrom(a, port), Members: members(addrs), BlockUnlistedIPs: true, Batch: batch})
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

func TestSetMembers(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			// Node 1 forgets node 3: its multicasts no longer reach it, and
			// it rejects what node 3 sends.
			ns[0].tr.SetMembers(members(loopback3[:2]))
			if got := ns[0].tr.Members(); len(got) != 2 {
				t.Fatalf("Members() = %v, want 2 members", got)
			}
			send(t, ns[0], dg(0, "two only"), dg(3, "unknown now"))
			ns[0].expect(t, "two only", ns[0].addr)
			ns[1].expect(t, "two only", ns[0].addr)
			send(t, ns[2], dg(1, "from the forgotten"))
			send(t, ns[1], dg(0, "marker"))
			ns[2].expect(t, "marker", ns[1].addr) // nothing from node 1 before it
			ns[0].expect(t, "marker", ns[1].addr)
			if s := ns[0].tr.Stats(); s.Rejected != 1 || s.UnknownTargets != 1 {
				t.Fatalf("node 1 stats %+v, want 1 rejected, 1 unknown target", s)
			}
			// Back to three.
			ns[0].tr.SetMembers(members(loopback3))
			send(t, ns[0], dg(3, "welcome back"))
			ns[2].expect(t, "welcome back", ns[0].addr)
		})
	}
}

func TestSetMembersSkipsBadEntries(t *testing.T) {
	ns := newCluster(t, false, loopback3, nil, nil)
	ns[0].tr.SetMembers([]transport.Member{
		{NodeID: 1, Addr: loopback3[0]},
		{NodeID: 0, Addr: loopback3[1]},                            // reserved nodeid
		{NodeID: 2, Addr: netip.MustParseAddr("::1")},              // wrong family
		{NodeID: 1, Addr: loopback3[2]},                            // duplicate nodeid
		{NodeID: 4, Addr: loopback3[0]},                            // duplicate address
		{NodeID: 3, Addr: netip.MustParseAddr("::ffff:127.0.0.3")}, // mapped: accepted as 127.0.0.3
	})
	got := ns[0].tr.Members()
	want := []transport.Member{{NodeID: 1, Addr: loopback3[0]}, {NodeID: 3, Addr: loopback3[2]}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("Members() = %v, want %v", got, want)
	}
}

// TestSetMembersWhileRunning reloads the member list over and over while
// Send and Recv run, for the race detector.
func TestSetMembersWhileRunning(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 2000 {
					ns[0].tr.SetMembers(members(loopback3[:2+i%2]))
				}
			}()
			for range 200 {
				send(t, ns[0], dg(0, "x"), dg(2, "y"))
			}
			wg.Wait()
			ns[0].tr.SetMembers(members(loopback3))
			send(t, ns[0], dg(2, "last"))
			for {
				select {
				case g := <-ns[1].RX:
					if g.Data == "last" {
						return
					}
				case <-time.After(waitLimit):
					t.Fatal("the last datagram never arrived")
				}
			}
		})
	}
}

func TestCloseUnblocksRecv(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			port := freePort(t, loopback3[0])
			tr, err := udpu.New(udpu.Config{Local: netip.AddrPortFrom(loopback3[0], port), Members: members(loopback3[:1]), Batch: m.batch})
			if err != nil {
				t.Fatal(err)
			}
			transporttest.CheckCloseUnblocksRecv(t, tr)
		})
	}
}

// TestOversizeDatagramRefused: a datagram larger than an IPv4 UDP payload
// can be is refused and counted; the rest of the call is still sent, and
// the largest possible datagram arrives whole.
func TestOversizeDatagramRefused(t *testing.T) {
	const maxIPv4 = 65507
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, loopback3, nil, nil)
			big := strings.Repeat("b", maxIPv4)
			send(t, ns[0], dg(2, big+"!"), dg(2, big), dg(2, "small"))
			ns[1].expect(t, big, ns[0].addr)
			ns[1].expect(t, "small", ns[0].addr)
			if s := ns[0].tr.Stats(); s.SendErrors != 1 || s.SentDatagrams != 2 {
				t.Fatalf("stats %+v, want 1 send error and 2 sent", s)
			}
		})
	}
}

// TestTruncatedDatagramDropped gives Recv buffers smaller than a datagram:
// it must drop and count it rather than return part of it.
func TestTruncatedDatagramDropped(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			port := freePort(t, loopback3[0])
			trs, err := startTransports(loopback3[:2], port, m.batch)
			if err != nil {
				t.Fatal(err)
			}
			a := startReader(t, trs[0], 1, 4, 100)
			b := trs[1]
			defer b.Close()
			if err := b.Send([]transport.Datagram{dg(1, strings.Repeat("t", 101)), dg(1, strings.Repeat("f", 100))}); err != nil {
				t.Fatal(err)
			}
			a.expect(t, strings.Repeat("f", 100), b.LocalAddr())
			if s := a.tr.Stats(); s.Truncated != 1 || s.RecvDatagrams != 1 {
				t.Fatalf("stats %+v, want 1 truncated and 1 received", s)
			}
		})
	}
}

func TestRecvRejectsEmptyBuffer(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			port := freePort(t, loopback3[0])
			tr, err := udpu.New(udpu.Config{Local: netip.AddrPortFrom(loopback3[0], port), Members: members(loopback3[:1]), Batch: m.batch})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			if _, err := tr.Recv(make([]transport.Packet, 2)); err == nil || !strings.Contains(err.Error(), "Buf is empty") {
				t.Fatalf("Recv with empty buffers: %v, want an error about the buffer", err)
			}
			if n, err := tr.Recv(nil); n != 0 || err != nil {
				t.Fatalf("Recv(nil) = %d, %v, want 0, nil", n, err)
			}
		})
	}
}

func TestIPv6Loopback(t *testing.T) {
	lo := netip.MustParseAddr("::1")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, []netip.Addr{lo}, nil, nil)
			send(t, ns[0], dg(0, "self mcast"), dg(1, "self token"))
			ns[0].expect(t, "self mcast", ns[0].addr)
			ns[0].expect(t, "self token", ns[0].addr)
			if !ns[0].addr.Addr().Is6() {
				t.Fatalf("bound to %v, want an IPv6 address", ns[0].addr)
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	a1 := loopback3[0]
	good := members(loopback3)
	for _, tc := range []struct {
		name string
		cfg  udpu.Config
		want string
	}{
		{"no address", udpu.Config{Port: 5405, Members: good}, "Local has no address"},
		{"wildcard", udpu.Config{Local: netip.MustParseAddrPort("0.0.0.0:5405"), Members: good}, "wildcard"},
		{"multicast", udpu.Config{Local: netip.MustParseAddrPort("239.1.1.1:5405"), Members: good}, "multicast"},
		{"no port", udpu.Config{Local: netip.AddrPortFrom(a1, 0), Members: good}, "no port"},
		{"mtu", udpu.Config{Local: netip.AddrPortFrom(a1, 5405), Members: good, MTU: -1}, "MTU -1"},
		{"not a member", udpu.Config{Local: netip.AddrPortFrom(a1, 5405), Members: good[1:]}, "local address 127.0.0.1 is not in the member list"},
		{"nodeid 0", udpu.Config{Local: netip.AddrPortFrom(a1, 5405), Members: []transport.Member{{NodeID: 0, Addr: a1}}}, "nodeid 0 is reserved"},
		{"duplicate", udpu.Config{Local: netip.AddrPortFrom(a1, 5405), Members: append(good, transport.Member{NodeID: 2, Addr: netip.MustParseAddr("127.0.0.7")})}, "duplicate nodeid"},
		{"family", udpu.Config{Local: netip.AddrPortFrom(a1, 5405), Members: append(good, transport.Member{NodeID: 7, Addr: netip.MustParseAddr("::1")})}, "address family"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := udpu.New(tc.cfg)
			if err == nil {
				tr.Close()
				t.Fatalf("New succeeded, want an error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNewBindErrorNamesAddress(t *testing.T) {
	port := freePort(t, loopback3[0])
	cfg := udpu.Config{Local: netip.AddrPortFrom(loopback3[0], port), Members: members(loopback3)}
	first, err := udpu.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	_, err = udpu.New(cfg)
	want := "udpu: bind " + cfg.Local.String() + ": address already in use"
	if err == nil || err.Error() != want {
		t.Fatalf("second New: %v, want %q", err, want)
	}
}

// TestKernelSendErrorCounted lists a member the kernel cannot route to (a
// link-local address on an interface index that does not exist): that
// datagram is counted as a send error and the rest of the call still goes
// out. Nothing leaves the machine.
func TestKernelSendErrorCounted(t *testing.T) {
	lo := netip.MustParseAddr("::1")
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			ns := newCluster(t, m.batch, []netip.Addr{lo}, func(_ int, c *udpu.Config) {
				c.Members = append(c.Members, transport.Member{NodeID: 2, Addr: netip.MustParseAddr("fe80::1%99999")})
			}, nil)
			send(t, ns[0], dg(2, "refused"), dg(1, "after"))
			ns[0].expect(t, "after", ns[0].addr)
			if s := ns[0].tr.Stats(); s.SendErrors != 1 || s.SentDatagrams != 1 {
				t.Fatalf("stats %+v, want 1 send error and 1 sent", s)
			}
		})
	}
}
