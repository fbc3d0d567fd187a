package wire

// seqBias implements sq.h's rollover rule: when either operand is above
// 0x80000000, both are shifted down by 0x10000 (mod 2^32) before comparing,
// so that sequence numbers near the wrap still order correctly.
func seqBias(a, b uint32) (uint32, uint32) {
	if a > 0x80000000 || b > 0x80000000 {
		return a - 0x10000, b - 0x10000
	}
	return a, b
}

// SeqLT reports a < b under corosync's rollover-safe comparison (sq_lt_compare).
func SeqLT(a, b uint32) bool {
	a, b = seqBias(a, b)
	return a < b
}

// SeqLTE reports a <= b under corosync's rollover-safe comparison (sq_lte_compare).
func SeqLTE(a, b uint32) bool {
	a, b = seqBias(a, b)
	return a <= b
}
