package main

import (
	"fmt"
	"log/slog"
	"net/netip"

	"goais/config"
	"goais/totem"
	"goais/transport"
	"goais/transport/rrp"
	"goais/transport/udp"
	"goais/transport/udpu"
)

// ringPort is the UDP port of ring n: its interface's mcastport, else ring
// 0's. udpu binds each ring's own address, so the rings may share a port;
// udp binds the wildcard address, so its ring 1 defaults to ring 0's port
// + 2 (each udp ring uses its port and the one below, as corosync's).
func ringPort(c *config.Config, n int) uint16 {
	if in, ok := c.Interface(n); ok && in.McastPort != 0 {
		return in.McastPort
	}
	port := uint16(defaultPort)
	if in, ok := c.Interface(0); ok && in.McastPort != 0 {
		port = in.McastPort
	}
	if n == 1 && c.Totem.Transport == "udp" {
		port += 2
	}
	return port
}

// openRing opens the transport of ring n (0 or 1).
func openRing(c *config.Config, n int, local config.Local, members []config.Member, log *slog.Logger) (transport.Transport, error) {
	addr := local.Ring0
	if n == 1 {
		addr = local.Ring1
	}
	if !addr.IsValid() {
		return nil, fmt.Errorf("no local address for ring %d (ring%d_addr, or an interface { ringnumber: %d bindnetaddr: … })", n, n, n)
	}
	port := ringPort(c, n)
	var tmembers []transport.Member
	for _, m := range members {
		a := m.Ring0
		if n == 1 {
			a = m.Ring1
		}
		if a.IsValid() {
			tmembers = append(tmembers, transport.Member{NodeID: m.NodeID, Addr: a})
		}
	}
	switch c.Totem.Transport {
	case "udpu":
		return udpu.New(udpu.Config{
			Local:            netip.AddrPortFrom(addr, port),
			Members:          tmembers,
			Port:             port,
			BlockUnlistedIPs: c.Totem.BlockUnlistedIPs,
			MTU:              c.Totem.NetMTU,
			Batch:            true,
			Logger:           log,
		})
	case "udp":
		group, err := ringGroup(c, n)
		if err != nil {
			return nil, err
		}
		ttl := 1
		if in, ok := c.Interface(n); ok {
			ttl = in.TTL
		}
		return udp.New(udp.Config{
			Local:   addr,
			Group:   group,
			Members: tmembers,
			TTL:     ttl,
			MTU:     c.Totem.NetMTU,
			Batch:   true,
			Logger:  log,
		})
	}
	return nil, fmt.Errorf("transport %q is not supported; use udpu or udp", c.Totem.Transport)
}

// ringGroup is where udp multicasts on ring n.
func ringGroup(c *config.Config, n int) (netip.AddrPort, error) {
	if n == 0 {
		return c.McastGroup()
	}
	in, ok := c.Interface(1)
	if !ok || !in.McastAddr.IsValid() && !in.Broadcast {
		return netip.AddrPort{}, fmt.Errorf("ring 1 over udp needs an interface { ringnumber: 1 mcastaddr: … } block")
	}
	if in.Broadcast {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), ringPort(c, 1)), nil
	}
	return netip.AddrPortFrom(in.McastAddr, ringPort(c, 1)), nil
}

// rrpConfig is the redundant ring monitor's configuration: the rrp_*
// options, with the monitor's defaults for the ones the file leaves out.
// rrp_token_expired_timeout defaults to the man page's rule, (token - 50
// ms) / threshold, not to token_retransmit as openais's code did: with
// 238 ms per held token a rotation over a broken ring can outlast the
// token timeout and cost the membership.
func rrpConfig(c *config.Config, tcfg totem.Config, local config.Local, log *slog.Logger) (rrp.Config, error) {
	t := &c.Totem
	mode, err := rrp.ParseMode(t.RRPMode)
	if err != nil {
		return rrp.Config{}, err
	}
	rc := rrp.Config{
		Mode:                       mode,
		Addrs:                      []string{local.Ring0.String(), local.Ring1.String()},
		ProblemCountTimeout:        t.RRPProblemCountTimeout,
		ProblemCountThreshold:      t.RRPProblemCountThreshold,
		ProblemCountMcastThreshold: t.RRPProblemCountMcastThreshold,
		TokenExpiredTimeout:        t.RRPTokenExpiredTimeout,
		Logger:                     log,
	}
	if rc.TokenExpiredTimeout == 0 {
		rc.TokenExpiredTimeout = rrp.DefaultTokenExpiredTimeout(tcfg.WithDefaults().Token, rc.ProblemCountThreshold)
	}
	return rc, rc.Validate()
}
