package udp

import (
	"fmt"
	"net"
	"net/netip"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
)

// interfaceWithAddr finds the interface that holds addr, as corosync finds
// the one that holds the bound ring address.
func interfaceWithAddr(addr netip.Addr) (*net.Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("udp: listing interfaces: %w", err)
	}
	for i := range ifs {
		addrs, err := ifs[i].Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			if ip, ok := netip.AddrFromSlice(ipn.IP); ok && ip.Unmap() == addr.WithZone("") {
				return &ifs[i], nil
			}
		}
	}
	return nil, fmt.Errorf("udp: no interface has address %v", addr)
}

// joinGroup joins the group on ifi and makes multicasts leave through ifi,
// with the TTL given and loopback off: Send hands this node its own copy by
// unicast instead (see Transport.Send), so self-delivery does not depend on
// the interface being up.
func joinGroup(c *net.UDPConn, ifi *net.Interface, local, group netip.Addr, ttl int) error {
	g := &net.UDPAddr{IP: group.AsSlice()}
	wrap := func(what string, err error) error {
		return fmt.Errorf("udp: %s (group %v, interface %s): %w", what, group, ifi.Name, err)
	}
	if group.Is4() {
		p := ipv4.NewPacketConn(c)
		if err := p.JoinGroup(ifi, g); err != nil {
			return wrap("join", err)
		}
		if err := p.SetMulticastInterface(ifi); err != nil {
			return wrap("set multicast interface", err)
		}
		if err := p.SetMulticastTTL(ttl); err != nil {
			return wrap("set TTL", err)
		}
		if err := p.SetMulticastLoopback(false); err != nil {
			return wrap("set multicast loopback", err)
		}
		// The socket is bound to the wildcard address; make multicasts
		// carry this node's ring address, as corosync's do, even when it
		// is not the interface's primary address.
		if err := preferSource(c, ifi, local); err != nil {
			return wrap("set multicast source", err)
		}
		return nil
	}
	p := ipv6.NewPacketConn(c)
	if err := p.JoinGroup(ifi, g); err != nil {
		return wrap("join", err)
	}
	if err := p.SetMulticastInterface(ifi); err != nil {
		return wrap("set multicast interface", err)
	}
	if err := p.SetMulticastHopLimit(ttl); err != nil {
		return wrap("set hop limit", err)
	}
	if err := p.SetMulticastLoopback(false); err != nil {
		return wrap("set multicast loopback", err)
	}
	return nil
}
