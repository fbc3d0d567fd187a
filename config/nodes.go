package config

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// Resolver returns the addresses of a host name.
type Resolver func(host string) ([]netip.Addr, error)

// systemResolver asks the operating system's resolver.
func systemResolver(host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(context.Background(), "ip", host)
}

// Local is this host's place in the configuration.
type Local struct {
	NodeID uint32
	Index  int        // position in Config.Nodes, or -1 without a nodelist
	Ring0  netip.Addr // this node's ring 0 address
	Ring1  netip.Addr // ring 1 address, invalid if there is no second ring
	Name   string     // nodelist name, if any
}

// Member is one node of the nodelist with its addresses resolved and its
// node id known.
type Member struct {
	NodeID uint32
	Ring0  netip.Addr
	Ring1  netip.Addr // invalid if the node has no ring1_addr
	Name   string
	Votes  int // quorum_votes; 0 = unset (one vote)
	Line   int // line of the node block
}

// deriveNodeID makes a node id from an IPv4 address, as corosync does when
// the nodeid is not given: the address as a big-endian u32, optionally with
// the top bit cleared so it reads as a positive signed number.
func deriveNodeID(a netip.Addr, clearHighBit bool) (uint32, error) {
	a = a.Unmap()
	if !a.Is4() {
		return 0, fmt.Errorf("%s is IPv6, so the nodeid must be given", a)
	}
	b := a.As4()
	id := binary.BigEndian.Uint32(b[:])
	if clearHighBit {
		id &^= 1 << 31
	}
	if id == 0 {
		return 0, fmt.Errorf("%s gives nodeid 0, which is reserved", a)
	}
	return id, nil
}

// resolver picks the resolver: r, else c.Resolver, else the system's.
func (c *Config) resolver(r Resolver) Resolver {
	switch {
	case r != nil:
		return r
	case c.Resolver != nil:
		return c.Resolver
	}
	return systemResolver
}

