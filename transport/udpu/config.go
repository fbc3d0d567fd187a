package udpu

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"

	"goais/transport"
)

// DefaultMTU is corosync's netmtu default for udp and udpu.
const DefaultMTU = 1500

// Config describes one udpu endpoint.
type Config struct {
	// Local is ring0_addr:mcastport, the address the socket binds to and
	// that the other nodes know this node by. It must be a specific
	// address, not the wildcard. A zero port means Port.
	Local netip.AddrPort
	// Members is the nodelist: every node, this one included. The local
	// address must be among them.
	Members []transport.Member
	// Port is the mcastport every member listens on. Zero means the port
	// of Local.
	Port uint16
	// BlockUnlistedIPs drops datagrams whose source address is not a
	// member's (corosync's block_unlisted_ips, which defaults to yes there;
	// the config layer sets it).
	BlockUnlistedIPs bool
	// MTU is the network MTU (netmtu); zero means DefaultMTU. It sizes the
	// socket buffers. It does not limit datagrams: Totem frames grow past
	// it (recovery copies, joins and commit tokens of large rings) and the
	// kernel fragments them, as it does for corosync.
	MTU int
	// Batch moves datagrams with recvmmsg/sendmmsg, up to 1024 per system
	// call, instead of one system call per datagram. It is the faster mode
	// (see the package documentation for the figures) and the one the
	// executive uses; false is the baseline and a fallback. Being a bool,
	// it is off in the zero Config.
	Batch bool
	// Logger receives debug messages about dropped datagrams (rate-limited)
	// and warnings about refused members. Nil discards them.
	Logger *slog.Logger
}

// check validates c and fills in the defaults.
func (c Config) check() (Config, error) {
	var errs []error
	if c.Port == 0 {
		c.Port = c.Local.Port()
	}
	if c.Local.Port() == 0 {
		c.Local = netip.AddrPortFrom(c.Local.Addr(), c.Port)
	}
	a := c.Local.Addr()
	switch {
	case !a.IsValid():
		errs = append(errs, errors.New("udpu: Local has no address"))
	case a.IsUnspecified():
		errs = append(errs, fmt.Errorf("udpu: Local %v is the wildcard address; udpu needs this node's ring address", c.Local))
	case a.IsMulticast():
		errs = append(errs, fmt.Errorf("udpu: Local %v is a multicast address", c.Local))
	}
	if c.Port == 0 {
		errs = append(errs, errors.New("udpu: no port: set Port or the port of Local"))
	}
	switch {
	case c.MTU == 0:
		c.MTU = DefaultMTU
	case c.MTU < 0 || c.MTU > 65535:
		errs = append(errs, fmt.Errorf("udpu: MTU %d out of range 1..65535", c.MTU))
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Local = netip.AddrPortFrom(a.Unmap(), c.Local.Port())
	return c, errors.Join(errs...)
}
