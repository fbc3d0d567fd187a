package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
)

// SyncPhase is where the sync state machine stands.
type SyncPhase uint8

// The phases of a sync round. corosync's sync.c has three states (service
// list build, process, barrier); Idle, Done and Aborted make explicit what
// it leaves implicit in its ring id and the executive's sync_in_process.
const (
	// PhaseIdle: no round has started yet.
	PhaseIdle SyncPhase = iota
	// PhaseBuild: SERVICE_BUILD sent, waiting for every member's.
	PhaseBuild
	// PhaseProcess: the current service's SyncProcess has not yet
	// returned true.
	PhaseProcess
	// PhaseBarrier: this node's barrier for the current service is sent
	// (or queued), waiting for every member's.
	PhaseBarrier
	// PhaseDone: the round completed.
	PhaseDone
	// PhaseAborted: a configuration change interrupted the round; the next
	// regular configuration starts a new one.
	PhaseAborted
)

func (p SyncPhase) String() string {
	switch p {
	case PhaseIdle:
		return "idle"
	case PhaseBuild:
		return "build"
	case PhaseProcess:
		return "process"
	case PhaseBarrier:
		return "barrier"
	case PhaseDone:
		return "done"
	case PhaseAborted:
		return "aborted"
	}
	return "phase(" + strconv.Itoa(int(p)) + ")"
}

// syncEntry is one service of the round's union list.
type syncEntry struct {
	id     int32
	name   string
	syncer Syncer // nil for a dummy: a service some other member announced
}

// SyncDrops counts sync messages the state machine threw away.
type SyncDrops struct {
	OldRing    uint64 // ring id differs from the current round's (corosync: "for old ring - discarding")
	Malformed  uint64 // could not be decoded
	Unknown    uint64 // id neither BARRIER nor SERVICE_BUILD (corosync ignores them)
	Unexpected uint64 // right ring but wrong phase; correct peers never send these
}

// syncMachine is corosync 3.1.7's exec/sync.c (reference §5.3) as a
// deterministic state machine: inputs are configuration changes, delivered
// sync messages and Pump; outputs are sync messages for group "sync" and
// calls on the services' Syncer methods. It runs on the executive's loop
// goroutine and is not safe for concurrent use.
type syncMachine struct {
	self      NodeID
	send      func([]byte) error
	completed func()
	log       *slog.Logger

	phase     SyncPhase
	ring      RingID
	ringValid bool // false after an abort: every message is for an old ring
	members   []NodeID
	marked    []bool // parallel to members: SERVICE_BUILD or BARRIER seen this step
	trans     []NodeID
	list      []syncEntry
	index     int

	// abortAgain is set when an abort found the round in PhaseProcess.
	// corosync's sync_abort leaves its state at PROCESS, so the next
	// configuration change (the regular one after the transitional) calls
	// the same service's sync_abort once more; we do the same so that a
	// service sees exactly what it would see inside corosync.
	abortAgain bool

	// queue holds sync messages SendSync refused (ErrTryAgain), oldest
	// first. Pump resends them in order.
	queue [][]byte
	// warned is set once a non-try-again send error of the queue head was
	// logged, so that Pump does not repeat it on every call.
	warned bool

	drops SyncDrops
}

// saveTransitional remembers the transitional configuration's members, the
// trans list of the next round (corosync's sync_save_transitional).
func (m *syncMachine) saveTransitional(members []NodeID) {
	m.trans = slices.Clone(members)
}

// abort interrupts the round on a configuration change (sync_abort). Only
// a service whose process phase is under way is told; messages still
// queued belong to the old ring and are dropped, as receivers would drop
// them anyway.
func (m *syncMachine) abort() {
	inProcess := m.phase == PhaseProcess || (m.phase == PhaseAborted && m.abortAgain)
	if inProcess {
		e := m.list[m.index]
		m.debug("Aborting synchronization for %s", e.name)
		if e.syncer != nil {
			e.syncer.SyncAbort()
		}
	}
	m.abortAgain = inProcess
	m.phase = PhaseAborted
	m.ringValid = false
	m.queue = nil
	m.warned = false
}

// start begins a round on a regular configuration (sync_start and
// sync_servicelist_build_enter): announce the local sync services, then
// initialise them with the trans list cut down to the new members.
func (m *syncMachine) start(members []NodeID, ring RingID, local []Syncer) {
	m.phase = PhaseBuild
	m.ring, m.ringValid = ring, true
	m.members = slices.Clone(members)
	m.marked = make([]bool, len(members))
	m.index = 0
	m.abortAgain = false
	m.list = m.list[:0]
	ids := make([]int32, 0, len(local))
	for _, s := range local {
		m.list = append(m.list, syncEntry{id: int32(s.ID()), name: s.Name(), syncer: s})
		ids = append(ids, int32(s.ID()))
	}
	msg, err := AppendServiceBuild(nil, ring, ids)
	if err != nil {
		// Register keeps the number of syncers within the list's
		// capacity, so this cannot happen. Should it, take part with an
		// empty list rather than stall the ring: what a node runs must be
		// exactly what it announced, or the barrier counts differ.
		m.log.Error("cannot announce the local services", "err", err)
		m.list = m.list[:0]
		msg, _ = AppendServiceBuild(nil, ring, nil)
	}
	m.enqueue(msg)

	m.debug("call init for locally known services")
	var trans []NodeID
	for _, id := range m.trans {
		if slices.Contains(members, id) {
			trans = append(trans, id)
		}
	}
	// corosync keeps the cut-down list: a second regular configuration
	// without a transitional one in between would start from it.
	m.trans = trans
	for _, e := range m.list {
		e.syncer.SyncInit(slices.Clone(trans), slices.Clone(members), ring)
	}
}

