package ipc

import (
	"fmt"
	"net"
	"syscall"
)

// Cred is a peer's identity as the kernel reported it when it connected.
type Cred struct {
	PID int
	UID int
	GID int
}

// peerCred reads SO_PEERCRED from a connected Unix socket.
func peerCred(c *net.UnixConn) (Cred, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return Cred{}, err
	}
	var uc *syscall.Ucred
	var serr error
	if err := rc.Control(func(fd uintptr) {
		uc, serr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		return Cred{}, err
	}
	if serr != nil {
		return Cred{}, fmt.Errorf("ipc: SO_PEERCRED: %w", serr)
	}
	return Cred{PID: int(uc.Pid), UID: int(uc.Uid), GID: int(uc.Gid)}, nil
}

// allowed applies the access rule: root, the daemon's own user, or the
// configured group.
func (s *Server) allowed(c Cred) bool {
	return c.UID == 0 || c.UID == s.euid || (s.cfg.AllowedGID >= 0 && c.GID == s.cfg.AllowedGID)
}
