package totem

// fifo is a queue of queued messages. Pops advance head; the backing slice
// is compacted when the dead prefix outgrows the live part, so a queue that
// never drains completely (a saturated sender) does not grow without bound
// and, once warm, does not allocate.
type fifo struct {
	items []queued
	head  int
}

func (f *fifo) len() int { return len(f.items) - f.head }

func (f *fifo) push(q queued) {
	if f.head > 0 && f.head >= len(f.items)-f.head {
		n := copy(f.items, f.items[f.head:])
		clear(f.items[n:])
		f.items = f.items[:n]
		f.head = 0
	}
	f.items = append(f.items, q)
}

func (f *fifo) pop() (queued, bool) {
	if f.head >= len(f.items) {
		return queued{}, false
	}
	q := f.items[f.head]
	f.items[f.head] = queued{}
	f.head++
	if f.head == len(f.items) {
		f.items = f.items[:0]
		f.head = 0
	}
	return q, true
}

func (f *fifo) reset() {
	clear(f.items)
	f.items = f.items[:0]
	f.head = 0
}
