package cpg

import "strconv"

// Reason says why a process appears in a configuration change, with
// libcpg's numbers (CPG_REASON_*). PROCLEAVE messages carry it on the wire.
type Reason uint32

// The reasons of libcpg.
const (
	// ReasonUndefined marks the entries of a member list.
	ReasonUndefined Reason = 0
	// ReasonJoin: the process joined with cpg_join.
	ReasonJoin Reason = 1
	// ReasonLeave: the process left with cpg_leave.
	ReasonLeave Reason = 2
	// ReasonNodeDown: the process's node left the ring.
	ReasonNodeDown Reason = 3
	// ReasonNodeUp: the process was already in the group on a node that
	// just joined the ring.
	ReasonNodeUp Reason = 4
	// ReasonProcDown: the process exited without leaving, or no JOINLIST
	// mentioned it in a sync round.
	ReasonProcDown Reason = 5
)

func (r Reason) String() string {
	switch r {
	case ReasonUndefined:
		return "undefined"
	case ReasonJoin:
		return "join"
	case ReasonLeave:
		return "leave"
	case ReasonNodeDown:
		return "nodedown"
	case ReasonNodeUp:
		return "nodeup"
	case ReasonProcDown:
		return "procdown"
	}
	return "reason(" + strconv.FormatUint(uint64(r), 10) + ")"
}

// FragType is the place of a PARTIAL_MCAST fragment in its message.
type FragType uint32

// Fragment types of PARTIAL_MCAST (libcpg's LIBCPG_PARTIAL_*).
const (
	FragFirst     FragType = 1
	FragContinued FragType = 2
	FragLast      FragType = 3
)

func (t FragType) String() string {
	switch t {
	case FragFirst:
		return "first"
	case FragContinued:
		return "continued"
	case FragLast:
		return "last"
	}
	return "type(" + strconv.FormatUint(uint64(t), 10) + ")"
}
