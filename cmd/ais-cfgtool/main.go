// Command ais-cfgtool administers the local executive, as openais-cfgtool
// and corosync-cfgtool do:
//
//	ais-cfgtool -s   print the status of every ring of this node
//	ais-cfgtool -m   print the members: nodeid, votes (with votequorum),
//	                 address, name, status; and the quorum state
//	ais-cfgtool -H   shut the executive down cleanly (it leaves the ring)
//
// It finds the executive's socket in the run directory: -d DIR, else the
// AIS_RUN_DIR environment variable, else the default (/run/goais for root).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"goais/client/cfg"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ais-cfgtool", flag.ContinueOnError)
	fs.SetOutput(stderr)
	status := fs.Bool("s", false, "print the status of this node's rings")
	members := fs.Bool("m", false, "print the cluster members")
	reenable := fs.Bool("r", false, "re-enable the failed (FAULTY) rings of every node")
	shutdown := fs.Bool("H", false, "shut the executive down cleanly")
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	timeout := fs.Duration("t", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ais-cfgtool [-d run_dir] [-s] [-r] [-m] [-H]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if !*status && !*reenable && !*members && !*shutdown || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c, err := cfg.Dial(ctx, *runDir)
	if err != nil {
		fmt.Fprintf(stderr, "Could not initialize the cfg API: %v\n", err)
		return 1
	}
	defer c.Close()
	if *status {
		rs, err := c.RingStatus(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "Could not get the ring status: %v\n", err)
			return 1
		}
		printRingStatus(stdout, rs)
	}
	if *reenable {
		fmt.Fprintln(stdout, "Re-enabling all failed rings.")
		if err := c.RingReenable(ctx); err != nil {
			fmt.Fprintf(stderr, "Could not re-enable ring error %v\n", err)
			return 1
		}
	}
	if *members {
		m, err := c.Members(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "Could not get the members: %v\n", err)
			return 1
		}
		printMembers(stdout, m)
	}
	if *shutdown {
		if err := c.Shutdown(ctx); err != nil {
			fmt.Fprintf(stderr, "Could not shut down the executive: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "Shutting down the executive.")
	}
	return 0
}

// printRingStatus prints what openais-cfgtool -s printed.
func printRingStatus(w io.Writer, rs cfg.RingStatus) {
	fmt.Fprintln(w, "Printing ring status.")
	fmt.Fprintf(w, "Local node ID %d, transport %s\n", rs.NodeID, rs.Transport)
	if rs.RRPMode != "" {
		fmt.Fprintf(w, "Redundant ring mode %s, secauth %s\n", rs.RRPMode, rs.Secauth)
	}
	for _, r := range rs.Rings {
		fmt.Fprintf(w, "RING ID %d\n", r.Number)
		fmt.Fprintf(w, "\tid\t= %s\n", r.Addr)
		fmt.Fprintf(w, "\tstatus\t= %s\n", r.Status)
	}
	d := rs.Dropped
	fmt.Fprintf(w, "Dropped datagrams: invalid digest %d, truncated %d, plaintext %d, replayed %d, unknown source %d, oversized %d, malformed %d\n",
		d.BadDigest, d.ShortEnvelope, d.Plaintext, d.Replayed, d.Rejected, d.Truncated, d.Malformed)
}

// printMembers prints one line per node.
func printMembers(w io.Writer, m cfg.Members) {
	fmt.Fprintf(w, "Membership information (ring %s)\n", m.Ring)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if m.Quorum != nil {
		fmt.Fprintln(tw, "Nodeid\tVotes\tAddress\tName\tStatus")
	} else {
		fmt.Fprintln(tw, "Nodeid\tAddress\tName\tStatus")
	}
	for _, n := range m.Nodes {
		name, addr := n.Name, strings.Join(n.Addrs, ",")
		if name == "" {
			name = "-"
		}
		if addr == "" {
			addr = "-"
		}
		status := n.Status
		if n.Local {
			status += " (local)"
		}
		if m.Quorum != nil {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\n", n.NodeID, n.Votes, addr, name, status)
		} else {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", n.NodeID, addr, name, status)
		}
	}
	tw.Flush()
	if q := m.Quorum; q != nil {
		state := "not quorate"
		if q.Quorate {
			state = "quorate"
		}
		fmt.Fprintf(w, "Quorum: %s (total votes %d, expected votes %d, highest expected %d, quorum %d)\n",
			state, q.TotalVotes, q.ExpectedVotes, q.HighestExpected, q.Quorum)
	}
}
