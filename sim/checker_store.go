package sim

import (
	"fmt"
	"time"
)

// The message store keeps every sent message of a run compactly and
// without pointers (so the garbage collector never scans it):
//
//   - ids: MsgID -> message index. Counters are dense per (origin,
//     incarnation), so each such stream is a slice indexed by counter;
//     counters far outside a stream's range go to an overflow map.
//   - msgs: the chkMsg records, in chunks of chkMsgChunk, so growing never
//     copies more than one chunk.
//   - arena: the deliverer lists, in chunks that never move; each message
//     reserves room for one delivery per node and moves to a twice larger
//     reservation when restarted incarnations need more.

const (
	chkMsgShift   = 12
	chkMsgChunk   = 1 << chkMsgShift
	chkArenaShift = 16
	chkArenaChunk = 1 << chkArenaShift
	// chkDenseGap is how far past a stream's end a counter may jump and
	// still be stored densely.
	chkDenseGap = 1 << 12
)

// chkMsg is everything known about one sent message.
type chkMsg struct {
	id     MsgID
	sum    uint64
	sentAt time.Duration
	origin int32  // sending process
	dels   uint32 // arena offset of its deliverer list: chunk<<chkArenaShift | position
	ndel   uint16 // deliveries recorded
	cdel   uint16 // room reserved
	safe   bool
}

// chkStream maps the counters of one (origin, incarnation) to message
// indices (-1 for a counter not sent).
type chkStream struct {
	inc uint32
	idx []int32
}

type chkStore struct {
	streams  [][]chkStream // per node slot
	overflow map[MsgID]int32
	msgs     [][]chkMsg
	n        int32 // messages stored
	arena    [][]chkDeliv
	room     int // deliveries to reserve per message
}

func (s *chkStore) init(nodes, room int) {
	s.streams = make([][]chkStream, nodes)
	s.room = room
}

// msg returns message mi.
func (s *chkStore) msg(mi int32) *chkMsg {
	return &s.msgs[mi>>chkMsgShift][mi&(chkMsgChunk-1)]
}

func (s *chkStore) stream(slot int32, inc uint32, create bool) *chkStream {
	ss := s.streams[slot]
	for i := range ss {
		if ss[i].inc == inc {
			return &ss[i]
		}
	}
	if !create {
		return nil
	}
	s.streams[slot] = append(ss, chkStream{inc: inc})
	return &s.streams[slot][len(ss)]
}

// lookup returns the index of message id, sent by the node in slot.
func (s *chkStore) lookup(slot int32, id MsgID) (int32, bool) {
	if st := s.stream(slot, id.Incarnation, false); st != nil {
		if k := id.Counter - 1; k < uint64(len(st.idx)) {
			mi := st.idx[k]
			return mi, mi >= 0
		}
	}
	mi, ok := s.overflow[id]
	return mi, ok
}

// add stores a new message from the node in slot and returns it and its
// index. It panics if id was stored before.
func (s *chkStore) add(slot int32, id MsgID) (*chkMsg, int32) {
	if _, dup := s.lookup(slot, id); dup {
		panic(fmt.Sprintf("sim: Checker.Sent: message %v sent twice", id))
	}
	mi := s.n
	st := s.stream(slot, id.Incarnation, true)
	switch k := id.Counter - 1; {
	case k < uint64(len(st.idx)):
		st.idx[k] = mi
	case k < uint64(len(st.idx))+chkDenseGap:
		for uint64(len(st.idx)) < k {
			st.idx = append(st.idx, -1)
		}
		st.idx = append(st.idx, mi)
	default:
		if s.overflow == nil {
			s.overflow = make(map[MsgID]int32)
		}
		s.overflow[id] = mi
	}
	if mi&(chkMsgChunk-1) == 0 {
		// The first chunk starts small (short runs are common in tests) and
		// grows by append; no *chkMsg is kept across calls to add.
		size := chkMsgChunk
		if mi == 0 {
			size = 64
		}
		s.msgs = append(s.msgs, make([]chkMsg, 0, size))
	}
	ch := &s.msgs[len(s.msgs)-1]
	*ch = append(*ch, chkMsg{})
	s.n++
	m := s.msg(mi)
	m.id = id
	m.dels, m.cdel = s.reserve(s.room), uint16(s.room)
	return m, mi
}

// reserve returns the arena offset of room for n deliveries.
func (s *chkStore) reserve(n int) uint32 {
	last := len(s.arena) - 1
	if last < 0 || len(s.arena[last])+n > cap(s.arena[last]) {
		// Chunks double from 256 entries up to chkArenaChunk.
		size := 256
		if last >= 0 {
			size = min(2*cap(s.arena[last]), chkArenaChunk)
		}
		s.arena = append(s.arena, make([]chkDeliv, 0, max(size, n)))
		last++
	}
	pos := len(s.arena[last])
	s.arena[last] = s.arena[last][:pos+n]
	return uint32(last)<<chkArenaShift | uint32(pos)
}

// delivs returns the deliveries of m recorded so far.
func (s *chkStore) delivs(m *chkMsg) []chkDeliv {
	off := m.dels & (chkArenaChunk - 1)
	return s.arena[m.dels>>chkArenaShift][off : off+uint32(m.ndel) : off+uint32(m.cdel)]
}

// addDeliv records delivery d of m.
func (s *chkStore) addDeliv(m *chkMsg, d chkDeliv) {
	if m.ndel == m.cdel {
		if m.cdel >= chkArenaChunk/2 {
			panic("sim: Checker: too many deliveries of one message")
		}
		old := s.delivs(m)
		m.cdel *= 2
		m.dels = s.reserve(int(m.cdel))
		copy(s.delivs(m), old)
	}
	off := m.dels & (chkArenaChunk - 1)
	s.arena[m.dels>>chkArenaShift][off+uint32(m.ndel)] = d
	m.ndel++
}

// deliveredBy reports whether process pi delivered m.
func (s *chkStore) deliveredBy(m *chkMsg, pi int32) bool {
	for _, d := range s.delivs(m) {
		if d.proc == pi {
			return true
		}
	}
	return false
}
