package wire

import "testing"

// The rule (reference §2.8, sq.h): if either operand is above 0x80000000,
// subtract 0x10000 from both (mod 2^32), then compare as unsigned.
func TestSeqCompare(t *testing.T) {
	tests := []struct {
		a, b    uint32
		lt, lte bool
	}{
		// Plain small values.
		{0, 0, false, true},
		{0, 1, true, true},
		{1, 0, false, false},
		{5, 5, false, true},
		{100, 200, true, true},
		{200, 100, false, false},
		// The reference example: after recovery my_token_seq = 0xFFFFFFFF,
		// and the first token (token_seq 0) must not compare <= it.
		{0, 0xFFFFFFFF, false, false},
		{0xFFFFFFFF, 0, true, true},
		{0xFFFFFFFF, 0xFFFFFFFF, false, true},
		{0xFFFFFFFE, 0xFFFFFFFF, true, true},
		// Just past the wrap: seqs below 0x10000 come after high seqs.
		{0xFFFFFFFF, 1, true, true},
		{0xFFFF0000, 0xFFFF, true, true},
		{0xFFFF, 0xFFFF0000, false, false},
		// Around 0x80000000: the bias applies only strictly above it.
		{0x7FFFFFFF, 0x80000000, true, true},
		{0x80000000, 0x7FFFFFFF, false, false},
		{0x80000000, 0x80000000, false, true},
		{0x80000000, 0x80000001, true, true},
		{0x80000001, 0x80000000, false, false},
		{0x80000001, 0x80000001, false, true},
		// With the bias, a seq in [0, 0x10000) wraps to the top and
		// compares above anything biased from (0x80000000, 0xFFFFFFFF];
		// 0x10000 and up stay below.
		{0xFFFF, 0x80000001, false, false},
		{0x80000001, 0xFFFF, true, true},
		{0x10000, 0x80000001, true, true},
		{0x80000001, 0x10000, false, false},
		// Neither operand above 0x80000000: a plain comparison, no wrap.
		{0, 0x80000000, true, true},
		{0x80000000, 0, false, false},
	}
	for _, tt := range tests {
		if got := SeqLT(tt.a, tt.b); got != tt.lt {
			t.Errorf("SeqLT(%#x, %#x) = %v, want %v", tt.a, tt.b, got, tt.lt)
		}
		if got := SeqLTE(tt.a, tt.b); got != tt.lte {
			t.Errorf("SeqLTE(%#x, %#x) = %v, want %v", tt.a, tt.b, got, tt.lte)
		}
	}
}

// SeqLTE is SeqLT or equality, and SeqLT is irreflexive, for any operands.
func TestSeqConsistency(t *testing.T) {
	vals := []uint32{0, 1, 0xFFFF, 0x10000, 0x10001, 0x7FFFFFFF, 0x80000000, 0x80000001, 0x8000FFFF, 0x80010000, 0xFFFEFFFF, 0xFFFF0000, 0xFFFFFFFE, 0xFFFFFFFF}
	for _, a := range vals {
		if SeqLT(a, a) || !SeqLTE(a, a) {
			t.Errorf("%#x compared with itself", a)
		}
		for _, b := range vals {
			if SeqLTE(a, b) != (SeqLT(a, b) || a == b) {
				t.Errorf("SeqLTE(%#x, %#x) disagrees with SeqLT", a, b)
			}
		}
	}
}
