package main

import (
	"context"
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"goais/client/cfg"
	"goais/internal/netns"
)

// Network tests: three hosts, each in its own network namespace, on one
// bridge, as a real cluster network. They need root, iproute2 and (for
// loss) nftables; the namespaces are removed when each test ends.

// lanTotem keeps failure detection quick for the tests.
var lanTotem = totemTimers(time.Second)

func v4(i int) netip.Prefix { return netip.MustParsePrefix(fmt.Sprintf("10.231.0.%d/24", i)) }
func v6(i int) netip.Prefix { return netip.MustParsePrefix(fmt.Sprintf("fd00:231::%d/64", i)) }

func newLAN(t testing.TB) *netns.LAN {
	t.Helper()
	var addrs [][]netip.Prefix
	for i := 1; i <= 3; i++ {
		addrs = append(addrs, []netip.Prefix{v4(i), v6(i)})
	}
	return netns.NewLAN(t, "goaisexec", addrs)
}

// multicastV4Cluster runs openais-style configurations: no nodelist, the
// udp transport, bindnetaddr naming the network, node ids derived from the
// addresses.
func multicastV4Cluster(t testing.TB, lan *netns.LAN) (*procCluster, []int) {
	var specs []nodeSpec
	var ids []int
	for i, h := range lan.Hosts {
		// 10.231.0.i → 0x0ae70000 | i
		id := 0x0ae70000 | (i + 1)
		ids = append(ids, id)
		specs = append(specs, nodeSpec{id: id, ns: h.Name(), conf: func(dir string) string {
			return "totem {\n\tversion: 2\n\tsecauth: off\n" + lanTotem +
				"\tinterface {\n\t\tringnumber: 0\n\t\tbindnetaddr: 10.231.0.0\n\t\tmcastaddr: 239.192.6.106\n\t\tmcastport: 5405\n\t}\n}\n" +
				commonSections(dir)
		}})
	}
	return startCluster(t, specs), ids
}

// TestMulticastIPv4PartitionAndMerge: udp multicast over IPv4 forms a ring;
// taking one host's link down splits it, bringing it up merges it again.
func TestMulticastIPv4PartitionAndMerge(t *testing.T) {
	lan := newLAN(t)
	c, ids := multicastV4Cluster(t, lan)
	c.waitRing(30*time.Second, ids...)

	lan.Hosts[2].IP(t, "link", "set", netns.HostDev, "down")
	c.waitRing(30*time.Second, ids[0], ids[1])
	c.waitRing(30*time.Second, ids[2])
	lan.Hosts[2].IP(t, "link", "set", netns.HostDev, "up")
	c.waitRing(60*time.Second, ids...)

	// Messages flow again after the merge, in one order everywhere.
	c.runLoad(t, map[int]int{ids[0]: 200, ids[2]: 200}, 700, 60*time.Second)
}

// TestMulticastIPv6: udp multicast over IPv6, corosync style (a nodelist
// with explicit node ids, which IPv6 requires).
func TestMulticastIPv6(t *testing.T) {
	lan := newLAN(t)
	var nodelist strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&nodelist, "\tnode {\n\t\tring0_addr: %s\n\t\tnodeid: %d\n\t}\n", v6(i).Addr(), i)
	}
	var specs []nodeSpec
	for i, h := range lan.Hosts {
		specs = append(specs, nodeSpec{id: i + 1, ns: h.Name(), conf: func(dir string) string {
			return "totem {\n\tversion: 2\n\tcluster_name: rlab\n\ttransport: udp\n\tip_version: ipv6\n" + lanTotem +
				"\tinterface {\n\t\tringnumber: 0\n\t\tmcastaddr: ff15::6a\n\t\tmcastport: 5405\n\t}\n}\n" +
				"nodelist {\n" + nodelist.String() + "}\n" + commonSections(dir)
		}})
	}
	c := startCluster(t, specs)
	c.waitRing(30*time.Second, 1, 2, 3)
	c.runLoad(t, map[int]int{1: 300, 2: 300, 3: 300}, 1000, 60*time.Second)
}