// resolve turns a ring address into an IP, following ip_version's family
// preference for host names.
func (c *Config) resolve(r Resolver, host string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a.WithZone(""), nil
	}
	addrs, err := r(host)
	if err != nil {
		return netip.Addr{}, err
	}
	var want []bool // Is4 values to try, in order
	switch c.Totem.IPVersion {
	case "ipv4":
		want = []bool{true}
	case "ipv6":
		want = []bool{false}
	case "ipv4-6":
		want = []bool{true, false}
	default: // ipv6-4, udpu's default
		want = []bool{false, true}
	}
	for _, is4 := range want {
		for _, a := range addrs {
			if a = a.Unmap().WithZone(""); a.Is4() == is4 {
				return a, nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("%s has no address allowed by ip_version %s (got %v)", host, c.Totem.IPVersion, addrs)
}

// nodeErr reports a problem with a nodelist entry's option.
func (c *Config) nodeErr(n *Node, key, reason string) *Error {
	s, ok := n.set["nodelist.node."+key]
	if !ok {
		// Not given (a missing nodeid): point at the address it depends on.
		return &Error{File: c.Source, Line: n.set["nodelist.node.ring0_addr"].line, Option: "nodelist.node." + key, Reason: reason}
	}
	return &Error{File: c.Source, Line: s.line, Option: s.name, Value: s.value, Reason: reason}
}

// Members returns every nodelist entry with its addresses resolved and its
// nodeid, derived from the ring 0 IPv4 address when not given. It fails on
// a name that does not resolve, on an IPv6 node without nodeid, and on
// duplicate node ids. Without a nodelist it returns nil. A nil resolve
// uses c.Resolver, or else the system resolver.
func (c *Config) Members(resolve Resolver) ([]Member, error) {
	r := c.resolver(resolve)
	var members []Member
	seen := map[uint32]int{}
	for i := range c.Nodes {
		n := &c.Nodes[i]
		m := Member{NodeID: n.NodeID, Name: n.Name, Votes: n.QuorumVotes, Line: n.Line}
		var err error
		if m.Ring0, err = c.resolve(r, n.Ring0Addr); err != nil {
			return nil, c.nodeErr(n, "ring0_addr", "cannot resolve: "+err.Error())
		}
		if n.Ring1Addr != "" {
			if m.Ring1, err = c.resolve(r, n.Ring1Addr); err != nil {
				return nil, c.nodeErr(n, "ring1_addr", "cannot resolve: "+err.Error())
			}
		}
		if m.NodeID == 0 {
			if m.NodeID, err = deriveNodeID(m.Ring0, c.Totem.ClearNodeHighBit); err != nil {
				return nil, c.nodeErr(n, "nodeid", err.Error())
			}
		}
		if prev, dup := seen[m.NodeID]; dup {
			return nil, c.nodeErr(n, "nodeid", fmt.Sprintf("nodeid %d (0x%08X) is also the node at line %d", m.NodeID, m.NodeID, prev))
		}
		seen[m.NodeID] = n.Line
		members = append(members, m)
	}
	return members, nil
}

// Local finds this node given the host's interface addresses.
//
// With a nodelist it is the first entry whose ring0_addr (resolved with
// c.Resolver, or the system resolver) is one of the addresses; its nodeid
// is the entry's, else totem.nodeid, else derived from the address. When
// totem.nodeid names an entry whose address is local, that entry wins:
// this is how several executives on one host (127.0.0.1, 127.0.0.2, …,
// all local) each find their own entry. Every address of a loopback
// network counts as local. Without
// a nodelist, interface 0's bindnetaddr picks the local address: for IPv4
// the one in the same network under that address's prefix length, for IPv6
// the exact address; the nodeid is totem.nodeid or derived.
func (c *Config) Local(addrs []netip.Prefix) (Local, error) {
	if len(c.Nodes) > 0 {
		return c.localFromNodelist(addrs)
	}
	return c.localFromInterfaces(addrs)
}

func (c *Config) localFromNodelist(addrs []netip.Prefix) (Local, error) {
	if want := c.Totem.NodeID; want != 0 {
		for i := range c.Nodes {
			if c.Nodes[i].NodeID != want {
				continue
			}
			n := &c.Nodes[i]
			a, err := c.resolve(c.resolver(nil), n.Ring0Addr)
			if err == nil && hasAddr(addrs, a) {
				return c.localEntry(i, a)
			}
		}
	}
	r := c.resolver(nil)
	var tried []string
	for i := range c.Nodes {
		n := &c.Nodes[i]
		a, err := c.resolve(r, n.Ring0Addr)
		if err != nil {
			// Another node's name failing to resolve must not stop this
			// one from finding itself; say so if nothing matches.
			tried = append(tried, fmt.Sprintf("%s (%v)", n.Ring0Addr, err))
			continue
		}
		if a.String() == n.Ring0Addr {
			tried = append(tried, n.Ring0Addr)
		} else {
			tried = append(tried, fmt.Sprintf("%s → %s", n.Ring0Addr, a))
		}
		if !hasAddr(addrs, a) {
			continue
		}
		return c.localEntry(i, a)
	}
	return Local{}, &Error{
		File:   c.Source,
		Line:   c.NodelistLine,
		Option: "nodelist.node.ring0_addr",
		Reason: fmt.Sprintf("no nodelist entry matches a local address (ring0_addr %s; local addresses %s)",
			strings.Join(tried, ", "), prefixList(addrs)),
	}
}

func (c *Config) localFromInterfaces(addrs []netip.Prefix) (Local, error) {
	t := &c.Totem
	if len(t.Interfaces) == 0 || !t.Interfaces[0].BindNetAddr.IsValid() {
		return Local{}, &Error{File: c.Source, Line: t.Line, Option: "totem.interface.bindnetaddr",
			Reason: "missing: needed to find this node when there is no nodelist"}
	}
	l := Local{Index: -1, NodeID: t.NodeID}
	for i, in := range t.Interfaces {
		a, ok := matchBindNetAddr(addrs, in.BindNetAddr)
		if !ok {
			s := in.set["totem.interface.bindnetaddr"]
			return Local{}, &Error{File: c.Source, Line: s.line, Option: s.name, Value: s.value,
				Reason: "no local address is in this network (local addresses " + prefixList(addrs) + ")"}
		}
		if i == 0 {
			l.Ring0 = a
		} else {
			l.Ring1 = a
		}
	}
	if l.NodeID == 0 {
		var err error
		if l.NodeID, err = deriveNodeID(l.Ring0, t.ClearNodeHighBit); err != nil {
			s := t.Interfaces[0].set["totem.interface.bindnetaddr"]
			return Local{}, &Error{File: c.Source, Line: s.line, Option: "totem.nodeid", Reason: err.Error()}
		}
	}
	return l, nil
}

// matchBindNetAddr finds the local address that bindnetaddr designates:
// for IPv4 one in the same network under the local prefix length (so
// 192.168.5.0 finds 192.168.5.92/24), for IPv6 the very address.
func matchBindNetAddr(addrs []netip.Prefix, bind netip.Addr) (netip.Addr, bool) {
	bind = bind.Unmap().WithZone("")
	for _, p := range addrs {
		a, bits := p.Addr().WithZone(""), p.Bits()
		if a.Is4In6() {
			a, bits = a.Unmap(), bits-96
		}
		switch {
		case a.Is4() != bind.Is4():
		case bind.Is6() || bits < 0:
			if a == bind {
				return a, true
			}
		case netip.PrefixFrom(bind, bits).Masked() == netip.PrefixFrom(a, bits).Masked():
			return a, true
		}
	}
	return netip.Addr{}, false
}

// localEntry builds Local from nodelist entry i whose ring 0 address is a.
func (c *Config) localEntry(i int, a netip.Addr) (Local, error) {
	n := &c.Nodes[i]
	l := Local{NodeID: n.NodeID, Index: i, Ring0: a, Name: n.Name}
	if l.NodeID == 0 {
		l.NodeID = c.Totem.NodeID
	}
	var err error
	if l.NodeID == 0 {
		if l.NodeID, err = deriveNodeID(a, c.Totem.ClearNodeHighBit); err != nil {
			return Local{}, c.nodeErr(n, "nodeid", err.Error())
		}
	}
	if n.Ring1Addr != "" {
		if l.Ring1, err = c.resolve(c.resolver(nil), n.Ring1Addr); err != nil {
			return Local{}, c.nodeErr(n, "ring1_addr", "cannot resolve: "+err.Error())
		}
	}
	return l, nil
}

// hasAddr reports whether a is one of the local addresses, or inside a
// local loopback network (Linux answers on all of 127.0.0.0/8).
func hasAddr(addrs []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	for _, p := range addrs {
		pa := p.Addr().Unmap().WithZone("")
		if pa == a {
			return true
		}
		if pa.IsLoopback() && a.IsLoopback() && pa.Is4() && a.Is4() && netip.PrefixFrom(pa, p.Bits()).Masked().Contains(a) {
			return true
		}
	}
	return false
}

func prefixList(addrs []netip.Prefix) string {
	if len(addrs) == 0 {
		return "none"
	}
	s := make([]string, len(addrs))
	for i, p := range addrs {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
