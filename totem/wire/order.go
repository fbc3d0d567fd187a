package wire

import (
	"encoding/binary"
	"math/bits"
	"slices"
)

// le is the only byte order this package emits (reference §0: "a Go node
// should always encode little-endian").
var le = binary.LittleEndian

// reader reads fields at fixed offsets in the sender's byte order. Callers
// check lengths first; reader itself does not.
type reader struct {
	b  []byte
	be bool // sender is big-endian: every multi-byte field is byte-swapped
}

func (r reader) u32(off int) uint32 {
	v := le.Uint32(r.b[off:])
	if r.be {
		v = bits.ReverseBytes32(v)
	}
	return v
}

func (r reader) u64(off int) uint64 {
	v := le.Uint64(r.b[off:])
	if r.be {
		v = bits.ReverseBytes64(v)
	}
	return v
}

func (r reader) nodeID(off int) NodeID { return NodeID(r.u32(off)) }

// ringID reads a 12-byte memb_ring_id: rep u32 at +0, seq u64 at +4. The two
// parts are swapped separately, as corosync's converters do.
func (r reader) ringID(off int) RingID {
	return RingID{Rep: r.nodeID(off), Seq: r.u64(off + 4)}
}

func putRingID(b []byte, id RingID) {
	le.PutUint32(b, uint32(id.Rep))
	le.PutUint64(b[4:], id.Seq)
}

// grow extends dst by n bytes and returns the whole slice and the new tail.
// The tail's old contents are unspecified; encoders overwrite all of it.
func grow(dst []byte, n int) (all, tail []byte) {
	l := len(dst)
	dst = slices.Grow(dst, n)[:l+n]
	return dst, dst[l:]
}

// resize returns s with length n, reusing its backing array when it is big
// enough, so decoding into a reused struct does not allocate. A nil s with
// n == 0 stays nil.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}
