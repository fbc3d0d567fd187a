package udp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"

	"goais/transport"
	"goais/transport/internal/udpsock"
)

// Transport is a udp endpoint: one socket bound to the wildcard address on
// the multicast port, joined to the group. It implements
// transport.Transport.
type Transport struct {
	local   netip.Addr
	group   netip.AddrPort
	log     *slog.Logger
	s       *udpsock.Socket
	gdest   *udpsock.Dest // the group, for multicasts
	self    *udpsock.Dest // the loopback address, for this node's copy of each multicast
	ifindex int           // the interface that holds local
	table   atomic.Pointer[udpsock.MemberTable]
	// learned is written only by the Recv goroutine (see learn).
	learned atomic.Pointer[learnedTable]

	unknownLog, learnFullLog udpsock.Limiter
}

var _ transport.Transport = (*Transport)(nil)

// New checks cfg, binds the socket, joins the group and returns a running
// transport. It must run in the network namespace the transport is for.
func New(cfg Config) (*Transport, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	v4 := cfg.Local.Is4()
	tab, err := udpsock.NewMemberTable(cfg.Members, cfg.Group.Port(), v4)
	if err != nil {
		return nil, fmt.Errorf("udp: %w", err)
	}
	gdest, err := udpsock.NewDest(cfg.Group)
	if err != nil {
		return nil, fmt.Errorf("udp: group %v: %w", cfg.Group, err)
	}
	ifi, err := interfaceWithAddr(cfg.Local)
	if err != nil {
		return nil, err
	}
	if ifi.Flags&net.FlagMulticast == 0 {
		return nil, fmt.Errorf("udp: interface %s (which holds %v) has no MULTICAST flag", ifi.Name, cfg.Local)
	}
	loopback := netip.IPv6Loopback()
	if v4 {
		loopback = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	self, err := udpsock.NewDest(netip.AddrPortFrom(loopback, cfg.Group.Port()))
	if err != nil {
		return nil, fmt.Errorf("udp: loopback address: %w", err)
	}
	t := &Transport{local: cfg.Local, group: cfg.Group, log: cfg.Logger, gdest: gdest, self: self, ifindex: ifi.Index}
	t.table.Store(tab)
	t.learned.Store(new(learnedTable))
	network, wildcard := "udp6", netip.IPv6Unspecified()
	if v4 {
		network, wildcard = "udp4", netip.IPv4Unspecified()
	}
	t.s, err = udpsock.Open(udpsock.Config{
		Name:    "udp",
		Network: network,
		Bind:    netip.AddrPortFrom(wildcard, cfg.Group.Port()),
		Batch:   cfg.Batch,
		MTU:     cfg.MTU,
		Log:     cfg.Logger,
		Control: socketOptions(v4),
		Accept:  t.accept,
	})
	if err != nil {
		return nil, err
	}
	if err := joinGroup(t.s.Conn(), ifi, cfg.Local, cfg.Group.Addr(), cfg.TTL); err != nil {
		t.s.Close()
		return nil, err
	}
	return t, nil
}

// Batched reports whether the transport uses recvmmsg/sendmmsg.
func (t *Transport) Batched() bool { return t.s.Batched() }

// Send implements transport.Transport. A datagram to nodeid 0 is one send
// to the group and one to the loopback address at the group port, which the
// wildcard-bound socket receives: corosync delivers its own multicasts
// through a socketpair, because with the network interface down (a cable
// pulled, a link set down) a multicast never comes back, and a node that
// cannot hear itself cannot even form its singleton ring. (The ring address
// itself is no substitute: IPv6 addresses go away with their link.) One to
// a nodeid goes to the member with that nodeid, or
// else to the address learned for it, at the group's port. A nodeid with
// neither is counted in UnknownTargets and dropped.
func (t *Transport) Send(dgs []transport.Datagram) error {
	tab := t.table.Load()
	var learned learnedTable
	var unknown uint64
	for i := range dgs {
		d := &dgs[i]
		if d.To == 0 {
			t.s.Queue(t.gdest, d.Data)
			t.s.Queue(t.self, d.Data)
			continue
		}
		to := tab.Lookup(d.To)
		if to == nil {
			if learned == nil {
				learned = *t.learned.Load()
			}
			to = learned[d.To]
		}
		if to == nil {
			unknown++
			t.logUnknown(d.To)
			continue
		}
		t.s.Queue(to, d.Data)
	}
	t.s.CountUnknownTargets(unknown)
	return t.s.Flush()
}

// Recv implements transport.Transport. Every datagram is accepted (corosync
// udp filters nothing); each is also a chance to learn an address. It may
// exchange the Buf slices of the entries of pkts.
func (t *Transport) Recv(pkts []transport.Packet) (int, error) {
	return t.s.Recv(pkts)
}

func (t *Transport) accept(p *transport.Packet) bool {
	t.learn(p)
	return true
}

func (t *Transport) logUnknown(id transport.NodeID) {
	if !udpsock.DebugEnabled(t.log) {
		return
	}
	if ok, n := t.unknownLog.Allow(); ok {
		t.log.LogAttrs(context.Background(), slog.LevelDebug, "udp: no address known for nodeid; datagram dropped",
			slog.Uint64("nodeid", uint64(id)), slog.Uint64("suppressed", n))
	}
}

// SetMembers implements transport.Transport. Members that cannot be used
// (nodeid 0, another address family, duplicates) are left out and logged
// as a warning. Learned addresses are kept; listed members win over them.
func (t *Transport) SetMembers(members []transport.Member) {
	tab, err := udpsock.NewMemberTable(members, t.group.Port(), t.local.Is4())
	if err != nil {
		t.log.Warn("udp: members left out", "error", err)
	}
	t.table.Store(tab)
}

// Members returns the member list in use (the accepted members).
func (t *Transport) Members() []transport.Member {
	return t.table.Load().Members()
}

// Stats implements transport.Transport. Rejected stays 0: udp drops nothing
// for its source.
func (t *Transport) Stats() transport.Stats { return t.s.Stats() }

// Close implements transport.Transport. It unblocks Recv, which then
// returns transport.ErrClosed, as does every later Send.
func (t *Transport) Close() error { return t.s.Close() }
