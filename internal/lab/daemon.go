package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Daemon is one node's engine: corosync or aisexec.
type Daemon struct {
	*Process
	Node Node
	Host *Host
	Dir  string // run and state directory, configuration and log
	Ring *Ring
	lab  *Lab
}

// LogPath is the file the daemon's stderr and stdout go to.
func (d *Daemon) LogPath() string { return filepath.Join(d.Dir, "daemon.log") }

// Log returns what the daemon has logged so far (all its runs).
func (d *Daemon) Log() string {
	b, _ := os.ReadFile(d.LogPath())
	return string(b)
}

// Start starts node id of the ring on its host. A node started again
// (after Kill) keeps its directory, so its persisted ring sequence
// survives as it would on a real host, and appends to the same log.
func (l *Lab) Start(r *Ring, id uint32) (*Daemon, error) {
	n, ok := r.Node(id)
	if !ok {
		return nil, fmt.Errorf("lab: node %d is not in the ring", id)
	}
	if n.Host < 0 || n.Host >= len(l.Hosts) {
		return nil, fmt.Errorf("lab: node %d: no host %d", id, n.Host)
	}
	h := l.Hosts[n.Host]
	d := &Daemon{Node: n, Host: h, Ring: r, lab: l, Dir: filepath.Join(l.Dir, fmt.Sprintf("%s-node%d", n.Kind, id))}
	if err := os.MkdirAll(d.Dir, 0o755); err != nil {
		return nil, err
	}
	conf := filepath.Join(d.Dir, "corosync.conf")
	if err := os.WriteFile(conf, []byte(r.Config(l, d.Dir, id)), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(d.LogPath(), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	fmt.Fprintf(logf, "---- lab: start %s node %d on %s (%s) at %s\n", n.Kind, id, h.NS, h.Addr, time.Now().Format(time.RFC3339Nano))
	var name string
	var args []string
	switch n.Kind {
	case Corosync:
		// corosync 3.1.7 locks /run/corosync.pid: a private /run per
		// daemon. unshare execs sh, which execs corosync, so the PID is
		// corosync's.
		name = "unshare"
		args = []string{"-m", "sh", "-c", "mount -t tmpfs tmpfs /run && exec corosync -f -c " + conf}
	case Goais:
		name = l.Bin("aisexec")
		args = []string{"-f", "-c", conf}
	}
	cmd := h.Command(name, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = append(os.Environ(), "AIS_RUN_DIR=")
	p, err := l.start(fmt.Sprintf("%s node %d", n.Kind, id), cmd)
	if err != nil {
		return nil, err
	}
	d.Process = p
	return d, nil
}

// Stop asks the daemon to leave the ring cleanly (SIGTERM) and waits for
// it to exit.
func (d *Daemon) Stop(timeout time.Duration) error {
	d.Signal(syscall.SIGTERM)
	code, err := d.Wait(timeout)
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("lab: %s exited with status %d after SIGTERM", d.Name, code)
	}
	return nil
}

// Tool runs an administration tool against this daemon (corosync-cfgtool
// and friends in its namespace; for goais, programs get AIS_RUN_DIR).
func (d *Daemon) Tool(name string, args ...string) (string, error) {
	cmd := d.Host.Command(name, args...)
	if d.Node.Kind == Goais {
		cmd.Env = append(os.Environ(), "AIS_RUN_DIR="+d.Dir)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s on node %d: %v: %s", filepath.Base(name), strings.Join(args, " "), d.Node.ID, err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// WaitLog waits until the daemon's log contains s after offset from (a
// length of Log() taken earlier) and returns the log.
func (d *Daemon) WaitLog(from int, s string, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	for {
		log := d.Log()
		if from <= len(log) && strings.Contains(log[from:], s) {
			return log, nil
		}
		if time.Now().After(deadline) {
			return log, fmt.Errorf("lab: node %d did not log %q within %v", d.Node.ID, s, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Lab is the lab the daemon runs in.
func (d *Daemon) Lab() *Lab { return d.lab }
