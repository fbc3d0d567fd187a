package udp

import (
	"log/slog"
	"net/netip"
	"testing"

	"goais/totem/wire"
	"goais/transport"
	"goais/transport/internal/udpsock"
)

// newLearner is a Transport with no socket: enough to drive learn.
func newLearner(t testing.TB) *Transport {
	tr := &Transport{group: netip.MustParseAddrPort("239.192.6.106:5405"), log: slog.New(slog.DiscardHandler)}
	tab, err := udpsock.NewMemberTable([]transport.Member{{NodeID: 1, Addr: netip.MustParseAddr("10.0.0.1")}}, 5405, true)
	if err != nil {
		t.Fatal(err)
	}
	tr.table.Store(tab)
	tr.learned.Store(new(learnedTable))
	return tr
}

func packet(b []byte, from string) *transport.Packet {
	return &transport.Packet{Buf: b, N: len(b), From: netip.MustParseAddrPort(from)}
}

func TestLearnTakesSenderOfEveryTypeButMcast(t *testing.T) {
	tr := newLearner(t)
	token := wire.AppendToken(nil, &wire.Token{Header: wire.Header{NodeID: 2}})
	leave := wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: 0}, SystemFrom: 3})
	mc := wire.AppendMcast(nil, &wire.Mcast{Header: wire.Header{NodeID: 4, Encapsulated: wire.NotEncapsulated}})
	static := wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: 1}})
	junk := append([]byte{0x70, 0xc0, 3, 9}, make([]byte, 20)...)
	for _, p := range []*transport.Packet{
		packet(token, "10.0.0.2:5404"),
		packet(leave, "10.0.0.3:5405"),
		packet(mc, "10.0.0.5:5405"),
		packet(static, "10.0.0.9:5405"),
		packet(junk, "10.0.0.6:5405"),
		packet(token[:5], "10.0.0.7:5405"),
	} {
		tr.learn(p)
	}
	got := *tr.learned.Load()
	if len(got) != 1 || got[2] == nil || got[2].Addr() != netip.MustParseAddrPort("10.0.0.2:5405") {
		t.Fatalf("learned %v, want only node 2 at 10.0.0.2 on the group port", tr.Learned())
	}
	// Learning the same address again publishes nothing new.
	before := tr.learned.Load()
	tr.learn(packet(token, "10.0.0.2:6000"))
	if tr.learned.Load() != before {
		t.Fatal("an unchanged address made a new table")
	}
	tr.learn(packet(token, "10.0.0.8:5405"))
	if d := (*tr.learned.Load())[2]; d.Addr().Addr() != netip.MustParseAddr("10.0.0.8") {
		t.Fatalf("node 2 at %v after it moved to 10.0.0.8", d.Addr())
	}
}

func TestLearnIsBounded(t *testing.T) {
	tr := newLearner(t)
	for id := range wire.NodeID(maxLearned + 10) {
		b := wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: id + 2}})
		tr.learn(packet(b, "10.0.0.2:5405"))
	}
	if n := len(*tr.learned.Load()); n != maxLearned {
		t.Fatalf("%d learned, want the cap %d", n, maxLearned)
	}
}

func TestLearnLinkLocalGetsZone(t *testing.T) {
	tr := newLearner(t)
	tr.group = netip.MustParseAddrPort("[ff15::6a]:5405")
	tr.ifindex = 1 // lo exists everywhere
	b := wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: 5}})
	tr.learn(packet(b, "[fe80::1]:5405"))
	d := (*tr.learned.Load())[5]
	if d == nil || d.Addr().Addr().Zone() != "1" {
		t.Fatalf("learned %v, want fe80::1 with zone 1", d)
	}
}

// FuzzLearn feeds arbitrary datagrams from arbitrary sources: learn never
// panics, never learns nodeid 0 or a listed nodeid, and what it learns from
// a valid non-MCAST header is exactly the source.
func FuzzLearn(f *testing.F) {
	f.Add(wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: 2}}), byte(2))
	f.Add(wire.AppendToken(nil, &wire.Token{Header: wire.Header{NodeID: 3}}), byte(3))
	f.Add(wire.AppendMcast(nil, &wire.Mcast{Header: wire.Header{NodeID: 4}}), byte(4))
	f.Add([]byte{0xc0, 0x70, 3, 0, 0, 0, 0, 0, 9}, byte(9))
	f.Add([]byte{}, byte(0))
	f.Fuzz(func(t *testing.T, b []byte, last byte) {
		tr := newLearner(t)
		src := netip.AddrFrom4([4]byte{10, 0, 0, last})
		tr.learn(&transport.Packet{Buf: b, N: len(b), From: netip.AddrPortFrom(src, 1)})
		got := *tr.learned.Load()
		if got[0] != nil || got[1] != nil {
			t.Fatalf("learned nodeid 0 or the listed nodeid 1: %v", tr.Learned())
		}
		h, _, err := wire.PeekHeader(b)
		want := err == nil && h.Type != wire.TypeMcast && h.NodeID > 1
		if want != (len(got) == 1) {
			t.Fatalf("header %+v (err %v): learned %v", h, err, tr.Learned())
		}
		if want && got[transport.NodeID(h.NodeID)].Addr() != netip.AddrPortFrom(src, 5405) {
			t.Fatalf("learned %v, want nodeid %d at %v", tr.Learned(), h.NodeID, src)
		}
	})
}
