// Command ais-cpgtool lists the process groups of the cluster and their
// members, as corosync-cpgtool does:
//
//	ais-cpgtool [-d run_dir] [-e] [-n] [-D delimiter]
//
//	Group Name	       PID	   Node ID
//	GROUP
//			      4242	         1 (127.0.0.1)
//
// -n prints only the group names; -D prints each group on one line with
// its fields separated by the delimiter (name, then pid and node id of
// every member); -e prints group names as they are instead of escaping
// unprintable bytes.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"goais/client/cfg"
	"goais/client/cpg"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("ais-cpgtool", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	noEscape := fs.Bool("e", false, "do not escape unprintable characters in group names")
	namesOnly := fs.Bool("n", false, "display only the group names")
	delim := fs.String("D", "", "delimiter between fields (one line per group)")
	timeout := fs.Duration("t", 10*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: ais-cpgtool [-d run_dir] [-e] [-n] [-D delimiter]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	c, err := cpg.Dial(ctx, cpg.Options{RunDir: *runDir})
	if err != nil {
		fmt.Fprintf(stderr, "Could not initialize corosync cpg API error %v\n", err)
		return 1
	}
	defer c.Close()
	groups, err := c.Groups(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "cpg iteration failed: %v\n", err)
		return 1
	}
	addrs := nodeAddrs(ctx, *runDir)
	name := func(s string) string {
		if *noEscape {
			return s
		}
		return escape(s)
	}
	switch {
	case *namesOnly:
		for _, g := range groups {
			fmt.Fprintln(stdout, name(g.Name))
		}
	case *delim != "":
		for _, g := range groups {
			var b strings.Builder
			b.WriteString(name(g.Name))
			for _, m := range g.Members {
				fmt.Fprintf(&b, "%s%d%s%d", *delim, m.PID, *delim, m.NodeID)
			}
			fmt.Fprintln(stdout, b.String())
		}
	default:
		fmt.Fprintf(stdout, "Group Name\t%10s\t%10s\n", "PID", "Node ID")
		for _, g := range groups {
			fmt.Fprintln(stdout, name(g.Name))
			for _, m := range g.Members {
				addr := addrs[m.NodeID]
				if addr == "" {
					addr = "unknown"
				}
				fmt.Fprintf(stdout, "\t\t%10d\t%10d (%s)\n", m.PID, m.NodeID, addr)
			}
		}
	}
	return 0
}

// nodeAddrs maps node ids to their first address, from the cfg service;
// an executive that cannot tell leaves the map empty.
func nodeAddrs(ctx context.Context, runDir string) map[uint32]string {
	m := map[uint32]string{}
	c, err := cfg.Dial(ctx, runDir)
	if err != nil {
		return m
	}
	defer c.Close()
	ms, err := c.Members(ctx)
	if err != nil {
		return m
	}
	for _, n := range ms.Nodes {
		if len(n.Addrs) > 0 {
			m[n.NodeID] = n.Addrs[0]
		}
	}
	return m
}

// escape writes unprintable bytes of a group name as \xNN, as
// corosync-cpgtool does unless -e.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '\\' {
			fmt.Fprintf(&b, "\\x%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}