// TestLossyHost: 5 % of the datagrams one host receives are dropped (an
// nftables rule: this kernel has no netem). The ring stays up and every
// message arrives once, in one order, everywhere.
func TestLossyHost(t *testing.T) {
	if _, err := exec.LookPath("nft"); err != nil {
		t.Fatal("this test needs nftables: apt-get install nftables")
	}
	lan := newLAN(t)
	var nodelist strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&nodelist, "\tnode {\n\t\tring0_addr: %s\n\t\tnodeid: %d\n\t}\n", v4(i).Addr(), i)
	}
	var specs []nodeSpec
	for i, h := range lan.Hosts {
		specs = append(specs, nodeSpec{id: i + 1, ns: h.Name(), conf: func(dir string) string {
			// corosync's default 3 s token: the ring must ride out the loss
			// even on a loaded machine.
			return "totem {\n\tversion: 2\n\tcluster_name: lossy\n\ttransport: udpu\n" + totemTimers(3*time.Second) +
				"}\nnodelist {\n" + nodelist.String() + "}\n" + commonSections(dir)
		}})
	}
	c := startCluster(t, specs)
	_, before := c.waitRing(30*time.Second, 1, 2, 3)

	nft := func(args ...string) {
		t.Helper()
		out, err := exec.Command("ip", append([]string{"netns", "exec", lan.Hosts[0].Name(), "nft"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("nft %v: %v\n%s", args, err, out)
		}
	}
	nft("add", "table", "inet", "goaisloss")
	nft("add", "chain", "inet", "goaisloss", "input", "{ type filter hook input priority 0 ; }")
	nft("add", "rule", "inet", "goaisloss", "input", "meta", "l4proto", "udp", "numgen", "random", "mod", "100", "<", "5", "counter", "drop")

	c.runLoad(t, map[int]int{1: 1000, 2: 1000, 3: 1000}, 1000, 120*time.Second)

	out, err := exec.Command("ip", "netns", "exec", lan.Hosts[0].Name(), "nft", "list", "table", "inet", "goaisloss").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "counter packets") || strings.Contains(string(out), "counter packets 0 ") {
		t.Errorf("the loss rule dropped nothing (%v):\n%s", err, out)
	}
	_, after := c.waitRing(10*time.Second, 1, 2, 3)
	for id := range after {
		if after[id].Configs != before[id].Configs {
			t.Errorf("node %d: the ring changed under 5%% loss (%d configurations before, %d after)", id, before[id].Configs, after[id].Configs)
		}
	}
	if !strings.Contains(c.procs[1].log.String()+c.procs[2].log.String()+c.procs[3].log.String(), "Retransmit List:") {
		t.Errorf("no node logged a retransmit list under 5%% loss")
	}
}

// runLoad makes each sender multicast its count of numbered messages of
// size bytes, waits until every node delivered all of them, and checks
// that none was lost or repeated and that every node saw one order.
func (c *procCluster) runLoad(t testing.TB, counts map[int]int, size int, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := map[int]cfg.LoadReport{}
	for id := range c.procs {
		start[id] = c.loadReport(ctx, id)
	}
	total := uint64(0)
	for id, n := range counts {
		cl, err := cfg.Dial(ctx, c.procs[id].dir)
		if err != nil {
			t.Fatal(err)
		}
		if err := cl.StartLoad(ctx, n, size); err != nil {
			t.Fatal(err)
		}
		cl.Close()
		total += uint64(n)
	}
	for {
		done := true
		reports := map[int]cfg.LoadReport{}
		for id := range c.procs {
			r := c.loadReport(ctx, id)
			reports[id] = r
			if r.Delivered-start[id].Delivered < total {
				done = false
			}
		}
		if done {
			var hash string
			for id, r := range reports {
				if hash == "" {
					hash = r.OrderHash
				} else if r.OrderHash != hash {
					t.Errorf("node %d delivered in another order (hash %s, another node %s)", id, r.OrderHash, hash)
				}
				if r.Delivered-start[id].Delivered != total {
					t.Errorf("node %d delivered %d messages, want %d", id, r.Delivered-start[id].Delivered, total)
				}
				for from, f := range r.Senders {
					if f.Gaps != start[id].Senders[from].Gaps || f.Dups != 0 {
						t.Errorf("node %d, messages from %s: %d missing, %d duplicated", id, from, f.Gaps-start[id].Senders[from].Gaps, f.Dups)
					}
				}
			}
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("not every message was delivered within %v: %+v", timeout, reports)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *procCluster) loadReport(ctx context.Context, id int) cfg.LoadReport {
	c.t.Helper()
	cl, err := cfg.Dial(ctx, c.procs[id].dir)
	if err != nil {
		c.t.Fatalf("node %d: %v", id, err)
	}
	defer cl.Close()
	r, err := cl.LoadReport(ctx)
	if err != nil {
		c.t.Fatalf("node %d: %v", id, err)
	}
	return r
}
