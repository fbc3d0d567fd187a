package pg

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"goais/totem/wire"
)

func TestDeliverMalformed(t *testing.T) {
	le := func(b ...byte) []byte { return b }
	tests := []struct {
		name   string
		packet []byte
		be     bool
		field  string
	}{
		{"empty", nil, false, "header"},
		{"short header", le(0, 0, 0, 0, 0, 0, 1), false, "header"},
		{"bad version", le(1, 0, 0, 0, 0, 0, 0, 0), false, "version"},
		{"bad version BE", le(0, 1, 0, 0, 0, 0, 0, 0), true, "version"},
		{"bad type", le(0, 0, 2, 0, 0, 0, 0, 0), false, "type"},
		{"count too big", le(0, 0, 0, 0, 0, 0, 2, 0, 1, 0), false, "msg_count"},
		{"count too big BE", le(0, 0, 0, 0, 0, 0, 0, 2, 0, 1), true, "msg_count"},
		{"length past end", le(0, 0, 0, 0, 0, 0, 1, 0, 3, 0, 'a', 'b'), false, "msg_len[0]"},
		{"second length past end", le(0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 2, 0, 'a', 'b'), false, "msg_len[1]"},
		{"trailing bytes", le(0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 'a', 'b'), false, "msg_len"},
		{"trailing bytes, no messages", le(0, 0, 0, 0, 0, 0, 0, 0, 'x'), false, "msg_len"},
		{"LE lengths read as BE", buildPacket(false, 0, 0, []byte("abc")), true, "msg_count"},
		{"fragmented without messages", le(0, 0, 0, 0, 3, 0, 0, 0), false, "msg_count"},
		{"continuation without messages", le(0, 0, 0, 0, 0, 3, 0, 0), false, "msg_count"},
	}
	for _, tt := range tests {
		a := NewAssembler()
		called := false
		err := a.Deliver(1, tt.packet, tt.be, func([]byte) { called = true })
		var pe *PacketError
		if !errors.Is(err, ErrMalformed) || !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want a *PacketError", tt.name, err)
			continue
		}
		if pe.Field != tt.field || pe.Part != "packet" || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s: err %q names field %q, want %q", tt.name, err, pe.Field, tt.field)
		}
		if called {
			t.Errorf("%s: delivered from a malformed packet", tt.name)
		}
		if s := a.Stats(); s.Malformed != 1 || s.Packets != 0 {
			t.Errorf("%s: stats %+v", tt.name, s)
		}
	}
}

// A malformed packet leaves the reassembly state alone (as in corosync):
// the chain continues if the next packet carries on.
func TestDeliverMalformedKeepsState(t *testing.T) {
	a := NewAssembler()
	var got [][]byte
	fn := func(m []byte) { got = append(got, append([]byte(nil), m...)) }
	if err := a.Deliver(1, buildPacket(false, 5, 0, []byte("hel")), false, fn); err != nil {
		t.Fatal(err)
	}
	if err := a.Deliver(1, []byte{9, 9, 9}, false, fn); !errors.Is(err, ErrMalformed) {
		t.Fatal(err)
	}
	if !a.Pending(1) {
		t.Fatal("malformed packet dropped the pending fragment")
	}
	if err := a.Deliver(1, buildPacket(false, 0, 5, []byte("lo")), false, fn); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || string(got[0]) != "hello" {
		t.Errorf("got %q", got)
	}
}

// A big-endian sender's packet decodes to the same messages, with the same
// group header once MatchGroup is told the byte order.
func TestDeliverBigEndian(t *testing.T) {
	payloads := [][]byte{pattern(1, 20), pattern(2, 300), pattern(3, 2)}
	for _, be := range []bool{false, true} {
		packets := [][]byte{
			buildPacket(be, 0, 0, groupMsg(be, payloads[0], "a"), groupMsg(be, payloads[1][:100], "sync")),
			buildPacket(be, 0x81, 0, groupMsg(be, payloads[2], "a", "b"), []byte{}),
			buildPacket(be, 0, 0x81, payloads[1][100:]),
		}
		// The last message of packet 1 is only the start (empty) of a
		// message whose bytes all come in packet 2; that one has no
		// group header of its own, so check raw bytes.
		a := NewAssembler()
		var got [][]byte
		for _, pk := range packets {
			if err := a.Deliver(wire.NodeID(4), pk, be, func(m []byte) {
				got = append(got, append([]byte(nil), m...))
			}); err != nil {
				t.Fatalf("be=%v: %v", be, err)
			}
		}
		if len(got) != 4 {
			t.Fatalf("be=%v: %d messages", be, len(got))
		}
		for i, wantGroup := range []string{"a", "sync", "a"} {
			pl, ok, err := MatchGroup(got[i], wantGroup, be)
			if err != nil || !ok {
				t.Fatalf("be=%v: message %d: %v %v", be, i, ok, err)
			}
			want := [][]byte{payloads[0], payloads[1][:100], payloads[2]}[i]
			if !bytes.Equal(pl, want) {
				t.Errorf("be=%v: message %d payload differs", be, i)
			}
		}
		if !bytes.Equal(got[3], payloads[1][100:]) {
			t.Errorf("be=%v: reassembled message differs", be)
		}
	}
}