// deliver handles one message of group "sync" in agreed order.
func (m *syncMachine) deliver(sender NodeID, msg []byte) {
	sm, err := DecodeSyncMessage(msg)
	switch {
	case errors.Is(err, ErrUnknownSyncMessage):
		m.drops.Unknown++
		m.debug("ignoring sync message from node %d: %v", sender, err)
		return
	case err != nil:
		m.drops.Malformed++
		m.log.Warn("dropping malformed sync message", "sender", sender, "err", err)
		return
	}
	if !m.ringValid || sm.Ring != m.ring {
		m.drops.OldRing++
		if sm.Kind == SyncBarrier {
			m.debug("barrier for old ring - discarding")
		} else {
			m.debug("service build for old ring - discarding")
		}
		return
	}
	switch sm.Kind {
	case SyncServiceBuild:
		m.serviceBuild(sender, sm.Services)
	case SyncBarrier:
		m.barrier(sender)
	}
}

// serviceBuild merges a member's service list into the union and, once
// every member's list is in, enters the process phase of the first
// service (sync_service_build_handler).
func (m *syncMachine) serviceBuild(sender NodeID, ids []int32) {
	if m.phase != PhaseBuild {
		// corosync would take it as a mark of the current step; a correct
		// member sends exactly one SERVICE_BUILD per ring, so this is
		// garbage and counting it as a barrier could only do harm.
		m.drops.Unexpected++
		m.debug("service build from node %d during %v - discarding", sender, m.phase)
		return
	}
	added := false
	for _, id := range ids {
		if !slices.ContainsFunc(m.list, func(e syncEntry) bool { return e.id == id }) {
			m.list = append(m.list, syncEntry{id: id, name: fmt.Sprintf("Unknown External Service (id = %d)", id)})
			added = true
		}
	}
	if added {
		slices.SortFunc(m.list, func(a, b syncEntry) int { return cmp.Compare(a.id, b.id) })
	}
	if m.mark(sender) {
		m.debug("sync service list %s", m.listString())
		m.debug("enter sync process")
		m.enterProcess()
	}
}

// barrier marks a member's barrier and, once every member's is in,
// activates the current service and moves on (sync_barrier_handler).
func (m *syncMachine) barrier(sender NodeID) {
	if m.phase != PhaseProcess && m.phase != PhaseBarrier {
		m.drops.Unexpected++
		m.debug("barrier from node %d during %v - discarding", sender, m.phase)
		return
	}
	if !m.mark(sender) {
		return
	}
	e := m.list[m.index]
	m.debug("Committing synchronization for %s", e.name)
	if e.syncer != nil {
		e.syncer.SyncActivate()
	}
	m.index++
	if m.index == len(m.list) {
		m.complete()
		return
	}
	m.enterProcess()
}

// mark records that sender's message of the current step arrived and
// reports whether every member's has. A sender outside the membership is
// not counted, as in corosync.
func (m *syncMachine) mark(sender NodeID) bool {
	if i := slices.Index(m.members, sender); i >= 0 {
		m.marked[i] = true
	} else {
		m.debug("sync message from node %d, not a member", sender)
	}
	return !slices.Contains(m.marked, false)
}

// enterProcess starts the process phase of the service at index
// (sync_process_enter). An empty union list completes at once.
func (m *syncMachine) enterProcess() {
	if len(m.list) == 0 {
		m.complete()
		return
	}
	m.phase = PhaseProcess
	clear(m.marked)
	m.process()
}

// process runs the current service's SyncProcess and, when it is done,
// sends the barrier. A dummy is done at once. Nothing runs while older
// sync messages wait in the queue, so that what the service multicasts
// cannot overtake them.
func (m *syncMachine) process() {
	if m.phase != PhaseProcess || len(m.queue) > 0 {
		return
	}
	if s := m.list[m.index].syncer; s != nil && !s.SyncProcess() {
		return // called again from Pump
	}
	m.phase = PhaseBarrier
	m.enqueue(AppendBarrier(nil, m.ring))
}

func (m *syncMachine) complete() {
	m.phase = PhaseDone
	m.completed()
}

// pump resends queued sync messages and retries an unfinished
// SyncProcess.
func (m *syncMachine) pump() {
	m.flush()
	m.process()
}

// pending reports whether pump has anything to do.
func (m *syncMachine) pending() bool {
	return len(m.queue) > 0 || m.phase == PhaseProcess
}

func (m *syncMachine) enqueue(msg []byte) {
	m.queue = append(m.queue, msg)
	m.flush()
}

// flush sends queued messages in order until the queue is empty or a send
// fails. Any failure keeps the message: ErrTryAgain is the expected one
// (the send queue is full), anything else is logged once per message.
func (m *syncMachine) flush() {
	for len(m.queue) > 0 {
		if err := m.send(m.queue[0]); err != nil {
			if !errors.Is(err, ErrTryAgain) && !m.warned {
				m.warned = true
				m.log.Warn("sending failed, will retry", "err", err)
			}
			return
		}
		m.queue[0] = nil
		m.queue = m.queue[1:]
		m.warned = false
	}
}

// listString formats the union list as corosync-style "[0, 2, 3, 5]".
func (m *syncMachine) listString() string {
	var b strings.Builder
	b.WriteByte('[')
	for i, e := range m.list {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.FormatInt(int64(e.id), 10))
	}
	b.WriteByte(']')
	return b.String()
}

// debug logs a corosync-worded line at debug level; nothing is formatted
// while debug is off.
func (m *syncMachine) debug(format string, args ...any) {
	if m.log.Enabled(context.Background(), slog.LevelDebug) {
		m.log.Debug(fmt.Sprintf(format, args...))
	}
}
