package mem

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestQueueOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Unix(0, 0)
	var q queue
	var want []item
	for i := range 2000 {
		// Few distinct times, so that many ties must be broken by seq.
		it := item{at: base.Add(time.Duration(rng.IntN(50))), seq: uint64(i)}
		q.push(it)
		want = append(want, it)
		if i%7 == 0 { // interleave pops with pushes
			got := q.pop()
			j := slices.IndexFunc(want, func(w item) bool { return w.seq == got.seq })
			for _, w := range want {
				if c := w.at.Compare(got.at); c < 0 || c == 0 && w.seq < got.seq {
					t.Fatalf("pop returned (%v, %d) while (%v, %d) was queued", got.at, got.seq, w.at, w.seq)
				}
			}
			want = slices.Delete(want, j, j+1)
		}
	}
	// Removing arbitrary items and re-heapifying, as Detach does.
	kept := q.items[:0]
	for _, it := range q.items {
		if it.seq%3 != 0 {
			kept = append(kept, it)
		}
	}
	q.items = kept
	q.init()
	want = slices.DeleteFunc(want, func(w item) bool { return w.seq%3 == 0 })

	slices.SortFunc(want, func(a, b item) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(a.seq, b.seq))
	})
	for i, w := range want {
		got := q.pop()
		if !got.at.Equal(w.at) || got.seq != w.seq {
			t.Fatalf("pop %d = (%v, %d), want (%v, %d)", i, got.at, got.seq, w.at, w.seq)
		}
	}
	if q.len() != 0 {
		t.Fatalf("queue has %d items left", q.len())
	}
}
