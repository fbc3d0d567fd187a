// Command testcpg is the interactive CPG chat of openais and corosync:
//
//	testcpg [-i] [-d run_dir] [group]
//
// It joins group (default "GROUP") on the local executive, multicasts
// every line typed on standard input to the group and prints every
// message and configuration change of the group, as the original does:
//
//	DeliverCallback: message (len=6)from node/pid 1/4242: 'hello
//	'
//	ConfchgCallback: group 'GROUP'
//	joined node/pid: 2/4343 reason: 1
//	nodes in group now 2
//
// The message sent is the line with its newline and a terminating NUL,
// like the original's fgets buffer. A line starting with EXIT leaves the
// group; testcpg prints "We have left the building" when its own leave
// comes back, then finalizes. End of input also leaves. -i prints node
// ids as IPv4 addresses (corosync's nodeid-from-address convention).
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"goais/client/cpg"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// out serialises writes to stdout from the input and event goroutines.
type out struct {
	mu sync.Mutex
	w  io.Writer
}

func (o *out) printf(format string, args ...any) {
	o.mu.Lock()
	defer o.mu.Unlock()
	fmt.Fprintf(o.w, format, args...)
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("testcpg", flag.ContinueOnError)
	fs.SetOutput(stderr)
	showIP := fs.Bool("i", false, "print node ids as IPv4 addresses")
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR or /run/goais)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: testcpg [-i] [-d run_dir] [group]\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return 2
	}
	group := "GROUP"
	if fs.NArg() == 1 {
		group = fs.Arg(0)
	}
	o := &out{w: stdout}
	node := func(id uint32) string {
		if *showIP {
			return netip.AddrFrom4([4]byte{byte(id), byte(id >> 8), byte(id >> 16), byte(id >> 24)}).String()
		}
		return fmt.Sprint(id)
	}

	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	c, err := cpg.Dial(dctx, cpg.Options{RunDir: *runDir})
	if err != nil {
		fmt.Fprintf(stderr, "Could not initialize Cluster Process Group API instance error %v\n", err)
		return 1
	}
	defer c.Close()
	nodeid, err := c.LocalGet(dctx)
	if err != nil {
		fmt.Fprintf(stderr, "Could not get local node id: %v\n", err)
		return 1
	}
	o.printf("Local node id is %x\n", nodeid)
	if err := c.Join(dctx, group); err != nil {
		fmt.Fprintf(stderr, "Could not join process group, error %v\n", err)
		return 1
	}
	o.printf("Type EXIT to finish\n")

	left := make(chan struct{}) // our own leave came back
	go func() {
		defer close(left)
		for ev := range c.Events() {
			switch e := ev.(type) {
			case *cpg.Delivery:
				msg := e.Msg
				if i := bytes.IndexByte(msg, 0); i >= 0 {
					msg = msg[:i]
				}
				o.printf("DeliverCallback: message (len=%d)from node/pid %s/%d: '%s'\n", len(e.Msg), node(e.NodeID), e.PID, msg)
			case *cpg.Confchg:
				var b bytes.Buffer
				fmt.Fprintf(&b, "\nConfchgCallback: group '%s'\n", e.Group)
				for _, a := range e.Joined {
					fmt.Fprintf(&b, "joined node/pid: %s/%d reason: %d\n", node(a.NodeID), a.PID, a.Reason)
				}
				for _, a := range e.Left {
					fmt.Fprintf(&b, "left node/pid: %s/%d reason: %d\n", node(a.NodeID), a.PID, a.Reason)
				}
				fmt.Fprintf(&b, "nodes in group now %d\n", len(e.Members))
				for _, a := range e.Members {
					fmt.Fprintf(&b, "node/pid: %s/%d\n", node(a.NodeID), a.PID)
				}
				o.printf("%s", b.Bytes())
				if len(e.Left) > 0 && e.Left[0].PID == c.PID() && e.Left[0].NodeID == nodeid {
					o.printf("We have left the building\n")
					return
				}
			case *cpg.TotemConfchg:
				var b bytes.Buffer
				fmt.Fprintf(&b, "\nTotemConfchgCallback: ringid (%d.%d)\n", e.RingRep, e.RingSeq)
				fmt.Fprintf(&b, "active processors %d: ", len(e.Members))
				for _, m := range e.Members {
					fmt.Fprintf(&b, "%s ", node(m))
				}
				b.WriteString("\n")
				o.printf("%s", b.Bytes())
			}
		}
	}()

	lines := make(chan string)
	go func() {
		defer close(lines)
		r := bufio.NewReader(stdin)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				select {
				case lines <- line:
				case <-left:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()

	leave := func() {
		lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			err := c.Leave(lctx, group)
			if !errors.Is(err, cpg.ErrTryAgain) {
				if err != nil {
					fmt.Fprintf(stderr, "Could not leave the group: %v\n", err)
				}
				return
			}
			select {
			case <-time.After(10 * time.Millisecond):
			case <-lctx.Done():
				return
			}
		}
	}
	leaving := false
	for !leaving {
		select {
		case line, ok := <-lines:
			if !ok || bytes.HasPrefix([]byte(line), []byte("EXIT")) {
				leaving = true
				break
			}
			msg := append([]byte(line), 0)
			for {
				err := c.Mcast(ctx, cpg.Agreed, msg)
				if !errors.Is(err, cpg.ErrTryAgain) {
					if err != nil {
						fmt.Fprintf(stderr, "Could not send: %v\n", err)
					}
					break
				}
				_ = c.Flush(ctx)
			}
		case <-ctx.Done():
			leaving = true
		case <-left:
			leaving = true
		case <-c.Done():
			fmt.Fprintf(stderr, "Lost the connection to the executive: %v\n", c.Err())
			return 1
		}
	}
	select {
	case <-left:
	default:
		leave()
		select {
		case <-left:
		case <-time.After(10 * time.Second):
		}
	}
	c.Close()
	o.printf("Finalize  result is %d (should be 1)\n", 1)
	return 0
}
