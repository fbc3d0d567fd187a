package udpsock

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// Dest is one destination, prepared once for both send paths. It is
// immutable.
type Dest struct {
	addr netip.AddrPort
	sa   rawSockaddr
}

// NewDest prepares a destination. It fails only for an IPv6 zone that names
// no interface.
func NewDest(ap netip.AddrPort) (*Dest, error) {
	sa, err := encodeSockaddr(ap)
	if err != nil {
		return nil, err
	}
	return &Dest{addr: ap, sa: sa}, nil
}

// Addr returns the destination's address, with its IPv6 zone if it has one.
func (d *Dest) Addr() netip.AddrPort { return d.addr }

// scopeID turns an IPv6 zone ("eth0" or "2") into an interface index.
func scopeID(zone string) (uint32, error) {
	if zone == "" {
		return 0, nil
	}
	if n, err := strconv.ParseUint(zone, 10, 32); err == nil {
		return uint32(n), nil
	}
	ifi, err := net.InterfaceByName(zone)
	if err != nil {
		return 0, fmt.Errorf("zone %q: %w", zone, err)
	}
	return uint32(ifi.Index), nil
}

// unzoned drops the IPv6 zone and unmaps an IPv4-mapped address, so that
// both receive paths report sources the same way and they compare equal to
// member addresses.
func unzoned(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().WithZone("").Unmap(), ap.Port())
}
