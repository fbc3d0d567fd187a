package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// daemonEnv marks the re-executed child of a daemonizing aisexec.
const daemonEnv = "GOAIS_AISEXEC_DAEMON"

// readyFD is the child's end of the pipe on which it reports readiness.
const readyFD = 3

// daemonize starts this program again in a new session with its standard
// streams on /dev/null, waits until the child reports that it is serving
// (or fails), and returns the exit code for the parent. Go cannot fork a
// running process safely, so the re-execution takes fork's place.
func daemonize(args []string) int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: cannot daemonize: %v\n", err)
		return exitDaemonFail
	}
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: cannot daemonize: %v\n", err)
		return exitDaemonFail
	}
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: cannot daemonize: %v\n", err)
		return exitDaemonFail
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), daemonEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = null, null, null
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "aisexec: cannot daemonize: %v\n", err)
		return exitDaemonFail
	}
	w.Close()
	null.Close()

	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		ready <- line == "ready\n"
	}()
	select {
	case ok := <-ready:
		if ok {
			return exitOK
		}
		err := <-exited
		fmt.Fprintf(os.Stderr, "aisexec: the executive exited during start-up (%v); see its log\n", err)
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		return exitDaemonFail
	case <-time.After(30 * time.Second):
		fmt.Fprintln(os.Stderr, "aisexec: the executive did not report ready within 30 s; it keeps running, see its log")
		return exitDaemonFail
	}
}

// notifyReady tells a waiting parent that start-up succeeded.
func notifyReady() {
	if os.Getenv(daemonEnv) == "" {
		return
	}
	f := os.NewFile(readyFD, "ready")
	if f == nil {
		return
	}
	f.WriteString("ready\n")
	f.Close()
	os.Unsetenv(daemonEnv)
}
