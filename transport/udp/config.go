package udp

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

	"goais/transport"
)

// DefaultMTU is corosync's netmtu default for udp and udpu.
const DefaultMTU = 1500

// DefaultTTL is corosync's default multicast TTL: the local link only.
const DefaultTTL = 1

// Config describes one udp (multicast) endpoint.
type Config struct {
	// Local is this node's ring0 address (the executive finds it from
	// bindnetaddr). The group is joined, and multicasts leave, on the
	// interface that holds it.
	Local netip.Addr
	// Group is mcastaddr:mcastport. The socket binds to the wildcard
	// address on this port, and unicasts (tokens) go to members on it too.
	Group netip.AddrPort
	// Members is the nodelist, used to send unicasts by nodeid. It may be
	// empty (openais configurations have no nodelist): the address of a
	// nodeid is then learned from what that node sends. A listed member
	// always wins over a learned address.
	Members []transport.Member
	// TTL is the multicast TTL (IPv6 hop limit); zero means DefaultTTL.
	TTL int
	// Batch moves datagrams with recvmmsg/sendmmsg, up to 1024 per system
	// call, instead of one system call per datagram. It is the faster mode
	// (see the package documentation for the figures) and the one the
	// executive uses; false is the baseline and a fallback. Being a bool,
	// it is off in the zero Config.
	Batch bool
	// MTU is the network MTU (netmtu); zero means DefaultMTU. It sizes the
	// socket buffers and does not limit datagrams.
	MTU int
	// Logger receives learned addresses (info), refused members (warn) and
	// rate-limited debug messages about dropped datagrams. Nil discards
	// them.
	Logger *slog.Logger
}

// check validates c and fills in the defaults.
func (c Config) check() (Config, error) {
	var errs []error
	c.Local = c.Local.Unmap()
	g := c.Group.Addr().Unmap()
	c.Group = netip.AddrPortFrom(g, c.Group.Port())
	switch {
	case !c.Local.IsValid():
		errs = append(errs, errors.New("udp: Local has no address"))
	case c.Local.IsUnspecified() || c.Local.IsMulticast():
		errs = append(errs, fmt.Errorf("udp: Local %v is not a unicast address of this node", c.Local))
	}
	switch {
	case !g.IsValid():
		errs = append(errs, errors.New("udp: Group has no address"))
	case !g.IsMulticast():
		errs = append(errs, fmt.Errorf("udp: Group %v is not a multicast address", g))
	case c.Local.IsValid() && g.Is4() != c.Local.Is4():
		errs = append(errs, fmt.Errorf("udp: Group %v and Local %v are of different address families", g, c.Local))
	}
	if c.Group.Port() == 0 {
		errs = append(errs, fmt.Errorf("udp: Group %v has no port", c.Group))
	}
	switch {
	case c.TTL == 0:
		c.TTL = DefaultTTL
	case c.TTL < 0 || c.TTL > 255:
		errs = append(errs, fmt.Errorf("udp: TTL %d out of range 1..255", c.TTL))
	}
	switch {
	case c.MTU == 0:
		c.MTU = DefaultMTU
	case c.MTU < 0 || c.MTU > 65535:
		errs = append(errs, fmt.Errorf("udp: MTU %d out of range 1..65535", c.MTU))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, errors.Join(errs...)
}
