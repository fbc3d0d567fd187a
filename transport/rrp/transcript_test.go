package rrp

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"goais/internal/datadriven"
	"goais/totem/wire"
)

// TestTranscripts runs the golden transcripts of testdata/: a Monitor fed
// datagrams and clock ticks by hand, with every verdict, release, status
// change and log line in the output. Commands:
//
//	new mode=M [threshold=N] [mcast-threshold=N] [timeout=D] [expired=D]
//	recv ring=N KIND [ring-id=REP/SEQ] [tseq=N] [seq=N] [be]
//	    KIND: token, mcast, join, commit, merge, cancel, garbage
//	rounds n=N only=R [gap=D]   N token rounds (token_seq after the last
//	                            one seen) that only ring R delivers, each
//	                            ended by the token timer
//	tick (+D | deadline)        advance the clock and fire timers
//	send KIND [n=N]             SendRings for N datagrams of KIND
//	reenable | status | stats
func TestTranscripts(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := &transcript{}
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return h.run(t, d)
		})
	})
}

type transcript struct {
	m    *Monitor
	log  *logBuf
	now  time.Time
	tseq uint32
}

func (h *transcript) run(t *testing.T, d *datadriven.TestData) string {
	var out strings.Builder
	switch d.Cmd {
	case "new":
		h.new(t, d)
	case "recv":
		ring := h.intArg(t, d, "ring", 0)
		data := h.datagram(t, d)
		v := h.m.Receive(h.now, ring, data)
		h.tseq = max(h.tseq, uint32(h.intArg(t, d, "tseq", 0)))
		fmt.Fprintf(&out, "%s on ring %d: %v\n", describe(data), ring, v)
	case "rounds":
		n, only := h.intArg(t, d, "n", 1), h.intArg(t, d, "only", 0)
		gap := h.durArg(t, d, "gap", time.Millisecond)
		for range n {
			h.tseq++
			v := h.m.Receive(h.now, only, token(r1, h.tseq, 0))
			fmt.Fprintf(&out, "%v tseq=%d on ring %d: %v", h.clock(), h.tseq, only, v)
			if v == Held {
				h.now = h.now.Add(h.m.cfg.TokenExpiredTimeout)
				h.m.Tick(h.now)
				fmt.Fprintf(&out, ", released at %v", h.clock())
			}
			out.WriteString("\n")
			h.flush(&out)
			h.now = h.now.Add(gap)
		}
	case "tick":
		switch {
		case d.Has("deadline"):
			next := h.m.NextDeadline()
			if next.IsZero() {
				d.Fatalf(t, "no deadline")
			}
			h.now = next
		case len(d.Args) == 1 && strings.HasPrefix(d.Args[0].Key, "+"):
			dur, err := time.ParseDuration(d.Args[0].Key[1:])
			if err != nil {
				d.Fatalf(t, "%v", err)
			}
			h.now = h.now.Add(dur)
		default:
			d.Fatalf(t, "tick +DURATION or tick deadline")
		}
		h.m.Tick(h.now)
		fmt.Fprintf(&out, "clock %v\n", h.clock())
	case "send":
		data := h.datagram(t, d)
		var rings []string
		for range h.intArg(t, d, "n", 1) {
			rings = append(rings, fmt.Sprint(h.m.SendRings(data, nil)))
		}
		fmt.Fprintf(&out, "%s: %s\n", describe(data), strings.Join(rings, " "))
	case "reenable":
		h.m.Reenable(h.now)
	case "status":
		for _, s := range h.m.Status() {
			fmt.Fprintf(&out, "ring %d %s faulty=%v count=%d: %s\n", s.Ring, s.Addr, s.Faulty, s.ProblemCount, s.Status)
		}
	case "stats":
		for i, s := range h.m.Stats().Rings {
			fmt.Fprintf(&out, "ring %d %+v\n", i, s)
		}
	default:
		d.Fatalf(t, "unknown command")
	}
	if d.Cmd != "rounds" {
		h.flush(&out)
	}
	if next := h.m.NextDeadline(); !next.IsZero() && d.Cmd != "status" && d.Cmd != "stats" {
		fmt.Fprintf(&out, "next deadline %v\n", next.Sub(t0))
	}
	return out.String()
}

// flush writes what was released and logged since the last flush.
func (h *transcript) flush(out *strings.Builder) {
	for _, r := range h.m.Released() {
		fmt.Fprintf(out, "released %s\n", describe(r))
	}
	for _, l := range h.log.take() {
		fmt.Fprintf(out, "log %s\n", l)
	}
}

func (h *transcript) clock() time.Duration { return h.now.Sub(t0) }

func (h *transcript) new(t *testing.T, d *datadriven.TestData) {
	s, _ := d.Value("mode")
	mode, err := ParseMode(s)
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	h.m, h.log = newMonitor(t, mode, func(c *Config) {
		c.ProblemCountThreshold = h.intArg(t, d, "threshold", 0)
		c.ProblemCountMcastThreshold = h.intArg(t, d, "mcast-threshold", 0)
		c.ProblemCountTimeout = h.durArg(t, d, "timeout", 0)
		c.TokenExpiredTimeout = h.durArg(t, d, "expired", expired)
	})
	h.now, h.tseq = t0, 0
}

// datagram builds the datagram a recv or send line describes.
func (h *transcript) datagram(t *testing.T, d *datadriven.TestData) []byte {
	ring := r1
	if s, ok := d.Value("ring-id"); ok {
		rep, seq, found := strings.Cut(s, "/")
		r, err1 := strconv.ParseUint(rep, 10, 32)
		q, err2 := strconv.ParseUint(seq, 10, 64)
		if !found || err1 != nil || err2 != nil {
			d.Fatalf(t, "ring-id=%s: want REP/SEQ", s)
		}
		ring = wire.RingID{Rep: wire.NodeID(r), Seq: q}
	}
	tseq, seq := uint32(h.intArg(t, d, "tseq", 0)), uint32(h.intArg(t, d, "seq", 0))
	var data []byte
	switch {
	case d.Has("token"):
		data = token(ring, tseq, seq)
	case d.Has("mcast"):
		data = mcast(ring, seq)
	case d.Has("join"):
		data = join()
	case d.Has("commit"):
		data = commitToken(ring)
	case d.Has("merge"):
		data = mergeDetect()
	case d.Has("cancel"):
		data = holdCancel()
	case d.Has("garbage"):
		data = []byte("not a totem datagram")
	default:
		d.Fatalf(t, "no datagram kind")
	}
	if d.Has("be") {
		data = bigEndian(t, data)
	}
	return data
}

func (h *transcript) intArg(t *testing.T, d *datadriven.TestData, key string, def int) int {
	s, ok := d.Value(key)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		d.Fatalf(t, "%s=%s: %v", key, s, err)
	}
	return n
}

func (h *transcript) durArg(t *testing.T, d *datadriven.TestData, key string, def time.Duration) time.Duration {
	s, ok := d.Value(key)
	if !ok {
		return def
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		d.Fatalf(t, "%s=%s: %v", key, s, err)
	}
	return v
}
