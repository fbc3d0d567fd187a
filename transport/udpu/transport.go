package udpu

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"

	"goais/transport"
	"goais/transport/internal/udpsock"
)

// Transport is a udpu endpoint: one UDP socket bound to the ring address,
// "multicast" by one send per member. It implements transport.Transport.
type Transport struct {
	local netip.AddrPort // the bound address
	port  uint16         // every member's port
	block bool
	log   *slog.Logger
	s     *udpsock.Socket
	table atomic.Pointer[udpsock.MemberTable]

	unknownLog, rejectLog udpsock.Limiter
}

var _ transport.Transport = (*Transport)(nil)

// New checks cfg, binds the socket and returns a running transport.
func New(cfg Config) (*Transport, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	tab, err := udpsock.NewMemberTable(cfg.Members, cfg.Port, cfg.Local.Addr().Is4())
	if err != nil {
		return nil, fmt.Errorf("udpu: %w", err)
	}
	if !tab.Has(cfg.Local.Addr().WithZone("")) {
		return nil, fmt.Errorf("udpu: local address %v is not in the member list", cfg.Local.Addr())
	}
	t := &Transport{port: cfg.Port, block: cfg.BlockUnlistedIPs, log: cfg.Logger}
	t.table.Store(tab)
	network := "udp6"
	if cfg.Local.Addr().Is4() {
		network = "udp4"
	}
	t.s, err = udpsock.Open(udpsock.Config{
		Name:    "udpu",
		Network: network,
		Bind:    cfg.Local,
		Batch:   cfg.Batch,
		MTU:     cfg.MTU,
		Log:     cfg.Logger,
		Accept:  t.accept,
	})
	if err != nil {
		return nil, err
	}
	t.local = t.s.LocalAddr()
	return t, nil
}

// LocalAddr returns the address the socket is bound to.
func (t *Transport) LocalAddr() netip.AddrPort { return t.local }

// Batched reports whether the transport uses recvmmsg/sendmmsg.
func (t *Transport) Batched() bool { return t.s.Batched() }

// Send implements transport.Transport. A datagram to nodeid 0 goes to every
// member, this node included, in member order; one to a nodeid that is not
// a member is counted in UnknownTargets and dropped.
func (t *Transport) Send(dgs []transport.Datagram) error {
	tab := t.table.Load()
	var unknown uint64
	for i := range dgs {
		d := &dgs[i]
		if d.To == 0 {
			for j := range tab.Len() {
				t.s.Queue(tab.Dest(j), d.Data)
			}
			continue
		}
		to := tab.Lookup(d.To)
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

// Recv implements transport.Transport. It may exchange the Buf slices of
// the entries of pkts.
func (t *Transport) Recv(pkts []transport.Packet) (int, error) {
	return t.s.Recv(pkts)
}

// accept drops datagrams from unlisted sources when BlockUnlistedIPs is set.
// The port is not checked: corosync sends from ephemeral ports.
func (t *Transport) accept(p *transport.Packet) bool {
	if !t.block || t.table.Load().Has(p.From.Addr()) {
		return true
	}
	t.s.CountRejected()
	if udpsock.DebugEnabled(t.log) {
		if ok, n := t.rejectLog.Allow(); ok {
			t.log.LogAttrs(context.Background(), slog.LevelDebug, "Packet rejected from IP",
				slog.String("from", p.From.Addr().String()), slog.Uint64("suppressed", n))
		}
	}
	return false
}

func (t *Transport) logUnknown(id transport.NodeID) {
	if !udpsock.DebugEnabled(t.log) {
		return
	}
	if ok, n := t.unknownLog.Allow(); ok {
		t.log.LogAttrs(context.Background(), slog.LevelDebug, "no member with this nodeid; datagram dropped",
			slog.Uint64("nodeid", uint64(id)), slog.Uint64("suppressed", n))
	}
}

// SetMembers implements transport.Transport. Members that cannot be used
// (see Config.Members) are left out and logged as a warning; a list
// without this node's address is used as given, but logged, because this
// node would no longer receive its own multicasts.
func (t *Transport) SetMembers(members []transport.Member) {
	tab, err := udpsock.NewMemberTable(members, t.port, t.local.Addr().Is4())
	if err != nil {
		t.log.Warn("udpu: members left out", "error", err)
	}
	if !tab.Has(t.local.Addr()) {
		t.log.Warn("udpu: local address is not in the new member list", "local", t.local.Addr().String())
	}
	t.table.Store(tab)
}

// Members returns the member list in use (the accepted members).
func (t *Transport) Members() []transport.Member {
	return t.table.Load().Members()
}

// Stats implements transport.Transport.
func (t *Transport) Stats() transport.Stats { return t.s.Stats() }

// Close implements transport.Transport. It unblocks Recv, which then
// returns transport.ErrClosed, as does every later Send.
func (t *Transport) Close() error { return t.s.Close() }
