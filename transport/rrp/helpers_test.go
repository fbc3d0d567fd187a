package rrp

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/logging"
	"goais/totem/wire"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Ring ids of the tests: r1 is a ring, r2 the ring formed after it.
var (
	r1 = wire.RingID{Rep: 1, Seq: 4}
	r2 = wire.RingID{Rep: 1, Seq: 8}
)

var addrs = []string{"10.0.0.1", "10.0.1.1"}

const expired = 238 * time.Millisecond

func token(ring wire.RingID, tokenSeq, seq uint32) []byte {
	return wire.AppendToken(nil, &wire.Token{
		Header:   wire.Header{NodeID: 2},
		Seq:      seq,
		TokenSeq: tokenSeq,
		ARU:      seq,
		Ring:     ring,
		RTR:      []wire.RTREntry{{Ring: ring, Seq: seq}},
	})
}

func mcast(ring wire.RingID, seq uint32) []byte {
	return wire.AppendMcast(nil, &wire.Mcast{
		Header:     wire.Header{NodeID: 2, Encapsulated: wire.NotEncapsulated},
		SystemFrom: 2,
		Seq:        seq,
		Ring:       ring,
		Payload:    []byte("hello"),
	})
}

func join() []byte {
	return wire.AppendJoin(nil, &wire.Join{Header: wire.Header{NodeID: 2}, SystemFrom: 2, RingSeq: 4,
		ProcList: []wire.NodeID{1, 2}})
}

func commitToken(ring wire.RingID) []byte {
	return wire.AppendCommitToken(nil, &wire.CommitToken{Header: wire.Header{NodeID: 1}, Ring: ring,
		Addr: []wire.NodeID{1, 2}, Memb: make([]wire.MembEntry, 2)})
}

func mergeDetect() []byte {
	return wire.AppendMergeDetect(nil, &wire.MergeDetect{Header: wire.Header{NodeID: 1}, SystemFrom: 1, Ring: r1})
}

func holdCancel() []byte {
	return wire.AppendTokenHoldCancel(nil, &wire.TokenHoldCancel{Header: wire.Header{NodeID: 1}, Ring: r1})
}

// bigEndian rewrites a little-endian ORF token or MCAST as a big-endian
// corosync sends it: every multi-byte field byte-swapped, a ring id as its
// u32 and u64 halves (wire doc, "Byte order").
func bigEndian(t testing.TB, le []byte) []byte {
	t.Helper()
	b := slices.Clone(le)
	swap := func(off, size int) { slices.Reverse(b[off : off+size]) }
	swap(0, 2) // magic
	swap(5, 4) // nodeid
	swap(9, 4) // target_nodeid
	ringID := func(off int) { swap(off, 4); swap(off+4, 8) }
	switch wire.MessageType(b[3]) {
	case wire.TypeORFToken:
		for _, off := range []int{13, 17, 21, 25} {
			swap(off, 4)
		}
		ringID(29)
		for _, off := range []int{41, 45, 49, 53} {
			swap(off, 4)
		}
		n := int(wire.RTREntrySize)
		for off := wire.TokenSize; off+n <= len(b); off += n {
			ringID(off)
			swap(off+12, 4)
		}
	case wire.TypeMcast:
		for _, off := range []int{13, 17, 21} {
			swap(off, 4)
		}
		ringID(25)
		swap(37, 4)
		swap(41, 4)
	default:
		t.Fatalf("bigEndian: type %d not supported", b[3])
	}
	if _, be, err := wire.PeekHeader(b); err != nil || !be {
		t.Fatalf("bigEndian: result does not read as big-endian: %v", err)
	}
	return b
}

// logBuf collects log records as "level: message" lines.
type logBuf struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBuf) Enabled(context.Context, slog.Level) bool { return true }
func (l *logBuf) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(logging.LevelName(r.Level))+": "+r.Message)
	return nil
}
func (l *logBuf) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logBuf) WithGroup(string) slog.Handler      { return l }

// take returns the lines logged since the last take.
func (l *logBuf) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lines
	l.lines = nil
	return out
}

// newMonitor returns a monitor of mode on addrs (one for None) with the
// test's token expiry, and its log.
func newMonitor(t testing.TB, mode Mode, edit ...func(*Config)) (*Monitor, *logBuf) {
	t.Helper()
	lb := &logBuf{}
	c := Config{Mode: mode, Addrs: addrs, TokenExpiredTimeout: expired, Logger: slog.New(lb)}
	if mode == None {
		c.Addrs = addrs[:1]
	}
	for _, e := range edit {
		e(&c)
	}
	m, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return m, lb
}

// recv is Receive that fails the test on an unexpected verdict.
func recv(t testing.TB, m *Monitor, now time.Time, ring int, data []byte, want Verdict) {
	t.Helper()
	if got := m.Receive(now, ring, data); got != want {
		t.Fatalf("Receive on ring %d (%s): %v, want %v", ring, describe(data), got, want)
	}
}

// released returns copies of what Released hands out.
func released(m *Monitor) [][]byte {
	var out [][]byte
	for _, b := range m.Released() {
		out = append(out, slices.Clone(b))
	}
	return out
}

// describe names a datagram for failure messages and transcripts.
func describe(data []byte) string {
	msg, err := wire.Decode(data)
	if err != nil {
		return fmt.Sprintf("undecodable(%d bytes)", len(data))
	}
	switch m := msg.(type) {
	case *wire.Token:
		return fmt.Sprintf("token ring=%d/%d tseq=%d seq=%d", m.Ring.Rep, m.Ring.Seq, m.TokenSeq, m.Seq)
	case *wire.Mcast:
		return fmt.Sprintf("mcast ring=%d/%d seq=%d", m.Ring.Rep, m.Ring.Seq, m.Seq)
	}
	return msg.MessageType().String()
}

func statuses(m *Monitor) []string {
	var out []string
	for _, s := range m.Status() {
		out = append(out, s.Status)
	}
	return out
}

func wantStatus(t testing.TB, m *Monitor, ring int, want string) {
	t.Helper()
	if got := m.Status()[ring].Status; got != want {
		t.Fatalf("ring %d status %q, want %q", ring, got, want)
	}
}

func wantRings(t testing.TB, m *Monitor, data []byte, want ...int) {
	t.Helper()
	if got := m.SendRings(data, nil); !slices.Equal(got, want) {
		t.Fatalf("SendRings(%s) = %v, want %v", describe(data), got, want)
	}
}
