//go:build !linux

package udp

import (
	"net"
	"net/netip"
	"syscall"
)

// socketOptions runs before bind: SO_REUSEADDR, so that a restarted
// executive can bind the wildcard port at once.
func socketOptions(bool) func(fd uintptr) error {
	return func(fd uintptr) error {
		return syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	}
}

// preferSource: only Linux takes a source address with IP_MULTICAST_IF; the
// interface's own address is used elsewhere.
func preferSource(*net.UDPConn, *net.Interface, netip.Addr) error { return nil }
