package interop

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"goais/internal/lab"
)

// corosync and goais nodes for the rings below: node id, host index.
func cs(id uint32, host int) lab.Node { return lab.Node{ID: id, Host: host, Kind: lab.Corosync} }
func ga(id uint32, host int) lab.Node { return lab.Node{ID: id, Host: host, Kind: lab.Goais} }

// Scenario a: two corosync daemons and one goais executive form one ring,
// and every tool of both kinds lists three members, the goais node with
// its vote.
func TestMembershipSeenByBothKinds(t *testing.T) {
	c := newCluster(t, 3, lab.NewRing(lab.UDPU, cs(1, 0), cs(2, 1), ga(3, 2)))
	c.WaitMembers(1, 2, 3)
	c.checkCorosyncTools(3)
}

// checkCorosyncTools checks what corosync's own tools say on every
// corosync node of a ring of n nodes, each with one vote.
func (c *cluster) checkCorosyncTools(n int) {
	c.T.Helper()
	all := c.IDs()
	// ais-cfgtool -m on the goais nodes: every member with its vote, the
	// ring quorate with all votes counted.
	for _, id := range c.IDs(lab.Goais) {
		d := c.Daemons[id]
		out, err := waitTool(d, `Quorum: quorate \(total votes `+strconv.Itoa(n)+`,`, c.Lab.Bin("ais-cfgtool"), "-m")
		if err != nil {
			c.T.Error(err)
		}
		for _, other := range all {
			re := regexp.MustCompile(`(?m)^` + strconv.Itoa(int(other)) + `\s+1\s+\S+\s+` + lab.NodeName(other) + `\s+member`)
			if !re.MatchString(out) {
				c.T.Errorf("ais-cfgtool -m on node %d does not list node %d as a member with one vote:\n%s", id, other, out)
			}
		}
	}
	for _, id := range c.IDs(lab.Corosync) {
		d := c.Daemons[id]
		// corosync-cfgtool -s: every node connected (or this one).
		out, err := d.Tool("corosync-cfgtool", "-s")
		if err != nil {
			c.T.Fatal(err)
		}
		for _, other := range all {
			re := regexp.MustCompile(`nodeid:\s+` + strconv.Itoa(int(other)) + `:\s+(connected|localhost)`)
			if !re.MatchString(out) {
				c.T.Errorf("corosync-cfgtool -s on node %d does not show node %d connected:\n%s", id, other, out)
			}
		}
		// corosync-cmapctl runtime.members: the goais nodes joined and
		// reported their config_version (the cmap sync item).
		out, err = d.Tool("corosync-cmapctl", "runtime.members")
		if err != nil {
			c.T.Fatal(err)
		}
		for _, g := range c.IDs(lab.Goais) {
			for _, want := range []string{
				"runtime.members." + strconv.Itoa(int(g)) + ".status (str) = joined",
				"runtime.members." + strconv.Itoa(int(g)) + ".config_version (u64) = 0",
			} {
				if !strings.Contains(out, want) {
					c.T.Errorf("corosync-cmapctl runtime.members on node %d lacks %q:\n%s", id, want, out)
				}
			}
		}
		// corosync-quorumtool: every node holds one vote.
		out, err = waitTool(d, `Total votes:\s+`+strconv.Itoa(n)+`\b`, "corosync-quorumtool", "-s")
		if err != nil {
			c.T.Error(err)
		}
		if strings.Contains(out, "Unable to get node") {
			c.T.Errorf("corosync-quorumtool -s on node %d:\n%s", id, out)
		}
		out, err = d.Tool("corosync-quorumtool", "-l")
		if err != nil {
			c.T.Fatal(err)
		}
		for _, other := range all {
			re := regexp.MustCompile(`(?m)^\s+` + strconv.Itoa(int(other)) + `\s+1\s+` + lab.NodeName(other) + `\b`)
			if !re.MatchString(out) {
				c.T.Errorf("corosync-quorumtool -l on node %d does not list node %d with one vote:\n%s", id, other, out)
			}
		}
	}
}

// waitTool runs a tool until its output matches re (votes arrive with the
// sync round, which may still be running when membership shows).
func waitTool(d *lab.Daemon, re string, name string, args ...string) (string, error) {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := d.Tool(name, args...)
		if err == nil && rx.MatchString(out) {
			return out, nil
		}
		if time.Now().After(deadline) {
			if err == nil {
				err = fmt.Errorf("%s %v on node %d never matched %q:\n%s", name, args, d.Node.ID, re, out)
			}
			return out, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Scenario b: CPG across kinds. A libcpg peer on each corosync node and a
// goais peer join one group; each sends messages of several sizes (one
// frame, several frames, many fragments); everyone receives everything
// once, intact, in one order, and the confchg member lists agree.
func TestCPGAcrossKinds(t *testing.T) {
	c := newCluster(t, 3, lab.NewRing(lab.UDPU, cs(1, 0), cs(2, 1), ga(3, 2)))
	c.WaitMembers(1, 2, 3)
	peers := c.GroupOnEveryNode("interop")
	c.SendRound(peers, 100, 100, 3000, 70000)
	// A second goais client on the same node, then everyone again.
	more := append(peers, c.Peer(3, "interop"))
	c.WaitGroup(more...)
	c.SendRound(more, 50, 1000)
}
