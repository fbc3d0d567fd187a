package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"goais/client/cpg"
)

// startupTimeout bounds the retries of try-again at start-up and in join
// and leave, as the C peer does.
const startupTimeout = 30 * time.Second

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run is the program: 0 after quit or end of input, 1 for bad arguments,
// 2 when the library connection fails.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gocpgpeer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runDir := fs.String("d", "", "run directory of the executive (default: $AIS_RUN_DIR, else the client library's default)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gocpgpeer [-d run_dir] GROUP TAG (TAG: 1-%d printable characters, no space)\n", maxTag)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if fs.NArg() != 2 || fs.Arg(0) == "" || len(fs.Arg(0)) > cpg.NameMax || !validTag(fs.Arg(1)) {
		fs.Usage()
		return 1
	}
	p := &peer{ctx: ctx, out: stdout, group: fs.Arg(0), b: builder{tag: fs.Arg(1)}, nextSeq: 1, st: newStats()}
	if err := p.start(*runDir); err != nil {
		fmt.Fprintln(stdout, err)
		return 2
	}
	defer p.c.Close()

	lines := make(chan string)
	done := make(chan struct{})
	defer close(done)
	go readLines(stdin, lines, done)
	for {
		var err error
		select {
		case ev, ok := <-p.events:
			if !ok {
				err = p.lost()
			} else {
				err = p.handle(ev)
			}
		case line, ok := <-lines:
			if !ok {
				err = quitError{}
			} else {
				err = p.command(line)
			}
		case <-ctx.Done():
			err = quitError{}
		}
		if errors.Is(err, quitError{}) {
			p.quit()
			return 0
		}
		if err != nil {
			fmt.Fprintln(stdout, err)
			return 2
		}
	}
}

// start connects, joins and prints the ready line, retrying try-again for
// up to startupTimeout.
func (p *peer) start(runDir string) error {
	ctx, cancel := context.WithTimeout(p.ctx, startupTimeout)
	defer cancel()
	again := func(err error) bool {
		if !errors.Is(err, cpg.ErrTryAgain) || ctx.Err() != nil {
			return false
		}
		select {
		case <-time.After(100 * time.Millisecond):
		case <-ctx.Done():
		}
		return true
	}
	var err error
	for p.c, err = cpg.Dial(ctx, cpg.Options{RunDir: runDir}); err != nil; p.c, err = cpg.Dial(ctx, cpg.Options{RunDir: runDir}) {
		if !again(err) {
			return failed("cpg_model_initialize", err)
		}
	}
	for err = p.c.Join(ctx, p.group); err != nil; err = p.c.Join(ctx, p.group) {
		if !again(err) {
			p.c.Close()
			return failed("cpg_join", err)
		}
	}
	p.joined = true
	for p.nodeid, err = p.c.LocalGet(ctx); err != nil; p.nodeid, err = p.c.LocalGet(ctx) {
		if !again(err) {
			p.c.Close()
			return failed("cpg_local_get", err)
		}
	}
	p.pid = p.c.PID()
	p.initialTotem = true
	p.events = p.c.Events()
	p.printf("ready %d %d\n", p.nodeid, p.pid)
	return nil
}

// readLines sends each line of r (without its newline; a last
// unterminated one too) to lines and closes it at the end of input.
func readLines(r io.Reader, lines chan<- string, done <-chan struct{}) {
	defer close(lines)
	br := bufio.NewReader(r)
	for {
		s, err := br.ReadString('\n')
		if s != "" {
			select {
			case lines <- strings.TrimSuffix(s, "\n"):
			case <-done:
				return
			}
		}
		if err != nil {
			return
		}
	}
}
