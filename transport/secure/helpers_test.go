package secure

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/transport"
)

// testMaterial returns n bytes of deterministic key material; seed
// distinguishes keys.
func testMaterial(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

func testKey(tb testing.TB, seed byte) *Key {
	tb.Helper()
	k, err := NewKey(testMaterial(128, seed))
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// fakeClock is a Config.Now the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// logBuffer collects log output safely across goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines returns the log lines containing s.
func (b *logBuffer) lines(s string) []string {
	var out []string
	for l := range strings.Lines(b.String()) {
		if strings.Contains(l, s) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		},
	}))
}

// node is one secure transport over a fake endpoint.
type node struct {
	*Transport
	end *fakeEnd
	log *logBuffer
}

// opts adjusts a node's Config before New.
type opts func(*Config)

func withKey(k *Key) opts         { return func(c *Config) { c.Key = k } }
func withStart(s uint64) opts     { return func(c *Config) { c.Start = s } }
func withClock(f *fakeClock) opts { return func(c *Config) { c.Now = f.Now } }

// newNode attaches a secure node with the given nodeid to n (key seed 1,
// Start 1000 unless opts say otherwise).
func newNode(tb testing.TB, n *fakeNet, id uint32, o ...opts) *node {
	tb.Helper()
	end := n.attach(id)
	lb := &logBuffer{}
	c := Config{Inner: end, Key: testKey(tb, 1), NodeID: id, Start: 1000, Logger: lb.logger()}
	for _, f := range o {
		f(&c)
	}
	tr, err := New(c)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { tr.Close() })
	return &node{Transport: tr, end: end, log: lb}
}

// rebootNode replaces old's Transport by a new boot (new salt) on the same
// endpoint, as a restarted aisexec would be.
func rebootNode(tb testing.TB, old *node, start uint64) *node {
	tb.Helper()
	c := Config{Inner: old.end, Key: testKey(tb, 1), NodeID: old.end.id, Start: start, Logger: old.log.logger()}
	tr, err := New(c)
	if err != nil {
		tb.Fatal(err)
	}
	return &node{Transport: tr, end: old.end, log: old.log}
}

func (n *node) send(tb testing.TB, dgs ...transport.Datagram) {
	tb.Helper()
	if err := n.Send(dgs); err != nil {
		tb.Fatal(err)
	}
}

// recvAll receives until the fake endpoint is drained and returns the
// plaintexts (copied) and sources of everything accepted.
func (n *node) recvAll(tb testing.TB) []transport.Packet {
	tb.Helper()
	var got []transport.Packet
	pkts := packets(8)
	for {
		k, err := n.Recv(pkts)
		for _, p := range pkts[:k] {
			got = append(got, transport.Packet{Buf: bytes.Clone(p.Data()), N: p.N, From: p.From})
		}
		if errors.Is(err, errDrained) {
			return got
		}
		if err != nil {
			tb.Fatal(err)
		}
		if k == 0 {
			tb.Fatal("Recv returned 0 datagrams and no error")
		}
	}
}

func packets(n int) []transport.Packet {
	pkts := make([]transport.Packet, n)
	for i := range pkts {
		pkts[i].Buf = make([]byte, transport.MaxDatagram)
	}
	return pkts
}

// sealOne sends payload from n (recording it) and returns the sealed bytes.
func sealOne(tb testing.TB, n *node, to uint32, payload []byte) []byte {
	tb.Helper()
	n.end.record = true
	before := len(n.end.sent())
	n.send(tb, transport.Datagram{To: to, Data: payload})
	s := n.end.sent()
	if len(s) != before+1 {
		tb.Fatalf("sent %d datagrams, want 1", len(s)-before)
	}
	return s[before]
}

// drain discards whatever n's endpoint has queued.
func (n *node) drainInner() {
	for {
		select {
		case <-n.end.inbox:
		default:
			return
		}
	}
}
