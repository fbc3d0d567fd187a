package mem

import "time"

// item is one copy in flight. It points at its link rather than storing the
// endpoints so that Pop can check the path without a map lookup.
type item struct {
	at   time.Time
	seq  uint64 // send order; breaks ties between equal delivery times
	link *link
	data []byte
}

// queue is a binary min-heap of items keyed by (at, seq). It is hand-rolled
// rather than built on container/heap because heap.Push and heap.Pop box
// every item in an interface, which allocates per packet.
type queue struct {
	items []item
}

func (q *queue) len() int { return len(q.items) }

func (q *queue) less(i, j int) bool {
	if c := q.items[i].at.Compare(q.items[j].at); c != 0 {
		return c < 0
	}
	return q.items[i].seq < q.items[j].seq
}

func (q *queue) push(it item) {
	q.items = append(q.items, it)
	q.up(len(q.items) - 1)
}

// pop removes and returns the minimum; the queue must not be empty.
func (q *queue) pop() item {
	last := len(q.items) - 1
	top := q.items[0]
	q.items[0] = q.items[last]
	q.items[last] = item{} // let the GC have the buffer if it is not released
	q.items = q.items[:last]
	if last > 0 {
		q.down(0)
	}
	return top
}

// init restores the heap order after items were removed in place.
func (q *queue) init() {
	for i := len(q.items)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

func (q *queue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			return
		}
		q.items[i], q.items[p] = q.items[p], q.items[i]
		i = p
	}
}

func (q *queue) down(i int) {
	n := len(q.items)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && q.less(r, c) {
			c = r
		}
		if !q.less(c, i) {
			return
		}
		q.items[i], q.items[c] = q.items[c], q.items[i]
		i = c
	}
}
