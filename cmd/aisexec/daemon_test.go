package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"goais/client/cfg"

	"golang.org/x/sys/unix"
)

// TestDaemonSignalsAndLogFile: without -f aisexec detaches and returns once
// the executive serves; SIGUSR2 dumps its state to the log file, SIGHUP
// reopens the file after a rotation, and ais-cfgtool -H stops it.
func TestDaemonSignalsAndLogFile(t *testing.T) {
	bin := aisexecBinary(t)
	dir := t.TempDir()
	logfile := filepath.Join(dir, "aisexec.log")
	port := freePort(t, []string{"127.0.0.1"})
	conf := filepath.Join(dir, "aisexec.conf")
	err := os.WriteFile(conf, []byte(fmt.Sprintf(`totem {
	version: 2
	cluster_name: daemon
	transport: udpu
	interface {
		ringnumber: 0
		mcastport: %d
	}
}
nodelist {
	node {
		ring0_addr: 127.0.0.1
		nodeid: 1
	}
}
logging {
	to_stderr: yes
	to_file: yes
	logfile: %s
	to_syslog: no
	timestamp: on
	logger_subsys {
		subsys: IPC
		debug: on
	}
}
system {
	run_dir: %s
	state_dir: %s
}
`, port, logfile, dir, dir)), 0o644)
	if err != nil {
		t.Fatal(err)
	}

	out, err := exec.Command(filepath.Join(bin, "aisexec"), "-c", conf).CombinedOutput()
	if err != nil {
		t.Fatalf("aisexec without -f: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cl, err := cfg.Dial(ctx, dir)
	if err != nil {
		t.Fatalf("the daemon does not answer: %v", err)
	}
	defer cl.Close()
	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pid := st.PID
	proc, err := os.FindProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proc.Kill() })
	if pid == os.Getpid() {
		t.Fatal("status reports the test's own pid")
	}
	if sid, err := unix.Getsid(pid); err != nil || sid != pid {
		t.Errorf("the daemon is not a session leader: sid %d, %v", sid, err)
	}

	waitLog := func(path, text string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			b, _ := os.ReadFile(path)
			if strings.Contains(string(b), text) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never said %q:\n%s", path, text, b)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitLog(logfile, "started and ready to provide service")
	waitLog(logfile, "[IPC   ] client connected") // logger_subsys IPC debug: on

	for st.State != "OPERATIONAL" {
		if ctx.Err() != nil {
			t.Fatalf("the ring never became operational: %+v", st)
		}
		time.Sleep(50 * time.Millisecond)
		if st, err = cl.Status(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := proc.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	waitLog(logfile, "State dump nodeid=1 state=OPERATIONAL")

	if err := os.Rename(logfile, logfile+".1"); err != nil {
		t.Fatal(err)
	}
	if err := proc.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(logfile, "Log file reopened")

	if err := cl.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	waitLog(logfile, "Executive exiting")
	deadline := time.Now().Add(20 * time.Second)
	for proc.Signal(syscall.Signal(0)) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the daemon did not exit after -H")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBadConfigExitCode: a configuration error is reported with file:line
// and exit code 8, as corosync's COROSYNC_DONE_MAINCONFIGREAD.
func TestBadConfigExitCode(t *testing.T) {
	bin := aisexecBinary(t)
	conf := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(conf, []byte("totem {\n\tversion: 2\n\ttoken: soon\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(bin, "aisexec"), "-f", "-c", conf)
	out, err := cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != exitConfig {
		t.Errorf("exit code %d (%v), want %d", cmd.ProcessState.ExitCode(), err, exitConfig)
	}
	if want := conf + ":3: totem.token: invalid value \"soon\""; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}