// Three-packet chains and ids that are not 1.
func TestDeliverChain(t *testing.T) {
	a := NewAssembler()
	var got []string
	fn := func(m []byte) { got = append(got, string(m)) }
	steps := [][]byte{
		buildPacket(false, 200, 0, []byte("x"), []byte("AB")),
		buildPacket(false, 201, 200, []byte("CD")),
		buildPacket(false, 202, 201, []byte("EF"), []byte("y"), []byte("GH")),
		buildPacket(false, 0, 202, []byte("IJ"), []byte("z")),
	}
	for _, pk := range steps {
		if err := a.Deliver(9, pk, false, fn); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"x", "ABCDEF", "y", "GHIJ", "z"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %q, want %q", got, want)
	}
	if s := a.Stats(); s.Messages != 5 || s.Reassembled != 2 || s.Packets != 4 {
		t.Errorf("stats %+v", s)
	}
}

// Senders have independent buffers.
func TestDeliverPerSender(t *testing.T) {
	a := NewAssembler()
	got := map[wire.NodeID][]string{}
	deliver := func(from wire.NodeID, pk []byte) {
		t.Helper()
		if err := a.Deliver(from, pk, false, func(m []byte) { got[from] = append(got[from], string(m)) }); err != nil {
			t.Fatal(err)
		}
	}
	deliver(1, buildPacket(false, 1, 0, []byte("one-")))
	deliver(2, buildPacket(false, 1, 0, []byte("two-")))
	deliver(2, buildPacket(false, 0, 1, []byte("end")))
	deliver(1, buildPacket(false, 0, 1, []byte("end")))
	if len(got[1]) != 1 || got[1][0] != "one-end" || len(got[2]) != 1 || got[2][0] != "two-end" {
		t.Errorf("got %v", got)
	}
}

