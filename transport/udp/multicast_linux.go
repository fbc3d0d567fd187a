package udp

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"
)

// socketOptions runs before bind: SO_REUSEADDR, so that executives in
// several namespaces, or a restarted one, can bind the wildcard port; and
// IP(V6)_MULTICAST_ALL off, so that the socket receives only the groups it
// joined, not every group some other socket on the host joined on this
// port. The second is best effort (IPv6 needs Linux 4.20).
func socketOptions(v4 bool) func(fd uintptr) error {
	return func(fd uintptr) error {
		if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
			return err
		}
		if v4 {
			_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
		} else {
			_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
		}
		return nil
	}
}

// preferSource sets IP_MULTICAST_IF with both the interface and the source
// address: Linux then uses local as the source of every multicast.
func preferSource(c *net.UDPConn, ifi *net.Interface, local netip.Addr) error {
	raw, err := c.SyscallConn()
	if err != nil {
		return err
	}
	mreq := unix.IPMreqn{Address: local.As4(), Ifindex: int32(ifi.Index)}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptIPMreqn(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_IF, &mreq)
	}); err != nil {
		return err
	}
	return serr
}
