package udp_test

import (
	"net/netip"
	"strings"
	"testing"

	"goais/internal/netns"
	"goais/transport"
	"goais/transport/internal/transporttest"
	"goais/transport/udp"
)

// TestMulticastReachesEveryHostIncludingSelf runs three hosts on a bridge
// for each family and mode: one multicast reaches all three, the sender
// too (by its own unicast copy), and carries the sender's ring address and
// the group port.
func TestMulticastReachesEveryHostIncludingSelf(t *testing.T) {
	for _, f := range families {
		for _, m := range modes {
			t.Run(f.name+"/"+m.name, func(t *testing.T) {
				ns := newNodes(t, newLAN(t), f.addrs, f.group, m.batch, nil)
				for _, sender := range ns {
					send(t, sender, dg(0, "to all"))
					for _, n := range ns {
						n.expect(t, "to all", sender.from())
					}
				}
				if s := ns[0].tr.Stats(); s.SentDatagrams != 2 || s.RecvDatagrams != 3 || s.Rejected != 0 {
					t.Fatalf("node 1 stats %+v, want 2 sent (the group and its own copy) and 3 received", s)
				}
			})
		}
	}
}

// TestMulticastSourceIsLocal: host 0's ring address is not the primary
// address of its interface; its multicasts must still carry it, as
// corosync's do (its sending socket is bound to the ring address).
func TestMulticastSourceIsLocal(t *testing.T) {
	ns := newNodes(t, newLANWithPrimary(t), hostAddr4, group4, true, nil)
	send(t, ns[0], dg(0, "from the ring address"))
	expectAll(t, ns, "from the ring address", ns[0].from())
}

// TestSelfDeliveryWithLinkDown: with its link down a host's multicasts go
// nowhere, but it still hears its own, so it can form its singleton ring
// (corosync uses a socketpair for this).
func TestSelfDeliveryWithLinkDown(t *testing.T) {
	for _, f := range families {
		t.Run(f.name, func(t *testing.T) {
			lan := newLAN(t)
			ns := newNodes(t, lan, f.addrs, f.group, true, nil)
			lan.Hosts[0].IP(t, "link", "set", netns.HostDev, "down")
			send(t, ns[0], dg(0, "alone"))
			ns[0].expect(t, "alone", ns[0].from())
			send(t, ns[1], dg(0, "others"))
			ns[1].expect(t, "others", ns[1].from())
			ns[2].expect(t, "others", ns[1].from())
		})
	}
}

// TestUnicastToLearnedAddress: with no member list, a nodeid's address is
// unknown until that node sends something other than an MCAST; then a
// token reaches it.
func TestUnicastToLearnedAddress(t *testing.T) {
	for _, f := range families {
		for _, m := range modes {
			t.Run(f.name+"/"+m.name, func(t *testing.T) {
				ns := newNodes(t, newLAN(t), f.addrs, f.group, m.batch, nil)
				send(t, ns[0], dg(2, "too early"))
				if s := ns[0].tr.Stats(); s.UnknownTargets != 1 {
					t.Fatalf("stats %+v, want 1 unknown target before learning", s)
				}
				// Node 2 multicasts a retransmitted MCAST of node 3: it
				// must not teach anyone that node 3 lives on host 2.
				retrans := string(mcast(3, "retransmitted"))
				send(t, ns[1], dg(0, retrans))
				expectAll(t, ns, retrans, ns[1].from())
				for _, n := range ns {
					hello := string(join(n.id))
					send(t, n, dg(0, hello))
					expectAll(t, ns, hello, n.from())
				}
				send(t, ns[0], dg(2, "token"), dg(4, "nowhere"))
				ns[1].expect(t, "token", ns[0].from())
				send(t, ns[1], dg(3, "token"))
				ns[2].expect(t, "token", ns[1].from())
				send(t, ns[2], dg(1, "token"))
				ns[0].expect(t, "token", ns[2].from())
				if s := ns[0].tr.Stats(); s.UnknownTargets != 2 {
					t.Fatalf("stats %+v, want 2 unknown targets", s)
				}
				got := ns[1].tr.Learned()
				if len(got) != 3 {
					t.Fatalf("node 2 learned %v, want nodes 1-3", got)
				}
				for _, m := range got {
					want := f.addrs[m.NodeID-1]
					if m.NodeID == ns[1].id {
						// Its own copies come over loopback, which is
						// also where a token to itself should go.
						want = netip.IPv6Loopback()
						if want4 := netip.MustParseAddr("127.0.0.1"); f.addrs[0].Is4() {
							want = want4
						}
					}
					if m.Addr != want {
						t.Fatalf("node 2 learned %v, want node i at host i, itself at loopback", got)
					}
				}
			})
		}
	}
}