func TestDeliverDiscontinuity(t *testing.T) {
	type step struct {
		packet []byte
		err    error // nil, or the sentinel it must wrap
	}
	tests := []struct {
		name    string
		steps   []step
		want    []string
		dropped uint64 // DroppedParts
		discont uint64
	}{
		{
			name: "continuation with nothing pending",
			steps: []step{
				{buildPacket(false, 0, 7, []byte("tail"), []byte("whole"), []byte("whole2")), ErrDiscontinuity},
			},
			want:    []string{"whole", "whole2"},
			dropped: 1, discont: 1,
		},
		{
			name: "continuation id mismatch",
			steps: []step{
				{buildPacket(false, 3, 0, []byte("a"), []byte("start")), nil},
				{buildPacket(false, 0, 4, []byte("tail"), []byte("b")), ErrDiscontinuity},
			},
			want:    []string{"a", "b"},
			dropped: 2, discont: 1,
		},
		{
			name: "pending never continued",
			steps: []step{
				{buildPacket(false, 3, 0, []byte("start")), nil},
				{buildPacket(false, 0, 0, []byte("fresh"), []byte("more")), ErrDiscontinuity},
			},
			want:    []string{"fresh", "more"},
			dropped: 1, discont: 1,
		},
		{
			name: "dangling middle fragment is discarded to its end",
			steps: []step{
				{buildPacket(false, 8, 7, []byte("middle")), ErrDiscontinuity},
				{buildPacket(false, 9, 8, []byte("middle2")), nil},
				{buildPacket(false, 0, 9, []byte("end"), []byte("next")), nil},
			},
			want:    []string{"next"},
			dropped: 1, discont: 1,
		},
		{
			name: "discarded message abandoned without its end",
			steps: []step{
				{buildPacket(false, 8, 7, []byte("middle")), ErrDiscontinuity},
				{buildPacket(false, 0, 0, []byte("fresh")), ErrDiscontinuity},
			},
			want:    []string{"fresh"},
			dropped: 1, discont: 2,
		},
		{
			name: "mismatch that itself continues",
			steps: []step{
				{buildPacket(false, 1, 0, []byte("lost-start")), nil},
				{buildPacket(false, 3, 2, []byte("x"), []byte("ok"), []byte("new-")), ErrDiscontinuity},
				{buildPacket(false, 0, 3, []byte("end")), nil},
			},
			want:    []string{"ok", "new-end"},
			dropped: 2, discont: 1,
		},
	}
	for _, tt := range tests {
		a := NewAssembler()
		var got []string
		for i, s := range tt.steps {
			err := a.Deliver(5, s.packet, false, func(m []byte) { got = append(got, string(m)) })
			if (s.err == nil) != (err == nil) || (s.err != nil && !errors.Is(err, s.err)) {
				t.Errorf("%s: step %d: err = %v, want %v", tt.name, i, err, s.err)
			}
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		st := a.Stats()
		if st.DroppedParts != tt.dropped || st.Discontinuities != tt.discont {
			t.Errorf("%s: stats %+v, want %d dropped, %d discontinuities", tt.name, st, tt.dropped, tt.discont)
		}
	}
}

// A reassembly may reach MaxMessageSize but not pass it; the rest of an
// oversized message is discarded quietly and the stream recovers.
func TestDeliverOversize(t *testing.T) {
	const chunk = 65000
	send := func(total int) (got []int, errs []error, a *Assembler) {
		a = NewAssembler()
		id := uint8(1)
		var cont uint8
		for sent := 0; sent < total; {
			n := min(chunk, total-sent)
			sent += n
			var frag uint8
			if sent < total {
				frag = id
				id++
			}
			msgs := [][]byte{make([]byte, n)}
			if frag == 0 {
				msgs = append(msgs, []byte("after"))
			}
			err := a.Deliver(2, buildPacket(false, frag, cont, msgs...), false, func(m []byte) { got = append(got, len(m)) })
			if err != nil {
				errs = append(errs, err)
			}
			cont = frag
		}
		return got, errs, a
	}

	got, errs, _ := send(MaxMessageSize)
	if len(errs) != 0 || len(got) != 2 || got[0] != MaxMessageSize || got[1] != 5 {
		t.Errorf("MaxMessageSize: got %v, errs %v", got, errs)
	}

	got, errs, a := send(MaxMessageSize + 2*chunk)
	if len(errs) != 1 || !errors.Is(errs[0], ErrTooLarge) {
		t.Fatalf("oversize: errs %v, want one ErrTooLarge", errs)
	}
	if len(got) != 1 || got[0] != 5 {
		t.Errorf("oversize: delivered %v, want only the 5-byte message after it", got)
	}
	s := a.Stats()
	if s.Oversized != 1 || s.DroppedParts != 1 || s.DroppedBytes != MaxMessageSize+2*chunk || s.Discontinuities != 0 {
		t.Errorf("oversize: stats %+v", s)
	}
	if a.Pending(2) {
		t.Error("oversize: still pending")
	}
	if st := a.streams[2]; st != nil && cap(st.buf) > retainCap {
		t.Errorf("oversize: kept a %d-byte buffer", cap(st.buf))
	}
}

func TestForget(t *testing.T) {
	a := NewAssembler()
	var got []string
	fn := func(m []byte) { got = append(got, string(m)) }
	if err := a.Deliver(3, buildPacket(false, 1, 0, []byte("start")), false, fn); err != nil {
		t.Fatal(err)
	}
	a.Forget(3)
	a.Forget(99) // unknown senders are fine
	if a.Pending(3) {
		t.Fatal("Forget kept the buffer")
	}
	// The node comes back with a fresh packer: id 1 again, no continuation.
	if err := a.Deliver(3, buildPacket(false, 0, 0, []byte("fresh")), false, fn); err != nil {
		t.Fatalf("after Forget: %v", err)
	}
	if len(got) != 1 || got[0] != "fresh" {
		t.Errorf("got %q", got)
	}
}

// The assembler keeps no large buffer after a big message, and delivering
// unfragmented packets does not allocate.
func TestDeliverAllocs(t *testing.T) {
	a := NewAssembler()
	sink := newRecordSink()
	p := NewPacker(0, sink)
	for i := range 40 {
		_ = p.Mcast([]string{"a"}, pattern(i, 100))
	}
	_ = p.Mcast([]string{"a"}, make([]byte, 3000))
	_ = p.Flush()
	n := 0
	fn := func(m []byte) { n++ }
	allocs := testing.AllocsPerRun(100, func() {
		for _, pk := range sink.packets {
			if err := a.Deliver(1, pk, false, fn); err != nil {
				t.Fatal(err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("Deliver allocates %v times per run", allocs)
	}

	big := newRecordSink()
	p = NewPacker(0, big)
	_ = p.Mcast(nil, make([]byte, 500<<10))
	_ = p.Flush()
	collect(t, a, 1, big.packets)
	if c := cap(a.streams[1].buf); c > retainCap {
		t.Errorf("kept a %d-byte buffer after delivery", c)
	}
}
