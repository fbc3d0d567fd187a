package lab

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// Do runs fn on a new OS thread that has entered the host's network
// namespace. Sockets fn creates belong to the namespace for good and keep
// working from any goroutine; goroutines fn starts do not run in it.
func (h *Host) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: when this goroutine ends the runtime destroys
		// the thread rather than reuse it in the wrong namespace.
		runtime.LockOSThread()
		f, err := os.Open(filepath.Join(netnsDir, h.NS))
		if err != nil {
			errc <- fmt.Errorf("lab: netns %s: %w", h.NS, err)
			return
		}
		err = unix.Setns(int(f.Fd()), unix.CLONE_NEWNET)
		f.Close()
		if err != nil {
			errc <- fmt.Errorf("lab: netns %s: setns: %w", h.NS, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
