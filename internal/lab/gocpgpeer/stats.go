package main

import "slices"

// maxSamples bounds the latency samples kept between resets.
const maxSamples = 2_000_000

// stats are what the stats command prints: every delivery since start or
// the last reset.
type stats struct {
	delivered uint64
	bytes     uint64
	self      uint64
	hash      uint64  // FNV-1a over "NODEID PID TAG SEQ\n" per delivery
	samples   []int64 // latencies of own messages, ns
}

func newStats() stats { return stats{hash: fnvOffset} }

// reset zeroes the counters, keeping the samples' memory.
func (s *stats) reset() { *s = stats{hash: fnvOffset, samples: s.samples[:0]} }

// sample records one latency of an own message, clamped at 0.
func (s *stats) sample(ns int64) {
	if len(s.samples) < maxSamples {
		s.samples = append(s.samples, max(ns, 0))
	}
}

// percentiles sorts the samples and returns p50, p99 (nearest rank) and
// the maximum, all 0 when there are none.
func (s *stats) percentiles() (p50, p99, maxNS int64) {
	n := len(s.samples)
	if n == 0 {
		return 0, 0, 0
	}
	slices.Sort(s.samples)
	return s.samples[nearestRank(50, n)-1], s.samples[nearestRank(99, n)-1], s.samples[n-1]
}

// nearestRank is the 1-based rank of the p-th percentile of n samples:
// ceil(p*n/100), at least 1.
func nearestRank(p, n int) int {
	return max((p*n+99)/100, 1)
}
