package secure

// windowBits is the size of the replay window: how far behind the highest
// counter seen from a sender a datagram may arrive and still be accepted
// (once). Totem's own reordering is a window of at most a few hundred
// datagrams per token rotation; 2048 leaves a wide margin.
const windowBits = 2048

// replayReason says why a counter is refused.
type replayReason uint8

const (
	fresh     replayReason = iota
	duplicate              // its bit is set: accepted before
	tooOld                 // below the window: cannot tell, so refused
	olderBoot              // a new boot salt with a counter not above the highest
)

func (r replayReason) String() string {
	switch r {
	case duplicate:
		return "duplicate"
	case tooOld:
		return "older than the replay window"
	case olderBoot:
		return "older boot (replayed, or the sender's clock and state directory went back)"
	}
	return "fresh"
}

// window is the anti-replay state of one sender: the highest authenticated
// counter and a bitmap of the windowBits counters ending at it (counter c
// is bit c mod windowBits). The zero window has seen nothing but counter 0
// is not marked.
type window struct {
	high uint64
	bits [windowBits / 64]uint64
}

// check tells whether counter c may be accepted: not below the window, not
// already marked.
func (w *window) check(c uint64) replayReason {
	switch {
	case c > w.high:
		return fresh
	case w.high >= windowBits && c <= w.high-windowBits:
		return tooOld
	case w.bits[(c/64)%(windowBits/64)]&(1<<(c%64)) != 0:
		return duplicate
	}
	return fresh
}

// mark records counter c as accepted, sliding the window forward if c is
// above the highest counter. The caller has checked c.
func (w *window) mark(c uint64) {
	if c > w.high {
		if c-w.high >= windowBits {
			clear(w.bits[:])
		} else {
			w.clearRange(w.high+1, c)
		}
		w.high = c
	}
	w.bits[(c/64)%(windowBits/64)] |= 1 << (c % 64)
}

// clearRange clears the bits of counters lo..hi (inclusive; fewer than
// windowBits of them), a word at a time.
func (w *window) clearRange(lo, hi uint64) {
	for i := lo; ; {
		end := min(hi, i|63) // the last counter in i's word
		mask := ^uint64(0) << (i % 64)
		if end%64 != 63 {
			mask &= (1 << (end%64 + 1)) - 1
		}
		w.bits[(i/64)%(windowBits/64)] &^= mask
		if end == hi {
			return
		}
		i = end + 1
	}
}
