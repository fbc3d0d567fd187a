package main

import (
	"slices"
	"time"
)

// medianResult merges the rounds of one engine: each figure is the median
// of the rounds that measured it (a round that failed a measurement does
// not count for it). A shared machine's neighbours come and go; the
// median of rounds spread over the run resists them better than one long
// measurement.
func medianResult(rounds []*result) *result {
	out := &result{engine: rounds[0].engine, one: map[int]rate{}, three: map[int]rate{}}
	var ok []*result
	for _, r := range rounds {
		if r.err == nil {
			ok = append(ok, r)
		} else {
			out.err = r.err
		}
	}
	if len(ok) == 0 {
		return out
	}
	out.err = nil
	out.rounds = len(ok)
	for _, pick := range []func(*result) map[int]rate{
		func(r *result) map[int]rate { return r.one },
		func(r *result) map[int]rate { return r.three },
	} {
		dst := pick(out)
		for size := range pick(ok[0]) {
			var rs []rate
			var lastErr error
			for _, r := range ok {
				if rt := pick(r)[size]; rt.err == nil {
					rs = append(rs, rt)
				} else {
					lastErr = rt.err
				}
			}
			if len(rs) == 0 {
				dst[size] = rate{err: lastErr}
				continue
			}
			slices.SortFunc(rs, func(a, b rate) int {
				switch {
				case a.msgs < b.msgs:
					return -1
				case a.msgs > b.msgs:
					return 1
				}
				return 0
			})
			dst[size] = rs[len(rs)/2]
		}
	}
	out.p50, out.latErr = medianDuration(ok, func(r *result) (time.Duration, error) { return r.p50, r.latErr })
	out.p99, _ = medianDuration(ok, func(r *result) (time.Duration, error) { return r.p99, r.latErr })
	out.detect, out.detectErr = medianDuration(ok, func(r *result) (time.Duration, error) { return r.detect, r.detectErr })
	idle, err := medianDuration(ok, func(r *result) (time.Duration, error) { return time.Duration(r.rssIdle), r.rssErr })
	after, _ := medianDuration(ok, func(r *result) (time.Duration, error) { return time.Duration(r.rssAfter), r.rssErr })
	out.rssIdle, out.rssAfter, out.rssErr = int64(idle), int64(after), err
	return out
}

// medianDuration is the median of the rounds' values that have no error,
// or the last error when none has.
func medianDuration(rounds []*result, get func(*result) (time.Duration, error)) (time.Duration, error) {
	var vs []time.Duration
	var lastErr error
	for _, r := range rounds {
		if v, err := get(r); err == nil {
			vs = append(vs, v)
		} else {
			lastErr = err
		}
	}
	if len(vs) == 0 {
		return 0, lastErr
	}
	slices.Sort(vs)
	return vs[len(vs)/2], nil
}

// medianFloat is the median of vs (0 when empty).
func medianFloat(vs []float64) float64 {
	if len(vs) == 0 {
		return 0
	}
	vs = slices.Clone(vs)
	slices.Sort(vs)
	return vs[len(vs)/2]
}
