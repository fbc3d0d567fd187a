package udp

import (
	"context"
	"log/slog"
	"maps"
	"net/netip"
	"strconv"

	"goais/totem/wire"
	"goais/transport"
	"goais/transport/internal/udpsock"
)

// maxLearned bounds the learned addresses: a ring has at most 384
// processors, and forged headers must not grow the table without end.
const maxLearned = 4 * wire.ProcessorsMax

// learnedTable maps nodeids to addresses seen on the wire. Like the member
// table it is immutable once published: Recv, the only writer, publishes a
// changed copy, and Send reads whichever copy is current. A copy is made
// only when an address is new or changes, never in the steady state.
type learnedTable map[transport.NodeID]*udpsock.Dest

// learn records the source address of a datagram under the nodeid in its
// Totem header, unless the member list names that nodeid. MCAST datagrams
// are skipped: a retransmission carries the originator's nodeid but comes
// from whichever node retransmits it. Every other type carries its actual
// sender (a LEAVE carries 0 and is skipped too).
func (t *Transport) learn(p *transport.Packet) {
	b := p.Data()
	// Cheap checks first, so that junk on the port costs no error value.
	if len(b) < wire.HeaderSize || b[2] != wire.Version || wire.MessageType(b[3]) == wire.TypeMcast {
		return
	}
	h, _, err := wire.PeekHeader(b)
	if err != nil || h.NodeID == 0 {
		return
	}
	id := transport.NodeID(h.NodeID)
	if t.table.Load().Lookup(id) != nil {
		return // listed members win
	}
	cur := *t.learned.Load()
	src := p.From.Addr()
	old := cur[id]
	if old != nil && old.Addr().Addr().WithZone("") == src {
		return
	}
	if old == nil && len(cur) >= maxLearned {
		t.logLearnFull(id)
		return
	}
	if src.Is6() && src.IsLinkLocalUnicast() {
		// From carries no zone; a link-local peer is on our interface.
		src = src.WithZone(strconv.Itoa(t.ifindex))
	}
	d, err := udpsock.NewDest(netip.AddrPortFrom(src, t.group.Port()))
	if err != nil {
		return
	}
	next := maps.Clone(cur)
	if next == nil {
		next = make(learnedTable, 1)
	}
	next[id] = d
	t.learned.Store(&next)
	t.log.Info("udp: learned node address", "nodeid", id, "addr", src.String())
}

func (t *Transport) logLearnFull(id transport.NodeID) {
	if !udpsock.DebugEnabled(t.log) {
		return
	}
	if ok, n := t.learnFullLog.Allow(); ok {
		t.log.LogAttrs(context.Background(), slog.LevelDebug, "udp: too many learned addresses; not learning",
			slog.Uint64("nodeid", uint64(id)), slog.Int("max", maxLearned), slog.Uint64("suppressed", n))
	}
}

// Learned returns the learned addresses (those of nodeids not in the member
// list), for diagnostics.
func (t *Transport) Learned() []transport.Member {
	cur := *t.learned.Load()
	out := make([]transport.Member, 0, len(cur))
	for id, d := range cur {
		out = append(out, transport.Member{NodeID: id, Addr: d.Addr().Addr()})
	}
	return out
}
