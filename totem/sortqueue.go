package totem

// sortQueueSize is QUEUE_RTR_ITEMS_SIZE_MAX: how many consecutive seqs a
// sort queue tracks. Messages outside [head, head+size) are ignored.
const sortQueueSize = 16384

// sqItem is one slot of a sort queue: the stored MCAST datagram (header and
// payload), whether the slot holds one, and how many tokens have shown the
// seq as missing (corosync's miss count).
type sqItem struct {
	data  []byte
	inuse bool
	miss  uint8
}

// sortQueue mirrors corosync's sq: a ring of slots indexed by seq, with head
// the lowest seq still tracked. All arithmetic is modular so it survives the
// 32-bit wrap.
type sortQueue struct {
	head  uint32 // lowest tracked seq (head_seqid)
	items []sqItem
	// top is the highest seq stored since the last reinit, valid while
	// stored is set (for Node.Holds, which scans the recovery queue).
	top    uint32
	stored bool
}

func newSortQueue() *sortQueue {
	return &sortQueue{items: make([]sqItem, sortQueueSize)}
}

func (q *sortQueue) slot(seq uint32) *sqItem {
	return &q.items[seq%sortQueueSize]
}

// inRange reports whether seq falls inside the tracked window.
func (q *sortQueue) inRange(seq uint32) bool {
	return seq-q.head < sortQueueSize
}

// get returns the datagram stored at seq, if any.
func (q *sortQueue) get(seq uint32) ([]byte, bool) {
	if !q.inRange(seq) {
		return nil, false
	}
	it := q.slot(seq)
	if !it.inuse {
		return nil, false
	}
	return it.data, true
}

// inuse reports whether seq holds a message.
func (q *sortQueue) inuse(seq uint32) bool {
	if !q.inRange(seq) {
		return false
	}
	return q.slot(seq).inuse
}

// add stores data at seq; the caller checked inRange and !inuse.
func (q *sortQueue) add(seq uint32, data []byte) {
	it := q.slot(seq)
	it.data = data
	it.inuse = true
	it.miss = 0
	if !q.stored || seq-q.head > q.top-q.head {
		q.top, q.stored = seq, true
	}
}

// missCount bumps and returns the miss count of an empty slot.
func (q *sortQueue) missCount(seq uint32) int {
	it := q.slot(seq)
	if it.miss < 255 {
		it.miss++
	}
	return int(it.miss)
}

// release forgets every seq up to and including upTo, handing each stored
// datagram to free (which may be nil), and moves head past it.
func (q *sortQueue) release(upTo uint32, free func([]byte)) {
	n := upTo - q.head + 1
	if n > sortQueueSize {
		// Releasing beyond the window: everything tracked goes.
		n = sortQueueSize
	}
	for i := uint32(0); i < n; i++ {
		it := q.slot(q.head + i)
		if it.inuse && free != nil {
			free(it.data)
		}
		*it = sqItem{}
	}
	q.head = upTo + 1
	if q.top-q.head >= sortQueueSize { // top released: nothing stored
		q.stored = false
	}
}

// reinit empties the queue and starts it at head. Stored datagrams are
// dropped, not recycled: after a recovery some of them alias buffers that
// the other queue still holds.
func (q *sortQueue) reinit(head uint32) {
	clear(q.items)
	q.head = head
	q.top, q.stored = 0, false
}
