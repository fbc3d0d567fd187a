package ipc

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestListenCreatesSocket(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := SocketPath(dir)
	const gid = 54321
	srv, err := Listen(ServerConfig{Path: path, AllowedGID: gid})
	if err != nil {
		t.Fatalf("Listen: %v", err)
	}
	defer srv.Close()
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("socket directory: %v, %v; want mode 0755", fi.Mode(), err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Type() != fs.ModeSocket || fi.Mode().Perm() != 0o770 {
		t.Errorf("socket mode %v, want a socket with 0770", fi.Mode())
	}
	if st := fi.Sys().(*syscall.Stat_t); st.Gid != gid {
		t.Errorf("socket group %d, want %d", st.Gid, gid)
	}
	if srv.Path() != path {
		t.Errorf("Path() = %q", srv.Path())
	}
}

func TestListenReplacesStaleSocket(t *testing.T) {
	path := SocketPath(t.TempDir())
	// A listener that dies without removing its file, as a crashed
	// executive does.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("stale socket file missing: %v", err)
	}

	// Clients see it as no executive.
	if _, err := Dial(ctxLimit(t), path, 1); !errors.Is(err, ErrNoExecutive) {
		t.Errorf("Dial to a stale socket = %v, want ErrNoExecutive", err)
	}
	h := newHarness(t, ServerConfig{Path: path}, echo)
	c := h.dial(1)
	if resp, err := c.Call(ctxLimit(t), 1, []byte("hi")); err != nil || string(resp) != "re:hi" {
		t.Fatalf("Call through the replacing server = %q, %v", resp, err)
	}
}

func TestListenRefusesLiveExecutive(t *testing.T) {
	t.Run("second Listen", func(t *testing.T) {
		h := newHarness(t, ServerConfig{}, echo)
		_, err := Listen(ServerConfig{Path: h.path, AllowedGID: -1})
		if !errors.Is(err, ErrExecutiveRunning) || !strings.Contains(err.Error(), "another executive is running on "+h.path) {
			t.Fatalf("second Listen = %v, want ErrExecutiveRunning naming the path", err)
		}
		// The first server is untouched.
		if resp, err := h.dial(1).Call(ctxLimit(t), 1, []byte("ok")); err != nil || string(resp) != "re:ok" {
			t.Fatalf("Call to the first server = %q, %v", resp, err)
		}
	})
	t.Run("listener without the lock", func(t *testing.T) {
		path := SocketPath(t.TempDir())
		ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		_, err = Listen(ServerConfig{Path: path, AllowedGID: -1})
		if !errors.Is(err, ErrExecutiveRunning) || !strings.Contains(err.Error(), "another executive is running on "+path) {
			t.Fatalf("Listen over a live socket = %v, want ErrExecutiveRunning naming the path", err)
		}
		if _, err := os.Stat(path); err != nil {
			t.Errorf("the live socket file was removed: %v", err)
		}
		// And its lock was released: once the other one is gone, Listen works.
		ln.Close()
		srv, err := Listen(ServerConfig{Path: path, AllowedGID: -1})
		if err != nil {
			t.Fatalf("Listen after the other listener closed: %v", err)
		}
		srv.Close()
	})
}

func TestListenLeavesOtherFilesAlone(t *testing.T) {
	path := SocketPath(t.TempDir())
	if err := os.WriteFile(path, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Listen(ServerConfig{Path: path, AllowedGID: -1})
	if err == nil || !strings.Contains(err.Error(), "exists and is not a socket") {
		t.Fatalf("Listen over a regular file = %v", err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "precious" {
		t.Errorf("the regular file was changed: %q, %v", b, err)
	}
}

func TestListenConfigErrors(t *testing.T) {
	path := SocketPath(t.TempDir())
	for _, tc := range []struct {
		cfg  ServerConfig
		want string
	}{
		{ServerConfig{}, "Path is empty"},
		{ServerConfig{Path: path, MaxBacklog: -1}, "MaxBacklog -1 is negative"},
		{ServerConfig{Path: path, HardBacklog: MaxFrame - 1}, "HardBacklog"},
		{ServerConfig{Path: path, MaxBacklog: 8 << 20, HardBacklog: 4 << 20}, "HardBacklog"},
		{ServerConfig{Path: path, EventQueue: -2}, "EventQueue -2 is negative"},
		{ServerConfig{Path: path, AllowedGID: -7}, "AllowedGID -7"},
	} {
		if _, err := Listen(tc.cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Listen(%+v) = %v, want an error saying %q", tc.cfg, err, tc.want)
		}
	}
}

func TestListenRefusesForeignDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "squatted")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatalf("chown (the tests run as root): %v", err)
	}
	_, err := Listen(ServerConfig{Path: SocketPath(dir), AllowedGID: -1})
	if err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Fatalf("Listen in another user's directory = %v", err)
	}
}

func TestDialNoExecutive(t *testing.T) {
	path := SocketPath(t.TempDir())
	_, err := Dial(ctxLimit(t), path, 1)
	if !errors.Is(err, ErrNoExecutive) || !errors.Is(err, syscall.ENOENT) {
		t.Errorf("Dial to a missing socket = %v, want ErrNoExecutive wrapping ENOENT", err)
	}
	if want := "connect: no executive at " + path + " (is aisexec running?)"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Dial error %q does not say %q", err, want)
	}
}
