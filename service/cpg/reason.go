package cpg

import (
	"strconv"

	clientcpg "goais/client/cpg"
)

// Reason says why a process appears in a configuration change: libcpg's
// reasons, shared with the client library.
type Reason = clientcpg.Reason

// The reasons of libcpg.
const (
	ReasonUndefined = clientcpg.ReasonUndefined
	ReasonJoin      = clientcpg.ReasonJoin
	ReasonLeave     = clientcpg.ReasonLeave
	ReasonNodeDown  = clientcpg.ReasonNodeDown
	ReasonNodeUp    = clientcpg.ReasonNodeUp
	ReasonProcDown  = clientcpg.ReasonProcDown
)

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
