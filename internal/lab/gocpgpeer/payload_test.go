package main

import (
	"bytes"
	"strconv"
	"testing"
)

func TestBuildThenParse(t *testing.T) {
	b := builder{tag: "alpha"}
	for _, tc := range []struct {
		seq       uint64
		size, len int
	}{
		{1, 0, len("alpha 1 123456789\n")},
		{2, 100, 100},
		{3, 5000, 5000},
		{3, 5000, 5000}, // a retry: the filler is kept, the header restamped
		{251, 300, 300},
		{^uint64(0), 400, 400},
	} {
		msg := b.build(tc.seq, tc.size, 123456789)
		if len(msg) != tc.len {
			t.Fatalf("seq %d size %d: %d bytes, want %d", tc.seq, tc.size, len(msg), tc.len)
		}
		h, ok := parseHeader(msg)
		if !ok || string(h.tag) != "alpha" || h.seq != tc.seq || h.mono != 123456789 {
			t.Fatalf("seq %d: parsed %+v %v", tc.seq, h, ok)
		}
		if !fillerOK(msg, h) {
			t.Fatalf("seq %d size %d: filler does not check", tc.seq, tc.size)
		}
		// The filler is the formula, byte by byte.
		for i := h.len; i < len(msg); i++ {
			if want := byte((tc.seq%251 + uint64(i)%251) % 251); msg[i] != want {
				t.Fatalf("seq %d: byte %d is %d, want %d", tc.seq, i, msg[i], want)
			}
		}
		if len(msg) > h.len {
			bad := bytes.Clone(msg)
			bad[len(bad)-1]++
			if fillerOK(bad, h) {
				t.Fatalf("seq %d: a changed last byte still checks", tc.seq)
			}
		}
	}
	// A header whose length changes refills: seq 9 → 10 adds a digit.
	b.build(9, 200, 1)
	msg := b.build(10, 200, 1)
	if h, ok := parseHeader(msg); !ok || !fillerOK(msg, h) {
		t.Fatal("the filler was not remade for a longer header")
	}
}

// The payloads of a program that is not a peer, as the C peer was checked
// with against corosync: they must parse (or not) the same way there.
func TestParseHeader(t *testing.T) {
	long := func(c byte, n int) string { return string(bytes.Repeat([]byte{c}, n)) }
	for _, tc := range []struct {
		in       string
		tag, seq string // "-" when it does not parse
		ok       bool
	}{
		{"", "-", "-", false},
		{"x", "-", "-", false},
		{"\n", "-", "-", false},
		{"tag 1 2\n", "tag", "1", true},
		{"tag 1 2", "-", "-", false},
		{"tag 01 2\n", "-", "-", false},
		{"tag 0 0\n", "tag", "0", true},
		{"tag 1 2 \n", "-", "-", false},
		{" 1 2\n", "-", "-", false},
		{"tag  1 2\n", "-", "-", false},
		{"tag 1 2\nAAAA", "tag", "1", false},
		{"tag 18446744073709551615 5\n", "tag", "18446744073709551615", true},
		{"tag 18446744073709551616 5\n", "-", "-", false},
		{"t\tg 1 2\n", "-", "-", false},
		{"tag 1 -2\n", "-", "-", false},
		{"tag 1 +2\n", "-", "-", false},
		{"t\x80g 1 2\n", "-", "-", false},
		{long('T', 64) + " 5 6\n", long('T', 64), "5", true},
		{long('T', 65) + " 5 6\n", "-", "-", false},
		{long('q', 127) + "\n", "-", "-", false},
		{"a 1 " + long('1', 120) + "\n", "-", "-", false}, // '\n' beyond 128 bytes
	} {
		h, parsed := parseHeader([]byte(tc.in))
		tag, seq := "-", "-"
		if parsed {
			tag, seq = string(h.tag), strconv.FormatUint(h.seq, 10)
		}
		ok := parsed && fillerOK([]byte(tc.in), h)
		if tag != tc.tag || seq != tc.seq || ok != tc.ok {
			t.Errorf("%q: tag %q seq %q ok %v, want %q %q %v", tc.in, tag, seq, ok, tc.tag, tc.seq, tc.ok)
		}
	}
}

func TestNearestRank(t *testing.T) {
	s := newStats()
	if p50, p99, mx := s.percentiles(); p50 != 0 || p99 != 0 || mx != 0 {
		t.Fatalf("no samples: %d %d %d", p50, p99, mx)
	}
	for i := int64(100); i >= 1; i-- {
		s.sample(i * 10)
	}
	s.sample(-5) // a clock oddity counts as 0
	// 101 samples 0, 10, …, 1000: rank ceil(50.5)=51 → 500, ceil(99.99)=100 → 990.
	if p50, p99, mx := s.percentiles(); p50 != 500 || p99 != 990 || mx != 1000 {
		t.Fatalf("p50 %d p99 %d max %d", p50, p99, mx)
	}
	s.reset()
	if s.delivered != 0 || len(s.samples) != 0 || s.hash != fnvOffset {
		t.Fatalf("reset left %+v", s)
	}
}

func TestFNV1a(t *testing.T) {
	// Reference values of 64-bit FNV-1a.
	if h := fnv1a(fnvOffset, nil); h != 0xcbf29ce484222325 {
		t.Fatalf("empty: %x", h)
	}
	if h := fnv1a(fnvOffset, []byte("a")); h != 0xaf63dc4c8601ec8c {
		t.Fatalf("a: %x", h)
	}
	if h := fnv1a(fnvOffset, []byte("foobar")); h != 0x85944171f73967e8 {
		t.Fatalf("foobar: %x", h)
	}
}

func FuzzParseHeader(f *testing.F) {
	b := builder{tag: "seed"}
	f.Add(bytes.Clone(b.build(7, 300, 42)))
	f.Add([]byte("tag 1 2\n"))
	f.Add([]byte("tag 01 2\n"))
	f.Add([]byte{0, 1, 2, '\n'})
	f.Fuzz(func(t *testing.T, p []byte) {
		h, ok := parseHeader(p)
		if !ok {
			return
		}
		fillerOK(p, h)
		// What parses is what a peer with that tag would have written.
		want := string(h.tag) + " " + strconv.FormatUint(h.seq, 10) + " " + strconv.FormatUint(h.mono, 10) + "\n"
		if string(p[:h.len]) != want {
			t.Fatalf("%q parsed as %q", p[:h.len], want)
		}
	})
}
