package lab

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Peer is one CPG peer program on a daemon's host: cpgpeer (C, libcpg) on
// a corosync node, gocpgpeer (Go, goais/client/cpg) on a goais node. Both
// speak the protocol documented in cpgpeer/cpgpeer.c.
type Peer struct {
	*Process
	Tag    string
	Daemon *Daemon
	NodeID uint32
	PID    uint32 // as the peer reports it (its own process id)

	stdin   io.WriteCloser
	results chan string

	mu     sync.Mutex
	events []string // confchg, totem and deliver lines, in order
	fatal  string   // an error line after which the peer exited
	cond   chan struct{}
}

// StartPeer starts a peer on d's host that joins group, and waits for it
// to be ready.
func (l *Lab) StartPeer(d *Daemon, group, tag string) (*Peer, error) {
	var name string
	var args []string
	switch d.Node.Kind {
	case Corosync:
		name = l.Bin("cpgpeer")
		args = []string{group, tag}
	case Goais:
		name = l.Bin("gocpgpeer")
		args = []string{"-d", d.Dir, group, tag}
	}
	cmd := d.Host.Command(name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errf, err := os.OpenFile(d.LogPath()+"."+tag+".stderr", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd.Stderr = errf
	p := &Peer{Tag: tag, Daemon: d, stdin: stdin, results: make(chan string, 16), cond: make(chan struct{})}
	proc, err := l.start(fmt.Sprintf("peer %s on node %d", tag, d.Node.ID), cmd)
	errf.Close()
	if err != nil {
		return nil, err
	}
	p.Process = proc
	ready := make(chan string, 1)
	go p.read(stdout, ready)
	select {
	case line := <-ready:
		f := strings.Fields(line)
		id, err1 := strconv.ParseUint(f[1], 10, 32)
		pid, err2 := strconv.ParseUint(f[2], 10, 32)
		if len(f) != 3 || err1 != nil || err2 != nil {
			p.Kill()
			return nil, fmt.Errorf("lab: peer %s: bad ready line %q", tag, line)
		}
		p.NodeID, p.PID = uint32(id), uint32(pid)
		return p, nil
	case <-proc.exited:
		return nil, fmt.Errorf("lab: peer %s on node %d exited before it was ready: %s", tag, d.Node.ID, p.Fatal())
	case <-time.After(60 * time.Second):
		p.Kill()
		return nil, fmt.Errorf("lab: peer %s on node %d not ready after 60s", tag, d.Node.ID)
	}
}

// read sorts the peer's output: events into the log, results to Do.
func (p *Peer) read(r io.Reader, ready chan<- string) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		kind, _, _ := strings.Cut(line, " ")
		switch kind {
		case "ready":
			select {
			case ready <- line:
			default:
			}
		case "confchg", "totem", "deliver":
			p.mu.Lock()
			p.events = append(p.events, line)
			close(p.cond)
			p.cond = make(chan struct{})
			p.mu.Unlock()
		default:
			if kind == "error" {
				p.mu.Lock()
				p.fatal = line
				p.mu.Unlock()
			}
			select {
			case p.results <- line:
			default:
				// Nobody asked: an unsolicited error line (the daemon
				// went away); kept in fatal.
			}
		}
	}
	close(p.results)
}

// Fatal is the last error line the peer printed.
func (p *Peer) Fatal() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fatal
}

// Do sends one command and returns its result line.
func (p *Peer) Do(command string, timeout time.Duration) (string, error) {
	// Results nobody waited for (a timed-out earlier command) are stale.
	for len(p.results) > 0 {
		<-p.results
	}
	if _, err := fmt.Fprintln(p.stdin, command); err != nil {
		return "", fmt.Errorf("lab: peer %s: %q: %w", p.Tag, command, err)
	}
	select {
	case line, ok := <-p.results:
		if !ok {
			return "", fmt.Errorf("lab: peer %s exited during %q: %s", p.Tag, command, p.Fatal())
		}
		if strings.HasPrefix(line, "error") {
			return line, fmt.Errorf("lab: peer %s: %q: %s", p.Tag, command, line)
		}
		return line, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("lab: peer %s: no answer to %q within %v", p.Tag, command, timeout)
	}
}

// Start sends a command without waiting; Result collects its result line.
func (p *Peer) Start(command string) error {
	for len(p.results) > 0 {
		<-p.results
	}
	_, err := fmt.Fprintln(p.stdin, command)
	return err
}

// Result waits for the result line of a command sent with Start.
func (p *Peer) Result(timeout time.Duration) (string, error) {
	select {
	case line, ok := <-p.results:
		if !ok {
			return "", fmt.Errorf("lab: peer %s exited: %s", p.Tag, p.Fatal())
		}
		if strings.HasPrefix(line, "error") {
			return line, fmt.Errorf("lab: peer %s: %s", p.Tag, line)
		}
		return line, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("lab: peer %s: no result within %v", p.Tag, timeout)
	}
}

// Events returns a copy of the event lines so far.
func (p *Peer) Events() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.events...)
}

// WaitEvents waits until ok(events) is true and returns the events.
func (p *Peer) WaitEvents(ok func([]string) bool, timeout time.Duration) ([]string, error) {
	deadline := time.After(timeout)
	for {
		p.mu.Lock()
		ev, cond := append([]string(nil), p.events...), p.cond
		p.mu.Unlock()
		if ok(ev) {
			return ev, nil
		}
		select {
		case <-cond:
		case <-p.exited:
			return ev, fmt.Errorf("lab: peer %s exited while waiting: %s", p.Tag, p.Fatal())
		case <-deadline:
			return ev, fmt.Errorf("lab: peer %s: condition not met within %v", p.Tag, timeout)
		}
	}
}

// Quit asks the peer to leave and exit.
func (p *Peer) Quit(timeout time.Duration) error {
	fmt.Fprintln(p.stdin, "quit")
	p.stdin.Close()
	_, err := p.Wait(timeout)
	return err
}
