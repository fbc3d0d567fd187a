package config

import (
	"fmt"
	"net/netip"
)

// McastGroup returns where udp sends "multicast" traffic for ring 0:
// interface 0's mcastaddr and mcastport; 255.255.255.255 with broadcast;
// without mcastaddr, an address derived from cluster_name exactly as
// corosync's get_cluster_mcast_addr does.
func (c *Config) McastGroup() (netip.AddrPort, error) {
	var in Interface
	if len(c.Totem.Interfaces) > 0 {
		in = c.Totem.Interfaces[0]
	}
	port := c.Port()
	switch {
	case in.Broadcast:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), port), nil
	case in.McastAddr.IsValid():
		return netip.AddrPortFrom(in.McastAddr, port), nil
	case c.Totem.ClusterName == "":
		return netip.AddrPort{}, &Error{File: c.Source, Line: c.Totem.Line, Option: "totem.interface.mcastaddr",
			Reason: "missing: no mcastaddr and no cluster_name to derive one from"}
	}
	a := clusterMcastAddr(c.Totem.ClusterName, in.RingNumber, c.Totem.IPVersion)
	return netip.AddrPortFrom(a, port), nil
}

// Port returns the UDP port of ring 0: interface 0's mcastport, or 5405.
// udpu binds ring0_addr to it; udp uses it for the group and for tokens.
func (c *Config) Port() uint16 {
	if len(c.Totem.Interfaces) > 0 {
		return c.Totem.Interfaces[0].McastPort
	}
	return defaultMcastPort
}

// clusterID is corosync's generate_cluster_id: shift left and add each
// byte, as a C char (signed on the platforms corosync runs on), keeping the
// low 16 bits.
func clusterID(name string) uint16 {
	var v int32
	for i := 0; i < len(name); i++ {
		v = v<<1 + int32(int8(name[i]))
	}
	return uint16(v)
}

// clusterMcastAddr derives the multicast address of a link from the
// cluster name. The IPv4 form's last byte is id % 0xFF, not id & 0xFF, as
// in corosync; matching it is what lets a goais node find a corosync ring.
func clusterMcastAddr(name string, link int, ipVersion string) netip.Addr {
	id := clusterID(name) + uint16(link)
	if ipVersion == "ipv6" || ipVersion == "ipv6-4" {
		return netip.MustParseAddr(fmt.Sprintf("ff15::%x", id))
	}
	return netip.AddrFrom4([4]byte{239, 192, byte(id >> 8), byte(id % 0xFF)})
}
