package udpu_test

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"goais/transport/udpu"
)

// syncBuffer is a log destination safe for the reader goroutine to write
// and the test to read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestDropsAreLoggedAtDebug: rejected sources, unknown targets, oversize
// datagrams and truncated ones each produce a debug line naming the cause.
// (How many lines a burst produces depends on the clock, so only presence
// is checked.)
func TestDropsAreLoggedAtDebug(t *testing.T) {
	var out syncBuffer
	logger := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ns := newCluster(t, true, loopback3, func(i int, c *udpu.Config) {
		if i == 0 {
			c.Logger = logger
		}
	}, nil)
	sendFrom(t, netip.MustParseAddr("127.0.0.9"), ns[0].addr, "intruder")
	send(t, ns[0], dg(42, "nobody"), dg(2, strings.Repeat("x", 70000)), dg(1, "self"))
	ns[0].expect(t, "self", ns[0].addr)
	waitFor(t, "the rejection is logged", func() bool { return strings.Contains(out.String(), "Packet rejected") })
	log := out.String()
	for _, want := range []string{
		`msg="Packet rejected from IP" from=127.0.0.9`,
		`nodeid=42`,
		`msg="datagram too large to send" bytes=70000`,
		`msg="socket buffers"`,
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
}
