package pg

import (
	"errors"
	"fmt"
	"testing"

	"goais/totem/wire"
)

// recordSink keeps a copy of every proposed packet.
type recordSink struct {
	packets [][]byte
	room    int   // packets accepted before Room reports 0; <0 means unlimited
	fail    error // if set, Propose fails once more packets than failAt were taken
	failAt  int
}

func newRecordSink() *recordSink { return &recordSink{room: -1} }

func (s *recordSink) Propose(b []byte) error {
	if s.fail != nil && len(s.packets) >= s.failAt {
		return s.fail
	}
	if s.room == 0 {
		return errors.New("recordSink: full")
	}
	if s.room > 0 {
		s.room--
	}
	s.packets = append(s.packets, append([]byte(nil), b...))
	return nil
}

func (s *recordSink) Room() int {
	if s.room < 0 {
		return 1 << 30
	}
	return s.room
}

// discardSink accepts everything and keeps nothing, for benchmarks.
type discardSink struct{ n int }

func (s *discardSink) Propose(b []byte) error { s.n += len(b); return nil }
func (s *discardSink) Room() int              { return 1 << 30 }

// buildPacket encodes a packet by hand, in either byte order, to test the
// receiving side independently of the Packer.
func buildPacket(bigEndian bool, frag, cont uint8, msgs ...[]byte) []byte {
	put := func(b []byte, v int) []byte {
		if bigEndian {
			return append(b, byte(v>>8), byte(v))
		}
		return append(b, byte(v), byte(v>>8))
	}
	b := []byte{0, 0, 0, 0, frag, cont}
	b = put(b, len(msgs))
	for _, m := range msgs {
		b = put(b, len(m))
	}
	for _, m := range msgs {
		b = append(b, m...)
	}
	return b
}

// groupMsg builds an application message with a group header in either
// byte order.
func groupMsg(bigEndian bool, payload []byte, groups ...string) []byte {
	b, err := AppendGroups(nil, groups)
	if err != nil {
		panic(err)
	}
	if bigEndian {
		for i := 0; i < 2+2*len(groups); i += 2 {
			b[i], b[i+1] = b[i+1], b[i]
		}
	}
	return append(b, payload...)
}

// describe renders a packet header, or the parse error.
func describe(b []byte) string {
	p, err := parsePacket(b, false)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("%s size=%d", p.String(), len(b))
}

// mustParse parses an LE packet or fails the test.
func mustParse(t testing.TB, b []byte) packet {
	t.Helper()
	p, err := parsePacket(b, false)
	if err != nil {
		t.Fatalf("packet % x: %v", b, err)
	}
	return p
}

// collect delivers packets from one sender and returns the messages.
func collect(t testing.TB, a *Assembler, sender uint32, packets [][]byte) [][]byte {
	t.Helper()
	var got [][]byte
	for i, p := range packets {
		err := a.Deliver(wire.NodeID(sender), p, false, func(m []byte) {
			got = append(got, append([]byte(nil), m...))
		})
		if err != nil {
			t.Fatalf("packet %d (%s): %v", i, describe(p), err)
		}
	}
	return got
}

// pattern returns n deterministic bytes tagged by seed, so a misplaced
// slice shows up in comparisons.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}
