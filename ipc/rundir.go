package ipc

import (
	"os"
	"path/filepath"
	"strconv"
)

// SocketName is the executive's socket file name within the run directory.
const SocketName = "aisexec.sock"

// DefaultRunDir returns the directory holding the executive's socket:
// $AIS_RUN_DIR if set; /run/goais for root; $XDG_RUNTIME_DIR/goais if
// XDG_RUNTIME_DIR is set; /tmp/goais-<uid> otherwise. The daemon and its
// clients call the same function, so an unprivileged user's daemon and
// libraries meet without configuration.
func DefaultRunDir() string { return defaultRunDir(os.Getenv, os.Geteuid()) }

func defaultRunDir(getenv func(string) string, uid int) string {
	if d := getenv("AIS_RUN_DIR"); d != "" {
		return d
	}
	if uid == 0 {
		return "/run/goais"
	}
	if d := getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "goais")
	}
	return "/tmp/goais-" + strconv.Itoa(uid)
}

// SocketPath returns the executive's socket path in runDir.
func SocketPath(runDir string) string { return filepath.Join(runDir, SocketName) }