// TestStaticMemberWinsOverLearned lists node 2 at host 3's address on node
// 1: what node 2 sends does not change that.
func TestStaticMemberWinsOverLearned(t *testing.T) {
	ns := newNodes(t, newLAN(t), hostAddr4, group4, true, func(i int, c *udp.Config) {
		if i == 0 {
			c.Members = []transport.Member{{NodeID: 2, Addr: hostAddr4[2]}}
		}
	})
	hello := string(join(2))
	send(t, ns[1], dg(0, hello))
	expectAll(t, ns, hello, ns[1].from())
	send(t, ns[0], dg(2, "misdirected"))
	ns[2].expect(t, "misdirected", ns[0].from())
	if got := ns[0].tr.Learned(); len(got) != 0 {
		t.Fatalf("learned %v for a listed nodeid", got)
	}
}

// TestLearnedAddressFollowsTheNode: a nodeid that shows up from a new
// address is re-learned.
func TestLearnedAddressFollowsTheNode(t *testing.T) {
	ns := newNodes(t, newLAN(t), hostAddr4, group4, true, nil)
	hello := string(join(7))
	send(t, ns[1], dg(0, hello))
	expectAll(t, ns, hello, ns[1].from())
	send(t, ns[0], dg(7, "to host 2"))
	ns[1].expect(t, "to host 2", ns[0].from())
	send(t, ns[2], dg(0, hello)) // nodeid 7 moved to host 3
	expectAll(t, ns, hello, ns[2].from())
	send(t, ns[0], dg(7, "to host 3"))
	ns[2].expect(t, "to host 3", ns[0].from())
}

func TestSetMembers(t *testing.T) {
	ns := newNodes(t, newLAN(t), hostAddr4, group4, true, nil)
	ns[0].tr.SetMembers([]transport.Member{{NodeID: 3, Addr: hostAddr4[2]}, {NodeID: 0, Addr: hostAddr4[1]}})
	if got := ns[0].tr.Members(); len(got) != 1 || got[0].NodeID != 3 {
		t.Fatalf("Members() = %v, want only node 3 (nodeid 0 refused)", got)
	}
	send(t, ns[0], dg(3, "listed"))
	ns[2].expect(t, "listed", ns[0].from())
}

// TestTwoExecutivesOnOneHost: SO_REUSEADDR lets a second transport bind the
// same wildcard port in the same namespace; both receive the group.
func TestTwoExecutivesOnOneHost(t *testing.T) {
	lan := newLANWithPrimary(t)
	var second *udp.Transport
	ns := newNodes(t, lan, hostAddr4, group4, true, nil)
	if err := lan.Hosts[0].Do(func() (err error) {
		second, err = udp.New(udp.Config{Local: primary0.Addr(), Group: group4})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	other := startReader(t, second, 9, primary0.Addr())
	send(t, ns[1], dg(0, "both"))
	expectAll(t, append(ns, other), "both", ns[1].from())
}

func TestCloseUnblocksRecv(t *testing.T) {
	lan := newLAN(t)
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			var tr *udp.Transport
			if err := lan.Hosts[0].Do(func() (err error) {
				tr, err = udp.New(udp.Config{Local: hostAddr4[0], Group: group4, Batch: m.batch})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			transporttest.CheckCloseUnblocksRecv(t, tr)
		})
	}
}

// TestInterfaceWithoutMulticast: a namespace's loopback has no MULTICAST
// flag, and New says so.
func TestInterfaceWithoutMulticast(t *testing.T) {
	n := netns.New(t, "goaisudp")
	err := n.Do(func() error {
		tr, err := udp.New(udp.Config{Local: netip.MustParseAddr("127.0.0.1"), Group: group4})
		if err == nil {
			tr.Close()
		}
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "interface lo (which holds 127.0.0.1) has no MULTICAST flag") {
		t.Fatalf("New on lo: %v, want an error about the MULTICAST flag", err)
	}
	err = n.Do(func() error {
		_, err := udp.New(udp.Config{Local: netip.MustParseAddr("10.9.9.9"), Group: group4})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "no interface has address 10.9.9.9") {
		t.Fatalf("New with a foreign address: %v", err)
	}
}

func TestNewErrors(t *testing.T) {
	l4 := netip.MustParseAddr("10.0.0.1")
	for _, tc := range []struct {
		name string
		cfg  udp.Config
		want string
	}{
		{"no local", udp.Config{Group: group4}, "Local has no address"},
		{"wildcard", udp.Config{Local: netip.IPv4Unspecified(), Group: group4}, "not a unicast address"},
		{"no group", udp.Config{Local: l4}, "Group has no address"},
		{"unicast group", udp.Config{Local: l4, Group: netip.MustParseAddrPort("10.0.0.2:5405")}, "not a multicast address"},
		{"families", udp.Config{Local: l4, Group: group6}, "different address families"},
		{"no port", udp.Config{Local: l4, Group: netip.AddrPortFrom(group4.Addr(), 0)}, "has no port"},
		{"ttl", udp.Config{Local: l4, Group: group4, TTL: 300}, "TTL 300"},
		{"mtu", udp.Config{Local: l4, Group: group4, MTU: -5}, "MTU -5"},
		{"member", udp.Config{Local: l4, Group: group4, Members: []transport.Member{{NodeID: 1, Addr: netip.MustParseAddr("fd00::1")}}}, "address family"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := udp.New(tc.cfg)
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
