package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"goais/client/evs"
	"goais/ipc"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// retryWait is how long a sender refused with TRY_AGAIN waits for an
// event before it tries again.
const retryWait = 10 * time.Millisecond

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testevs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	count := fs.Int("n", 500, "messages to send in each of the two phases")
	timeout := fs.Duration("t", 2*time.Minute, "give up after this long")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *count < 0 {
		fs.Usage()
		return 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()

	c, err := evs.Dial(ctx, *runDir)
	if err != nil {
		fmt.Fprintf(stdout, "Couldn't initialize EVS service %d\n", result(err))
		fmt.Fprintf(stderr, "testevs: %v\n", err)
		return 1
	}
	defer c.Close()
	t := &tester{c: c, out: stdout}

	local, members, err := c.MembershipGet(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "testevs: evs_membership_get: %v\n", err)
		return 1
	}
	t.local = local
	fmt.Fprintf(stdout, "Current membership from evs_membership_get entries %d\n", len(members))
	for i, m := range members {
		fmt.Fprintf(stdout, "member [%d] is %x\n", i, uint32(m))
	}
	fmt.Fprintf(stdout, "local processor from evs_membership_get %x\n", uint32(local))
	fmt.Fprintf(stdout, "Init result %d\n", result(nil))

	keys := []evs.Group{evs.MustGroup("key1"), evs.MustGroup("key2"), evs.MustGroup("key3")}
	err = c.Join(ctx, keys...)
	fmt.Fprintf(stdout, "Join result %d\n", result(err))
	if err != nil {
		fmt.Fprintf(stderr, "testevs: %v\n", err)
		return 1
	}
	err = c.Leave(ctx, keys[0])
	fmt.Fprintf(stdout, "Leave result %d\n", result(err))
	if err != nil {
		fmt.Fprintf(stderr, "testevs: %v\n", err)
		return 1
	}

	phases := []struct {
		api  string
		send func(msg []byte) error
	}{
		{"evs_mcast_joined", func(msg []byte) error { return c.McastJoined(ctx, evs.Agreed, msg) }},
		{"evs_mcast_groups", func(msg []byte) error { return c.McastGroups(ctx, evs.Agreed, keys[1:2], msg) }},
	}
	for _, p := range phases {
		if err := t.phase(ctx, p.api, *count, p.send); err != nil {
			fmt.Fprintf(stderr, "testevs: %s: %v\n", p.api, err)
			return 1
		}
	}
	return 0
}

// tester holds what the callbacks need.
type tester struct {
	c     *evs.Client
	out   io.Writer
	local evs.NodeID
	api   string              // the phase's API name, printed with each delivery
	mine  map[string]struct{} // own messages of the phase not delivered yet
}

// phase sends count messages with send, dispatching as the original did
// after each, then waits for the rest of its own to come back.
func (t *tester) phase(ctx context.Context, api string, count int, send func([]byte) error) error {
	t.api = api
	t.mine = make(map[string]struct{}, count)
	for i := range count {
		msg := fmt.Sprintf("%s: This is message %d", api, i)
		t.mine[msg] = struct{}{}
		for {
			err := send([]byte(msg))
			if err == nil {
				break
			}
			if !errors.Is(err, evs.ErrTryAgain) {
				return err
			}
			// Let the ring drain: wait briefly for an event.
			if err := t.dispatchFor(ctx, retryWait); err != nil {
				return err
			}
		}
		if err := t.c.Dispatch(ctx, evs.DispatchAll, t.callbacks()); err != nil {
			return err
		}
	}
	for len(t.mine) > 0 {
		if err := t.c.Dispatch(ctx, evs.DispatchOne, t.callbacks()); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%d of my messages were not delivered: %w", len(t.mine), err)
			}
			return err
		}
	}
	return nil
}

// dispatchFor runs callbacks for up to d.
func (t *tester) dispatchFor(ctx context.Context, d time.Duration) error {
	wctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := t.c.Dispatch(wctx, evs.DispatchOne, t.callbacks())
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		return nil
	}
	return err
}

func (t *tester) callbacks() evs.Callbacks {
	return evs.Callbacks{Deliver: t.deliver, ConfChg: t.confchg}
}

func (t *tester) deliver(d evs.Delivery) {
	// A C sender's message ends at its NUL, as printf's %s reads it.
	text := d.Msg
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	fmt.Fprintf(t.out, "API '%s' msg '%s'\n", t.api, text)
	if d.Sender == t.local {
		delete(t.mine, string(text))
	}
}

func (t *tester) confchg(cc evs.ConfChg) {
	fmt.Fprintf(t.out, "CONFIGURATION CHANGE\n")
	fmt.Fprintf(t.out, "--------------------\n")
	fmt.Fprintf(t.out, "New configuration\n")
	for _, id := range cc.Members {
		fmt.Fprintf(t.out, "%x\n", uint32(id))
	}
	fmt.Fprintf(t.out, "Members Left:\n")
	for _, id := range cc.Left {
		fmt.Fprintf(t.out, "%x\n", uint32(id))
	}
	fmt.Fprintf(t.out, "Members Joined:\n")
	for _, id := range cc.Joined {
		fmt.Fprintf(t.out, "%x\n", uint32(id))
	}
}

// result is the EVS error code of err, as the original printed it: 1 for
// success, the status of a refusal, 2 (EVS_ERR_LIBRARY) for anything else.
func result(err error) int {
	if err == nil {
		return int(ipc.StatusOK)
	}
	var se *ipc.StatusError
	if errors.As(err, &se) {
		return int(se.Status)
	}
	return int(ipc.StatusLibrary)
}
