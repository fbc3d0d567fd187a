package ipc

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// probeTimeout bounds the connect used to ask whether a socket file left
// on disk still has an executive behind it.
const probeTimeout = 2 * time.Second

// createSocket makes the socket file at path and returns its listener and
// the lock that keeps a second executive from racing for the same path.
//
// Two executives starting at once could otherwise both find a stale file,
// both remove it and both bind, the first one ending up unreachable. The
// lock file (path + ".lock", flock'ed, never removed: removing it would
// reopen that race) serialises them; the probe still catches an executive
// that does not take the lock.
func createSocket(path string, gid int) (*net.UnixListener, *os.File, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("ipc: creating socket directory: %w", err)
	}
	if err := checkDirOwner(dir); err != nil {
		return nil, nil, err
	}
	lock, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("ipc: opening lock file: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil, fmt.Errorf("%w on %s (%s.lock is held)", ErrExecutiveRunning, path, path)
		}
		return nil, nil, fmt.Errorf("ipc: locking %s.lock: %w", path, err)
	}
	ln, err := bindSocket(path, gid)
	if err != nil {
		lock.Close()
		return nil, nil, err
	}
	return ln, lock, nil
}

func bindSocket(path string, gid int) (*net.UnixListener, error) {
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("ipc: listening on %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(true)
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			ln.Close()
			return nil, fmt.Errorf("ipc: giving %s to group %d: %w", path, gid, err)
		}
	}
	if err := os.Chmod(path, 0o770); err != nil {
		ln.Close()
		return nil, fmt.Errorf("ipc: chmod %s: %w", path, err)
	}
	return ln, nil
}

// removeStale removes a socket file nobody answers on. A live executive,
// or anything that is not a socket, is left alone and reported.
func removeStale(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ipc: checking %s: %w", path, err)
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("ipc: %s exists and is not a socket (%v); remove it or choose another path", path, fi.Mode().Type())
	}
	c, err := net.DialTimeout("unix", path, probeTimeout)
	if err == nil {
		c.Close()
		return fmt.Errorf("%w on %s", ErrExecutiveRunning, path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		// Not refused outright (a wedged executive times out, say):
		// do not take the path from under it.
		return fmt.Errorf("ipc: cannot tell whether an executive is running on %s: %w", path, err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ipc: removing stale socket %s: %w", path, err)
	}
	return nil
}

// checkDirOwner refuses a socket directory owned by someone other than
// root or us: whoever owns it could replace our socket with theirs (think
// of a /tmp/goais-<uid> created in advance by another user).
func checkDirOwner(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("ipc: socket directory: %w", err)
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if euid := os.Geteuid(); st.Uid != 0 && int(st.Uid) != euid {
		return fmt.Errorf("ipc: socket directory %s is owned by uid %d, not by root or uid %d", dir, st.Uid, euid)
	}
	return nil
}
