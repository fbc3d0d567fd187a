// Command testclm2 shows the cluster membership as openais's
// test/testclm2 did, in one of three modes:
//
//	testclm2 [-d run_dir] [-t duration] query
//	testclm2 [-d run_dir] [-t duration] callback full
//	testclm2 [-d run_dir] [-t duration] callback delta
//
// query prints the current membership once (SA_TRACK_CURRENT into a
// buffer). callback full tracks with SA_TRACK_CHANGES and prints the whole
// membership after each change; callback delta tracks with
// SA_TRACK_CHANGES_ONLY and prints only what changed (changes need a
// second node to come or go). The callback modes run until SIGINT (or the
// -t duration passes), then stop tracking and finalize.
//
// It prints "AIS version supported: B.1.1", a "called: <api>, status:
// <SA error>" line for each life-cycle call (and for a failed dispatch),
// and for each notification the view number, the number of items (and of
// members, in callbacks) and per node its id, address, name, member flag,
// boot date, initial view and cluster change. The exit status is 1 if a
// call failed.
package main

import (
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

// run is main with its streams; SIGINT ends the callback modes.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runContext(ctx, args, stdin, stdout, stderr)
}

func runContext(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testclm2", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	limit := fs.Duration("t", 0, "in the callback modes, stop after this long (0: until SIGINT)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: testclm2 [-d run_dir] [-t duration] query | callback full | callback delta\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	var flags clm.TrackFlags
	switch a := fs.Args(); {
	case len(a) == 1 && a[0] == "query":
		flags = clm.TrackCurrent
	case len(a) == 2 && a[0] == "callback" && a[1] == "full":
		flags = clm.TrackChanges
	case len(a) == 2 && a[0] == "callback" && a[1] == "delta":
		flags = clm.TrackChangesOnly
	default:
		fs.Usage()
		return 2
	}

	printf := func(format string, a ...any) { fmt.Fprintf(stdout, format, a...) }
	failed := false
	called := func(api string, err error) bool {
		printf("called: %s, status: %v\n", api, clm.StatusOf(err))
		if err != nil {
			failed = true
			fmt.Fprintf(stderr, "testclm2: %v\n", err)
		}
		return err == nil
	}

	printf("AIS version supported: %v\n", clm.SupportedVersion)
	h, err := clm.Initialize(ctx, *runDir, clm.Callbacks{
		ClusterTrack: func(buf clm.ClusterNotificationBuffer, members uint32, err error) {
			if err != nil {
				printf("track callback error, status: %v\n", clm.StatusOf(err))
				return
			}
			printBuffer(printf, buf)
			printf("number of members: %d\n", members)
		},
	})
	if !called("saClmInitialize", err) {
		return 1
	}

	if flags == clm.TrackCurrent {
		var buf clm.ClusterNotificationBuffer
		if called("saClmClusterTrack", h.ClusterTrack(ctx, flags, &buf)) {
			printBuffer(printf, buf)
		}
		called("saClmFinalize", h.Finalize())
		return exit(failed)
	}

	ready, err := h.SelectionObjectGet()
	if called("saClmSelectionObjectGet", err) && called("saClmClusterTrack", h.ClusterTrack(ctx, flags, nil)) {
		var expired <-chan time.Time
		if *limit > 0 {
			t := time.NewTimer(*limit)
			defer t.Stop()
			expired = t.C
		}
	loop:
		for {
			select {
			case <-ready:
				if err := h.Dispatch(ctx, clm.DispatchAll); err != nil {
					called("saClmDispatch", err)
					break loop
				}
			case <-expired:
				break loop
			case <-ctx.Done():
				break loop
			}
		}
		called("saClmClusterTrackStop", h.ClusterTrackStop(context.Background()))
	}
	called("saClmFinalize", h.Finalize())
	return exit(failed)
}

func exit(failed bool) int {
	if failed {
		return 1
	}
	return 0
}

func printBuffer(printf func(string, ...any), buf clm.ClusterNotificationBuffer) {
	printf("view number: %d\n", buf.ViewNumber)
	printf("number of items: %d\n", len(buf.Notification))
	for _, it := range buf.Notification {
		n := it.ClusterNode
		printf("node id: %d\n", n.NodeID)
		printf("\taddress: %s (%v)\n", n.NodeAddress.Value, n.NodeAddress.Family)
		printf("\tname: %s\n", n.NodeName)
		printf("\tmember: %s\n", yesNo(n.Member))
		printf("\tbooted: %s\n", bootDate(n.BootTimestamp))
		printf("\tinitial view: %d\n", n.InitialViewNumber)
		printf("\tcluster change: %s\n", clusterChange(it.ClusterChange))
	}
}

// bootDate is the boot time as ctime(3) prints it, "unknown" for a node
// that sent no record.
func bootDate(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Local().Format(time.ANSIC)
}

func clusterChange(c clm.ClusterChange) string {
	switch c {
	case clm.NoChange, clm.Joined, clm.Left, clm.Reconfigured:
		return "SA_CLM_NODE_" + c.String()
	}
	return c.String()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
