// Command cpgbench measures CPG throughput as openais's and corosync's
// cpgbench do: it joins group "cpg_bm", multicasts messages of one size
// in agreed order for a while, sending only while flow control is
// disabled, counts every message it receives in the group (its own and
// other senders') and prints one line per round:
//
//	5213 messages received  1000 bytes per write  10.001 Seconds runtime   521.248 TP/s   0.521 MB/s.
//
// MB/s counts 10^6 bytes. By default it runs the original's 50 rounds of
// 10 s with sizes 1, 1001, 2001, …; -size runs one size (for -rounds
// rounds, default 1), -sizes a list, -duration sets the round length, and
// -json prints each round as a JSON object instead. Run cpgbench on
// several nodes at once to measure several senders; -listen only counts.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"goais/client/cpg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// Round is one measurement; -json prints it.
type Round struct {
	Messages   int     `json:"messages"`
	Size       int     `json:"size"`
	Seconds    float64 `json:"seconds"`
	TPS        float64 `json:"tps"`
	MBs        float64 `json:"mbs"`
	Sent       int     `json:"sent"`
	TryAgain   int     `json:"try_again"`
	FlowBlocks int     `json:"flow_control_waits"`
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cpgbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	size := fs.Int("size", 0, "message size in bytes (default: the original's 1, 1001, 2001, …)")
	sizes := fs.String("sizes", "", "comma-separated message sizes, one round each")
	rounds := fs.Int("rounds", 0, "number of rounds (default 50, or 1 with -size)")
	duration := fs.Duration("duration", 10*time.Second, "length of each round")
	asJSON := fs.Bool("json", false, "print each round as a JSON object")
	listen := fs.Bool("listen", false, "only receive and count")
	group := fs.String("group", "cpg_bm", "group to join")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: cpgbench [-d run_dir] [-size N | -sizes N,M,…] [-rounds N] [-duration D] [-json] [-listen]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	plan, err := roundSizes(*size, *sizes, *rounds)
	if err != nil || fs.NArg() > 0 || *duration <= 0 {
		if err != nil {
			fmt.Fprintln(stderr, "cpgbench:", err)
		}
		fs.Usage()
		return 2
	}

	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := cpg.Dial(dctx, cpg.Options{RunDir: *runDir})
	if err != nil {
		fmt.Fprintf(stderr, "cpg_initialize: %v\n", err)
		return 1
	}
	defer c.Close()
	if err := c.Join(dctx, *group); err != nil {
		fmt.Fprintf(stderr, "cpg_join: %v\n", err)
		return 1
	}
	for _, sz := range plan {
		r, err := round(ctx, c, sz, *duration, *listen)
		if err != nil && ctx.Err() == nil {
			fmt.Fprintf(stderr, "cpgbench: %v\n", err)
			return 1
		}
		if *asJSON {
			b, _ := json.Marshal(r)
			fmt.Fprintf(stdout, "%s\n", b)
		} else {
			fmt.Fprintf(stdout, "%5d messages received %5d bytes per write %7.3f Seconds runtime %9.3f TP/s %7.3f MB/s.\n",
				r.Messages, r.Size, r.Seconds, r.TPS, r.MBs)
		}
		if ctx.Err() != nil {
			break
		}
	}
	return 0
}

// roundSizes returns the size of each round.
func roundSizes(size int, list string, rounds int) ([]int, error) {
	var plan []int
	switch {
	case size != 0 && list != "":
		return nil, errors.New("-size and -sizes exclude each other")
	case list != "":
		for f := range strings.SplitSeq(list, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 || n > cpg.MaxMessage {
				return nil, fmt.Errorf("-sizes: %q is not a size between 1 and %d", f, cpg.MaxMessage)
			}
			plan = append(plan, n)
		}
		if rounds > 0 {
			return nil, errors.New("-rounds does not go with -sizes")
		}
		return plan, nil
	case size != 0:
		if size < 1 || size > cpg.MaxMessage {
			return nil, fmt.Errorf("-size %d is not between 1 and %d", size, cpg.MaxMessage)
		}
		if rounds == 0 {
			rounds = 1
		}
		for range rounds {
			plan = append(plan, size)
		}
		return plan, nil
	}
	if rounds == 0 {
		rounds = 50
	}
	for i := range rounds {
		plan = append(plan, 1+1000*i)
	}
	return plan, nil
}

// round sends messages of size bytes for d (unless listening) and counts
// the group's deliveries.
func round(ctx context.Context, c *cpg.Client, size int, d time.Duration, listen bool) (Round, error) {
	r := Round{Size: size}
	msg := make([]byte, size)
	for i := range msg {
		msg[i] = byte(i)
	}
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	count := cpg.Callbacks{Deliver: func(*cpg.Delivery) { r.Messages++ }}
	start := time.Now()
	var err error
	for rctx.Err() == nil {
		if !listen && c.FlowControlState() == cpg.FlowControlDisabled {
			err = c.Mcast(rctx, cpg.Agreed, msg)
			switch {
			case err == nil:
				r.Sent++
			case errors.Is(err, cpg.ErrTryAgain):
				r.TryAgain++
			case rctx.Err() != nil:
			default:
				return r, err
			}
			err = c.Dispatch(rctx, cpg.DispatchAll, count)
		} else {
			// Wait for a delivery rather than spin: it is what frees
			// the window.
			r.FlowBlocks++
			err = c.Dispatch(rctx, cpg.DispatchOne, count)
		}
		if err != nil && rctx.Err() == nil {
			return r, err
		}
	}
	r.Seconds = time.Since(start).Seconds()
	r.TPS = float64(r.Messages) / r.Seconds
	r.MBs = float64(r.Messages) * float64(size) / r.Seconds / 1e6
	// Let the messages still in flight arrive before the next round, so
	// that they are not counted there.
	drain, cancel2 := context.WithTimeout(ctx, 5*time.Second)
	defer cancel2()
	_ = c.Flush(drain)
	for {
		quiet, cancel3 := context.WithTimeout(drain, 200*time.Millisecond)
		err := c.Dispatch(quiet, cpg.DispatchOne, cpg.Callbacks{})
		cancel3()
		if err != nil {
			break
		}
	}
	return r, nil
}
