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
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"goais/client/evs"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// retryWait is how long a sender refused with TRY_AGAIN waits for a
// delivery before it tries again.
const retryWait = 10 * time.Millisecond

// Round is one round's result, the -json output.
type Round struct {
	Writes  uint64  `json:"writes"`
	Size    int     `json:"size"`
	Seconds float64 `json:"seconds"`
	TPS     float64 `json:"tps"`
	MBPS    float64 `json:"mbps"` // 10^6 bytes per second
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evsbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	rounds := fs.Int("rounds", 225, "number of rounds")
	duration := fs.Duration("duration", 10*time.Second, "length of each round")
	size := fs.Int("size", 0, "message size of every round (default: 1, then 1000 more each round)")
	window := fs.Int("window", 10, "multicasts in flight at once")
	asJSON := fs.Bool("json", false, "print one JSON object per round")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *rounds < 0 || *duration <= 0 || *size < 0 || *window < 1 {
		fs.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	b := &bench{out: stdout, json: *asJSON, progress: make(chan struct{}, 1)}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := evs.Dial(dctx, *runDir)
	if err != nil {
		fmt.Fprintf(stderr, "evsbench: %v\n", err)
		return 1
	}
	defer c.Close()
	b.c = c
	b.say("Init result 1\n")
	keys := []evs.Group{evs.MustGroup("key1"), evs.MustGroup("key2"), evs.MustGroup("key3")}
	if err := c.Join(dctx, keys...); err != nil {
		fmt.Fprintf(stderr, "evsbench: %v\n", err)
		return 1
	}
	b.say("Join result 1\n")
	if err := c.Leave(dctx, keys[0]); err != nil {
		fmt.Fprintf(stderr, "evsbench: %v\n", err)
		return 1
	}
	b.say("Leave result 1\n")

	var events sync.WaitGroup
	events.Go(b.drain)
	defer func() {
		c.Close()
		events.Wait()
	}()

	sz := 1
	for range *rounds {
		if *size > 0 {
			sz = *size
		}
		r, err := b.round(ctx, sz, *duration, *window)
		if ctx.Err() != nil {
			return 0 // interrupted: drop the partial round
		}
		if err != nil {
			fmt.Fprintf(stderr, "evsbench: %v\n", err)
			return 1
		}
		b.report(r)
		sz += 1000
	}
	return 0
}

type bench struct {
	c        *evs.Client
	json     bool
	progress chan struct{} // a delivery arrived: refused senders retry

	mu  sync.Mutex // output
	out io.Writer
}

func (b *bench) say(format string, args ...any) {
	if b.json {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	fmt.Fprintf(b.out, format, args...)
}

// drain takes the events off the client: deliveries wake refused
// senders, configuration changes are printed.
func (b *bench) drain() {
	for ev := range b.c.Events() {
		switch ev := ev.(type) {
		case evs.Delivery:
			select {
			case b.progress <- struct{}{}:
			default:
			}
		case evs.ConfChg:
			b.confchg(ev)
		}
	}
}

func (b *bench) confchg(cc evs.ConfChg) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.json {
		return
	}
	fmt.Fprintf(b.out, "CONFIGURATION CHANGE\n--------------------\nNew configuration\n")
	for _, id := range cc.Members {
		fmt.Fprintf(b.out, "%x\n", uint32(id))
	}
	fmt.Fprintf(b.out, "Members Left:\n")
	for _, id := range cc.Left {
		fmt.Fprintf(b.out, "%x\n", uint32(id))
	}
	fmt.Fprintf(b.out, "Members Joined:\n")
	for _, id := range cc.Joined {
		fmt.Fprintf(b.out, "%x\n", uint32(id))
	}
}

// round multicasts size-byte messages from window goroutines for d and
// counts the ones the executive accepted.
func (b *bench) round(ctx context.Context, size int, d time.Duration, window int) (Round, error) {
	rctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	msg := make([]byte, size)
	var (
		writes atomic.Uint64
		wg     sync.WaitGroup
		errMu  sync.Mutex
		failed error
	)
	start := time.Now()
	for range window {
		wg.Go(func() {
			for rctx.Err() == nil {
				err := b.c.McastJoined(rctx, evs.Agreed, msg)
				switch {
				case err == nil:
					writes.Add(1)
				case errors.Is(err, evs.ErrTryAgain):
					b.wait(rctx)
				case rctx.Err() != nil:
					// The round ended during the call.
				default:
					errMu.Lock()
					failed = err
					errMu.Unlock()
					cancel()
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	if failed != nil {
		return Round{}, failed
	}
	n := writes.Load()
	return Round{
		Writes:  n,
		Size:    size,
		Seconds: elapsed,
		TPS:     float64(n) / elapsed,
		MBPS:    float64(n) * float64(size) / elapsed / 1e6,
	}, nil
}

// wait blocks until a delivery, retryWait or the end of the round.
func (b *bench) wait(ctx context.Context) {
	t := time.NewTimer(retryWait)
	defer t.Stop()
	select {
	case <-b.progress:
	case <-t.C:
	case <-ctx.Done():
	}
}

func (b *bench) report(r Round) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.json {
		line, _ := json.Marshal(r) // plain numbers and no maps: cannot fail
		fmt.Fprintf(b.out, "%s\n", line)
		return
	}
	fmt.Fprintf(b.out, "%5d Writes %5d bytes per write %7.3f Seconds runtime %9.3f TP/s %7.3f MB/s.\n",
		r.Writes, r.Size, r.Seconds, r.TPS, r.MBPS)
}
