package main

import (
	"bytes"
	"strconv"

	"golang.org/x/sys/unix"
)

// Payload format constants, shared with cpgpeer.c.
const (
	maxTag    = 64      // longest TAG
	maxHeader = 128     // a header's '\n' lies within this many bytes
	maxSize   = 1 << 20 // largest SIZE a command may ask for
	fillMod   = 251     // filler byte at offset i: (SEQ + i) % fillMod
)

// monoNow is CLOCK_MONOTONIC in nanoseconds, the clock the C peer reads,
// so that stamps compare across processes on one machine.
func monoNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic("gocpgpeer: clock_gettime(CLOCK_MONOTONIC): " + err.Error()) // cannot fail on Linux
	}
	return ts.Nano()
}

// fillStart is the filler byte at offset i of message seq, computed
// without overflow for any seq.
func fillStart(seq uint64, i int) byte {
	return byte((seq%fillMod + uint64(i)%fillMod) % fillMod)
}

// validTag reports whether t may be a TAG: 1 to maxTag bytes 0x21–0x7e.
func validTag(t string) bool {
	if len(t) == 0 || len(t) > maxTag {
		return false
	}
	for i := 0; i < len(t); i++ {
		if t[i] < 0x21 || t[i] > 0x7e {
			return false
		}
	}
	return true
}

// builder makes the payloads of one peer. The filler is rewritten only
// when the message, the header length or the size changed, so a retry
// after try-again just restamps the header.
type builder struct {
	tag      string
	buf      []byte
	fillSeq  uint64
	fillFrom int
	fillTo   int
}

// build returns message seq of size bytes (at least the header), stamped
// now; the slice is reused by the next call.
func (b *builder) build(seq uint64, size int, now int64) []byte {
	var hdr [maxHeader]byte
	h := append(hdr[:0], b.tag...)
	h = append(h, ' ')
	h = strconv.AppendUint(h, seq, 10)
	h = append(h, ' ')
	h = strconv.AppendInt(h, now, 10)
	h = append(h, '\n')
	n := max(size, len(h))
	if n > cap(b.buf) {
		b.buf = make([]byte, n)
		b.fillTo = 0 // force a refill
	}
	b.buf = b.buf[:n]
	copy(b.buf, h)
	if b.fillSeq != seq || b.fillFrom != len(h) || b.fillTo != n {
		v := fillStart(seq, len(h))
		for i := len(h); i < n; i++ {
			b.buf[i] = v
			if v++; v == fillMod {
				v = 0
			}
		}
		b.fillSeq, b.fillFrom, b.fillTo = seq, len(h), n
	}
	return b.buf
}

// header is a parsed "TAG SEQ MONO\n".
type header struct {
	tag  []byte // aliases the payload
	seq  uint64
	mono uint64
	len  int // including the '\n'
}

// parseHeader reads the header at the start of p: the bytes up to the
// first '\n' within maxHeader bytes, three fields separated by single
// spaces, TAG of 1–maxTag bytes 0x21–0x7e, SEQ and MONO canonical
// unsigned 64-bit decimals. ok is false for anything else.
func parseHeader(p []byte) (h header, ok bool) {
	end := bytes.IndexByte(p[:min(len(p), maxHeader)], '\n')
	if end < 0 {
		return header{}, false
	}
	line := p[:end]
	sp1 := bytes.IndexByte(line, ' ')
	if sp1 < 1 || sp1 > maxTag || !validTag(string(line[:sp1])) {
		return header{}, false
	}
	rest := line[sp1+1:]
	sp2 := bytes.IndexByte(rest, ' ')
	if sp2 < 0 {
		return header{}, false
	}
	seq, ok1 := parseU64(rest[:sp2])
	mono, ok2 := parseU64(rest[sp2+1:])
	if !ok1 || !ok2 {
		return header{}, false
	}
	return header{tag: line[:sp1], seq: seq, mono: mono, len: end + 1}, true
}

// parseU64 reads a canonical unsigned decimal: digits only, no leading
// zero unless it is "0", no overflow.
func parseU64(s []byte) (uint64, bool) {
	if len(s) == 0 || len(s) > 20 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	var v uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// fillerOK reports whether every byte of p after the header is the filler.
func fillerOK(p []byte, h header) bool {
	v := fillStart(h.seq, h.len)
	for _, c := range p[h.len:] {
		if c != v {
			return false
		}
		if v++; v == fillMod {
			v = 0
		}
	}
	return true
}

// FNV-1a, 64 bits.
const (
	fnvOffset = 0xcbf29ce484222325
	fnvPrime  = 0x100000001b3
)

func fnv1a(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}
