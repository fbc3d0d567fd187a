// Command testclm exercises the cluster membership service as openais's
// test/testclm did: it gets the local node's record, asks for three
// records asynchronously (the local node by SA_CLM_LOCAL_NODE_ID and by
// its id, and a node that does not exist), starts tracking with
// SA_TRACK_CURRENT | SA_TRACK_CHANGES into a buffer, then prints every
// callback until Enter is pressed (or stdin ends, or the -t duration
// passes, or SIGINT), and stops tracking and finalizes.
//
//	testclm [-d run_dir] [-t duration]
//
// Each node is printed as a "Node Information for …" block; track
// callbacks add "NODE STATE JOINED", "LEFT", "NO CHANGE" or
// "RECONFIGURED" after each node. Results print as
// "<call> result is N (should be 1)", N the SaAisErrorT code.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"goais/client/clm"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is main with its streams; SIGINT ends the dispatch loop like Enter.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

// unknownNode is a node id no configuration uses: its asynchronous get
// must fail in the callback.
const unknownNode clm.NodeID = 0xfffffff0

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testclm", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	limit := fs.Duration("t", 0, "stop dispatching after this long (0: until Enter or end of input)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: testclm [-d run_dir] [-t duration]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	// Unbuffered: a watcher sees each callback as it comes.
	printf := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	code := func(err error) int { return int(clm.StatusOf(err)) }

	h, err := clm.Initialize(ctx, *runDir, clm.Callbacks{
		ClusterNodeGet: func(inv clm.Invocation, node clm.ClusterNode, err error) {
			if err != nil {
				printf("NodeGetCallback invocation %d error %d\n", inv, code(err))
				return
			}
			printNode(printf, fmt.Sprintf("NODEGETCALLBACK invocation %d", inv), node)
		},
		ClusterTrack: func(buf clm.ClusterNotificationBuffer, members uint32, err error) {
			if err != nil {
				printf("TrackCallback error %d\n", code(err))
				return
			}
			printf("TrackCallback: view number %d, %d items, %d members\n", buf.ViewNumber, len(buf.Notification), members)
			for _, it := range buf.Notification {
				printNode(printf, "TRACKCALLBACK", it.ClusterNode)
				printf("NODE STATE %s\n", nodeState(it.ClusterChange))
			}
			printf("Done calling trackCallback\n")
		},
	})
	if err != nil {
		printf("Could not initialize Cluster Membership API instance error %d\n", code(err))
		fmt.Fprintf(stderr, "testclm: %v\n", err)
		return 1
	}

	node, err := h.ClusterNodeGet(ctx, clm.LocalNodeID, clm.TimeEnd)
	printf("Result of saClmClusterNodeGet %d (should be 1)\n", code(err))
	if err == nil {
		printNode(printf, "saClmClusterNodeGet SA_CLM_LOCAL_NODE_ID", node)
	}
	for _, q := range []struct {
		inv clm.Invocation
		id  clm.NodeID
	}{{55, clm.LocalNodeID}, {56, node.NodeID}, {57, unknownNode}} {
		err := h.ClusterNodeGetAsync(ctx, q.inv, q.id)
		printf("saClmClusterNodeGetAsync invocation %d node %d result is %d (should be 1)\n", q.inv, q.id, code(err))
	}
	ready, err := h.SelectionObjectGet()
	printf("saClmSelectionObjectGet result is %d (should be 1)\n", code(err))

	var buf clm.ClusterNotificationBuffer
	err = h.ClusterTrack(ctx, clm.TrackCurrent|clm.TrackChanges, &buf)
	printf("saClmClusterTrack result is %d (should be 1)\n", code(err))
	if err == nil {
		printf("Current membership: view number %d, %d nodes\n", buf.ViewNumber, len(buf.Notification))
		for _, it := range buf.Notification {
			printNode(printf, "TRACK CURRENT", it.ClusterNode)
			printf("NODE STATE %s\n", nodeState(it.ClusterChange))
		}
	}

	printf("Press Enter to stop tracking.\n")
	enter := make(chan struct{})
	go func() {
		// One line, or the end of input.
		_, _ = bufio.NewReader(stdin).ReadString('\n')
		close(enter)
	}()
	var expired <-chan time.Time
	if *limit > 0 {
		t := time.NewTimer(*limit)
		defer t.Stop()
		expired = t.C
	}
	if ready != nil {
	loop:
		for {
			select {
			case <-ready:
				if err := h.Dispatch(ctx, clm.DispatchAll); err != nil {
					printf("saClmDispatch result is %d (should be 1)\n", code(err))
					break loop
				}
			case <-enter:
				break loop
			case <-expired:
				break loop
			case <-ctx.Done():
				break loop
			}
		}
	}

	err = h.ClusterTrackStop(context.Background())
	printf("TrackStop result is %d (should be 1)\n", code(err))
	err = h.Finalize()
	printf("Finalize  result is %d (should be 1)\n", code(err))
	return 0
}

func printNode(printf func(string, ...any), label string, n clm.ClusterNode) {
	printf("Node Information for %s\n", label)
	printf("\tnode id is %d (0x%x)\n", n.NodeID, uint32(n.NodeID))
	printf("\tnode address is %s (family %v)\n", n.NodeAddress.Value, n.NodeAddress.Family)
	printf("\tnode name is %s\n", n.NodeName)
	printf("\tmember is %d\n", b2i(n.Member))
	printf("\ttimestamp is %d nanoseconds\n", clm.TimeToNS(n.BootTimestamp))
	printf("\tinitial view number is %d\n", n.InitialViewNumber)
}

func nodeState(c clm.ClusterChange) string {
	switch c {
	case clm.NoChange:
		return "NO CHANGE"
	case clm.Joined:
		return "JOINED"
	case clm.Left:
		return "LEFT"
	case clm.Reconfigured:
		return "RECONFIGURED"
	}
	return c.String()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
