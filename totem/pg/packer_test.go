package pg

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"
)

// The sync BARRIER of reference §2.3, byte for byte.
func TestPackBarrierExample(t *testing.T) {
	service := []byte{
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	}
	want := append([]byte{
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		0x28, 0x00,
		0x01, 0x00, 0x04, 0x00, 0x73, 0x79, 0x6e, 0x63,
	}, service...)

	sink := newRecordSink()
	p := NewPacker(0, sink)
	if err := p.Mcast([]string{"sync"}, service); err != nil {
		t.Fatal(err)
	}
	if len(sink.packets) != 0 {
		t.Fatalf("small message proposed before Flush: %d packets", len(sink.packets))
	}
	if got := p.Pending(); got != len(want) {
		t.Errorf("Pending() = %d, want %d", got, len(want))
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(sink.packets) != 1 || !bytes.Equal(sink.packets[0], want) {
		t.Fatalf("packets = % x\nwant      % x", sink.packets, want)
	}
	if p.Pending() != 0 {
		t.Errorf("Pending() = %d after Flush", p.Pending())
	}
	if err := p.Flush(); err != nil || len(sink.packets) != 1 {
		t.Errorf("second Flush: err %v, %d packets", err, len(sink.packets))
	}
}

// The 1573-byte CPG downlist of reference §4 went out as frag=1,
// lens=[1400], then cont=1, lens=[173].
func TestPackFragmentExample(t *testing.T) {
	payload := pattern(1, 1573-5) // group "a" adds 5 bytes
	sink := newRecordSink()
	p := NewPacker(DefaultPacketSize, sink)
	if err := p.Mcast([]string{"a"}, payload); err != nil {
		t.Fatal(err)
	}
	if len(sink.packets) != 1 {
		t.Fatalf("%d packets before Flush, want 1", len(sink.packets))
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"frag=1 cont=0 lens=[1400] size=1410",
		"frag=0 cont=1 lens=[173] size=183",
	}
	for i, pk := range sink.packets {
		if got := describe(pk); i >= len(want) || got != want[i] {
			t.Errorf("packet %d: %s, want %s", i, got, want[min(i, len(want)-1)])
		}
	}
	got := collect(t, NewAssembler(), 1, sink.packets)
	if len(got) != 1 || !bytes.Equal(got[0], groupMsg(false, payload, "a")) {
		t.Errorf("reassembled %d messages, want the original one", len(got))
	}
}

// Small messages share a packet, mixing groups (seen with M = 2 and 3).
func TestPackSeveral(t *testing.T) {
	msgs := []struct {
		group   string
		payload []byte
	}{
		{"a", pattern(1, 24)},
		{"sync", pattern(2, 32)},
		{"a", pattern(3, 10)},
	}
	for m := 2; m <= 3; m++ {
		sink := newRecordSink()
		p := NewPacker(0, sink)
		var want [][]byte
		for _, msg := range msgs[:m] {
			if err := p.Mcast([]string{msg.group}, msg.payload); err != nil {
				t.Fatal(err)
			}
			want = append(want, groupMsg(false, msg.payload, msg.group))
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		wantPacket := buildPacket(false, 0, 0, want...)
		if len(sink.packets) != 1 || !bytes.Equal(sink.packets[0], wantPacket) {
			t.Errorf("M=%d: packets %q\nwant %q", m, sink.packets, wantPacket)
		}
		got := collect(t, NewAssembler(), 7, sink.packets)
		if len(got) != m {
			t.Fatalf("M=%d: delivered %d", m, len(got))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("M=%d: message %d = % x, want % x", m, i, got[i], want[i])
			}
		}
	}
}

// The boundaries of the packing rule: a message stays in the open packet
// only if it leaves room for one more length and one more byte.
func TestPackBoundaries(t *testing.T) {
	tests := []struct {
		name    string
		before  []int // message sizes packed first
		n       int
		packets []string // proposed by the last Mcast
		pending int      // Pending() afterwards
	}{
		{"empty, room-3 stays", nil, 1397, nil, 8 + 2 + 1397},
		{"empty, room-2 goes", nil, 1398, []string{"frag=0 cont=0 lens=[1398] size=1408"}, 0},
		{"empty, exactly room", nil, 1400, []string{"frag=0 cont=0 lens=[1400] size=1410"}, 0},
		{"empty, room+1 fragments", nil, 1401, []string{"frag=1 cont=0 lens=[1400] size=1410"}, 8 + 2 + 1},
		{"after 100, room-3 stays", []int{100}, 1295, nil, 8 + 4 + 1395},
		{"after 100, room-2 goes", []int{100}, 1296, []string{"frag=0 cont=0 lens=[100 1296] size=1408"}, 0},
		{"after 100, fragments", []int{100}, 3000, []string{
			"frag=1 cont=0 lens=[100 1298] size=1410",
			"frag=2 cont=1 lens=[1400] size=1410",
		}, 8 + 2 + 302},
		{"two full packets exactly", nil, 2800, []string{
			"frag=1 cont=0 lens=[1400] size=1410",
			"frag=0 cont=1 lens=[1400] size=1410",
		}, 0},
	}
	for _, tt := range tests {
		sink := newRecordSink()
		p := NewPacker(0, sink)
		for _, n := range tt.before {
			if err := p.Mcast(nil, make([]byte, n-2)); err != nil {
				t.Fatal(err)
			}
		}
		before := len(sink.packets)
		// Group list nil gives the 2-byte header 00 00.
		if err := p.Mcast(nil, make([]byte, tt.n-2)); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for _, pk := range sink.packets[before:] {
			got = append(got, describe(pk))
		}
		if len(got) != len(tt.packets) {
			t.Errorf("%s: packets %q, want %q", tt.name, got, tt.packets)
		} else {
			for i := range got {
				if got[i] != tt.packets[i] {
					t.Errorf("%s: packet %d %s, want %s", tt.name, i, got[i], tt.packets[i])
				}
			}
		}
		if p.Pending() != tt.pending {
			t.Errorf("%s: Pending() = %d, want %d", tt.name, p.Pending(), tt.pending)
		}
	}
}

func TestPackNeverExceedsPacketSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{MinPacketSize, 12, 17, 100, 577, DefaultPacketSize, 9000, MaxPacketSize} {
		sink := newRecordSink()
		p := NewPacker(size, sink)
		if p.PacketSize() != size {
			t.Fatalf("PacketSize() = %d, want %d", p.PacketSize(), size)
		}
		var sent [][]byte
		for i := range 200 {
			n := rng.IntN(3 * size)
			if rng.IntN(4) == 0 {
				n = rng.IntN(8)
			}
			payload := pattern(i, n)
			if err := p.Mcast([]string{"a"}, payload); err != nil {
				t.Fatal(err)
			}
			sent = append(sent, groupMsg(false, payload, "a"))
			if p.Pending() > size {
				t.Fatalf("size %d: Pending() = %d", size, p.Pending())
			}
			if rng.IntN(5) == 0 {
				if err := p.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
		for i, pk := range sink.packets {
			if len(pk) > size {
				t.Fatalf("size %d: packet %d has %d bytes", size, i, len(pk))
			}
			mustParse(t, pk)
		}
		got := collect(t, NewAssembler(), 1, sink.packets)
		if len(got) != len(sent) {
			t.Fatalf("size %d: %d messages back, want %d", size, len(got), len(sent))
		}
		for i := range got {
			if !bytes.Equal(got[i], sent[i]) {
				t.Fatalf("size %d: message %d differs", size, i)
			}
		}
	}
}

// Fragment ids count 1..255 and wrap to 1, skipping 0; every fragmented
// packet takes the next one.
func TestFragmentIDWrap(t *testing.T) {
	sink := newRecordSink()
	p := NewPacker(MinPacketSize, sink) // one data byte per packet
	msg := pattern(9, 300-5)
	if err := p.Mcast([]string{"a"}, msg); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if len(sink.packets) != 300 {
		t.Fatalf("%d packets, want 300", len(sink.packets))
	}
	wantID := uint8(1)
	var prev uint8
	for i, pk := range sink.packets {
		h := mustParse(t, pk)
		if h.cont != prev {
			t.Fatalf("packet %d: cont %d, want %d", i, h.cont, prev)
		}
		if i == len(sink.packets)-1 {
			if h.fragmented != 0 {
				t.Fatalf("last packet fragmented %d", h.fragmented)
			}
			break
		}
		if h.fragmented != wantID {
			t.Fatalf("packet %d: fragmented %d, want %d", i, h.fragmented, wantID)
		}
		prev = h.fragmented
		wantID++
		if wantID == 0 {
			wantID = 1
		}
	}
	if got := mustParse(t, sink.packets[255]).fragmented; got != 1 {
		t.Errorf("packet 255 uses id %d, want 1 after 255", got)
	}
	got := collect(t, NewAssembler(), 3, sink.packets)
	if len(got) != 1 || !bytes.Equal(got[0], groupMsg(false, msg, "a")) {
		t.Errorf("wrapped chain did not reassemble")
	}

	// One id per fragmented packet across messages, too.
	sink = newRecordSink()
	p = NewPacker(0, sink)
	for range 256 {
		if err := p.Mcast([]string{"a"}, make([]byte, 2000)); err != nil {
			t.Fatal(err)
		}
		if err := p.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustParse(t, sink.packets[2*254]).fragmented; got != 255 {
		t.Errorf("message 255: id %d, want 255", got)
	}
	if got := mustParse(t, sink.packets[2*255]).fragmented; got != 1 {
		t.Errorf("message 256: id %d, want 1", got)
	}
}

func TestPackTooLarge(t *testing.T) {
	sink := newRecordSink()
	p := NewPacker(0, sink)
	if err := p.Mcast([]string{"a"}, []byte("open")); err != nil {
		t.Fatal(err)
	}
	// Exactly MaxMessageSize including the header is fine...
	if err := p.Mcast([]string{"a"}, make([]byte, MaxMessageSize-5)); err != nil {
		t.Fatalf("MaxMessageSize: %v", err)
	}
	sent, pending := len(sink.packets), p.Pending()
	// ...one byte more is refused, and nothing moves.
	err := p.Mcast([]string{"a"}, make([]byte, MaxMessageSize-5+1))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("MaxMessageSize+1: err = %v, want ErrTooLarge", err)
	}
	if len(sink.packets) != sent || p.Pending() != pending {
		t.Errorf("refused message changed state: %d packets (had %d), pending %d (had %d)",
			len(sink.packets), sent, p.Pending(), pending)
	}
	if err := p.Mcast(nil, make([]byte, 1<<20)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("1 MiB payload + empty header: err = %v", err)
	}
	if err := p.Mcast(make([]string, 1<<16), nil); !errors.Is(err, ErrBadGroups) {
		t.Errorf("too many groups: err = %v", err)
	}
}

func TestPackTryAgain(t *testing.T) {
	sink := newRecordSink()
	p := NewPacker(0, sink)

	// 1573 bytes from empty: one full packet now, one flush later.
	sink.room = 1
	err := p.Mcast([]string{"a"}, make([]byte, 1568))
	if !errors.Is(err, ErrTryAgain) {
		t.Fatalf("room 1: err = %v, want ErrTryAgain", err)
	}
	if len(sink.packets) != 0 || p.Pending() != 0 || p.nextID != 1 {
		t.Fatalf("refused message changed state")
	}
	sink.room = 2
	if err := p.Mcast([]string{"a"}, make([]byte, 1568)); err != nil {
		t.Fatalf("room 2: %v", err)
	}
	if len(sink.packets) != 1 || sink.Room() != 1 {
		t.Fatalf("%d packets, room %d", len(sink.packets), sink.Room())
	}
	// With the reserved room spent elsewhere, even a small message waits.
	sink.room = 0
	pending := p.Pending()
	if err := p.Mcast([]string{"a"}, []byte("x")); !errors.Is(err, ErrTryAgain) {
		t.Fatalf("room 0: err = %v", err)
	}
	if p.Pending() != pending {
		t.Fatalf("Pending %d, want %d", p.Pending(), pending)
	}
	sink.room = 1
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	got := collect(t, NewAssembler(), 1, sink.packets)
	if len(got) != 1 || len(got[0]) != 1573 {
		t.Fatalf("got %d messages", len(got))
	}

	// A 1 MiB message needs its packets all at once.
	sink = newRecordSink()
	p = NewPacker(0, sink)
	emit, open := p.plan(MaxMessageSize)
	need := emit
	if open {
		need++
	}
	sink.room = need - 1
	if err := p.Mcast(nil, make([]byte, MaxMessageSize-2)); !errors.Is(err, ErrTryAgain) {
		t.Fatalf("room need-1: err = %v", err)
	}
	sink.room = need
	if err := p.Mcast(nil, make([]byte, MaxMessageSize-2)); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatalf("flush within the reserved room: %v", err)
	}
	if len(sink.packets) != need {
		t.Errorf("%d packets, planned %d", len(sink.packets), need)
	}
}

// plan predicts exactly what Mcast proposes.
func TestPlanMatchesMcast(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{MinPacketSize, 20, 200, DefaultPacketSize} {
		sink := newRecordSink()
		p := NewPacker(size, sink)
		for range 2000 {
			n := 2 + rng.IntN(4*size)
			emit, open := p.plan(n)
			before := len(sink.packets)
			if err := p.Mcast(nil, make([]byte, n-2)); err != nil {
				t.Fatal(err)
			}
			if got := len(sink.packets) - before; got != emit || (p.Pending() > 0) != open {
				t.Fatalf("size %d, n %d: proposed %d open %v, plan said %d %v",
					size, n, got, p.Pending() > 0, emit, open)
			}
			if rng.IntN(10) == 0 {
				if err := p.Flush(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

func TestPackProposeFails(t *testing.T) {
	boom := errors.New("boom")

	// Failing on the first packet of the call: nothing changes.
	sink := newRecordSink()
	p := NewPacker(0, sink)
	if err := p.Mcast([]string{"a"}, []byte("small")); err != nil {
		t.Fatal(err)
	}
	pending := p.Pending()
	sink.fail, sink.failAt = boom, 0
	if err := p.Mcast([]string{"a"}, make([]byte, 3000)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if p.Pending() != pending || p.nextID != 1 {
		t.Fatalf("state changed: pending %d (had %d), nextID %d", p.Pending(), pending, p.nextID)
	}
	if err := p.Flush(); !errors.Is(err, boom) {
		t.Fatalf("Flush err = %v", err)
	}
	if p.Pending() != pending {
		t.Fatalf("failed Flush dropped the open packet")
	}
	sink.fail = nil
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := collect(t, NewAssembler(), 1, sink.packets); len(got) != 1 {
		t.Fatalf("retried flush delivered %d messages", len(got))
	}

	// Failing mid-message: the message is lost, the packer restarts clean.
	sink = newRecordSink()
	p = NewPacker(0, sink)
	sink.fail, sink.failAt = boom, 1
	if err := p.Mcast([]string{"a"}, make([]byte, 3000)); !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if p.Pending() != 0 || p.cont != 0 {
		t.Fatalf("after a lost message: pending %d cont %d", p.Pending(), p.cont)
	}
	sink.fail = nil
	if err := p.Mcast([]string{"a"}, []byte("next")); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err != nil {
		t.Fatal(err)
	}
	a := NewAssembler()
	var got [][]byte
	for _, pk := range sink.packets {
		_ = a.Deliver(1, pk, false, func(m []byte) { got = append(got, append([]byte(nil), m...)) })
	}
	if len(got) != 1 || !bytes.Equal(got[0], groupMsg(false, []byte("next"), "a")) {
		t.Errorf("after the lost message got %q", got)
	}
	if s := a.Stats(); s.Discontinuities != 1 || s.DroppedParts != 1 {
		t.Errorf("stats %+v, want one discontinuity", s)
	}
}

func TestNewPackerSizes(t *testing.T) {
	for _, size := range []int{-1, 1, MinPacketSize - 1, MaxPacketSize + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewPacker(%d) did not panic", size)
				}
			}()
			NewPacker(size, newRecordSink())
		}()
	}
	if p := NewPacker(0, newRecordSink()); p.PacketSize() != DefaultPacketSize {
		t.Errorf("default size %d", p.PacketSize())
	}
}

// Steady-state packing must not allocate.
func TestPackAllocs(t *testing.T) {
	p := NewPacker(0, &discardSink{})
	small := make([]byte, 100)
	big := make([]byte, 64<<10)
	groups := []string{"a"}
	// Warm up: grow the scratch buffers once.
	_ = p.Mcast(groups, big)
	allocs := testing.AllocsPerRun(200, func() {
		_ = p.Mcast(groups, small)
		_ = p.Mcast([]string{"sync"}, big)
		_ = p.Flush()
	})
	if allocs != 0 {
		t.Errorf("pack path allocates %v times per run", allocs)
	}
}
