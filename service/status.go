package service

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// SyncStatus is a snapshot of the engine's sync state, for logs, status
// tools and tests.
type SyncStatus struct {
	Syncing bool
	Phase   SyncPhase
	Ring    RingID // the round's ring; meaningless in PhaseIdle
	// Index is the position in Services of the service being synced.
	Index int
	// Services is the round's union list, ascending.
	Services []SyncService
	Members  []NodeID
	// Marked are the members whose SERVICE_BUILD (PhaseBuild) or BARRIER
	// (PhaseProcess, PhaseBarrier) of the current step arrived.
	Marked []NodeID
	// Queued is the number of sync messages waiting for room to send.
	Queued int
	Drops  SyncDrops
	// BadExec counts exec messages dropped for a bad header.
	BadExec uint64
}

// SyncService is one entry of the union list.
type SyncService struct {
	ID    int32
	Name  string
	Local bool // registered here; false for a dummy announced by others
}

// Status returns a snapshot of the sync state.
func (e *Engine) Status() SyncStatus {
	m := &e.sync
	s := SyncStatus{
		Syncing: e.syncing,
		Phase:   m.phase,
		Ring:    m.ring,
		Index:   m.index,
		Members: slices.Clone(m.members),
		Queued:  len(m.queue),
		Drops:   m.drops,
		BadExec: e.badExec,
	}
	for _, en := range m.list {
		s.Services = append(s.Services, SyncService{ID: en.id, Name: en.name, Local: en.syncer != nil})
	}
	for i, id := range m.members {
		if m.marked[i] {
			s.Marked = append(s.Marked, id)
		}
	}
	return s
}

// String formats the status on one line, dummies marked with "?":
// "syncing phase=barrier ring=1.8 index=1 services=[0? 2 5] members=[1 2 3] marked=[1 3]".
func (s SyncStatus) String() string {
	var b strings.Builder
	if s.Syncing {
		b.WriteString("syncing")
	} else {
		b.WriteString("synced")
	}
	fmt.Fprintf(&b, " phase=%v", s.Phase)
	if s.Phase != PhaseIdle {
		fmt.Fprintf(&b, " ring=%x.%x index=%d services=[", s.Ring.Rep, s.Ring.Seq, s.Index)
		for i, sv := range s.Services {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(strconv.FormatInt(int64(sv.ID), 10))
			if !sv.Local {
				b.WriteByte('?')
			}
		}
		fmt.Fprintf(&b, "] members=%v marked=%v", s.Members, s.Marked)
	}
	if s.Queued > 0 {
		fmt.Fprintf(&b, " queued=%d", s.Queued)
	}
	d := s.Drops
	if d != (SyncDrops{}) {
		fmt.Fprintf(&b, " dropped(old-ring=%d malformed=%d unknown=%d unexpected=%d)",
			d.OldRing, d.Malformed, d.Unknown, d.Unexpected)
	}
	if s.BadExec > 0 {
		fmt.Fprintf(&b, " bad-exec=%d", s.BadExec)
	}
	return b.String()
}
