package votequorum

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"goais/service"
	"goais/totem"
)

// Config configures a Votequorum: the quorum section of corosync.conf and
// the nodelist's quorum_votes.
type Config struct {
	// Votes is this node's votes; 0 means its NodeVotes entry, or 1.
	Votes uint32
	// ExpectedVotes is quorum.expected_votes; 0 derives it: the sum of
	// NodeVotes over the nodelist, or 1 when the nodelist is empty.
	ExpectedVotes uint32
	// NodeVotes is the nodelist's quorum_votes per node; a node listed
	// with 0 has 1 vote.
	NodeVotes map[service.NodeID]uint32
	// TwoNode is quorum.two_node: with the highest expected votes at 2,
	// one vote is quorum. corosync turns WaitForAll on with it unless the
	// configuration says otherwise; the caller sets both.
	TwoNode bool
	// WaitForAll is quorum.wait_for_all: not quorate until all expected
	// votes were present at once.
	WaitForAll bool
}

// NodeStatus is what votequorum knows of one member.
type NodeStatus struct {
	NodeID        service.NodeID
	Votes         uint32
	ExpectedVotes uint32
	Flags         uint32
	// HasInfo: the node sent NODEINFO since it joined (this node always
	// has its own). A member without it counts 0 votes, as corosync
	// lists it ("Unable to get node N info").
	HasInfo bool
}

// Status is the quorum state as of the last computation.
type Status struct {
	Quorate bool
	// ExpectedVotes is this node's expectation, as its NODEINFO sends it.
	ExpectedVotes uint32
	// HighestExpected is the highest expectation among the members with
	// NODEINFO and this node, raised to TotalVotes when that is higher.
	HighestExpected uint32
	TotalVotes      uint32
	Quorum          uint32
	// Nodes are the members of the configuration, ascending.
	Nodes []NodeStatus
}

// Stats counts messages votequorum did not use.
type Stats struct {
	// Malformed: messages that did not decode.
	Malformed uint64
	// Unknown: messages with a function id beyond QDEVICE_RECONFIGURE.
	Unknown uint64
	// Ignored: well-formed messages without effect here: NODEINFO about
	// another node than its sender or from outside the configuration,
	// RECONFIGURE of a node without NODEINFO or with an unknown param.
	Ignored uint64
	// Qdevice: quorum device messages (NODEINFO of node 0, QDEVICE_REG,
	// QDEVICE_RECONFIGURE), logged and otherwise ignored.
	Qdevice uint64
}

// info is one node's NODEINFO.
type info struct {
	votes, expected, flags uint32
}

// Votequorum is corosync's votequorum service as a member of the ring: it
// tells the others this node's votes in every sync round, collects
// theirs, and computes quorum. It implements service.Syncer. It belongs
// to the executive's loop goroutine and is not safe for concurrent use.
type Votequorum struct {
	env        service.Env
	log        *slog.Logger
	self       service.NodeID
	twoNode    bool
	waitForAll bool

	members []service.NodeID // the last regular configuration, ascending
	// nodes holds the NODEINFO of members, this node's own always (its
	// votes and expectation, which it sends).
	nodes map[service.NodeID]info
	// waiting: wait_for_all has not yet seen all expected votes at once.
	waiting bool

	status    Status
	announced bool // the quorate state last logged (vsf_quorum's primary_designated)

	round struct{ open, sent bool }

	stats Stats
}

var _ service.Syncer = (*Votequorum)(nil)

// New returns the votequorum service of the node env belongs to. log may
// be nil; the executive gives it the subsystem QUORUM (corosync logs these
// lines from votequorum and vsf_quorum under it).
func New(env service.Env, cfg Config, log *slog.Logger) *Votequorum {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	self := env.NodeID()
	votes := cfg.Votes
	if votes == 0 {
		votes = max(cfg.NodeVotes[self], 1)
	}
	expected := cfg.ExpectedVotes
	if expected == 0 {
		var sum uint64
		for _, v := range cfg.NodeVotes {
			sum += uint64(max(v, 1))
		}
		expected = uint32(min(max(sum, 1), 1<<32-1))
	}
	v := &Votequorum{
		env:        env,
		log:        log,
		self:       self,
		twoNode:    cfg.TwoNode,
		waitForAll: cfg.WaitForAll,
		nodes:      map[service.NodeID]info{self: {votes: votes, expected: expected}},
	}
	// Without members nothing is quorate; the status says so, and what
	// this node expects, until the first round.
	v.recompute()
	v.waiting = cfg.WaitForAll
	return v
}

// ID is service.Votequorum.
func (v *Votequorum) ID() service.ID { return service.Votequorum }

// Name is "votequorum".
func (v *Votequorum) Name() string { return "votequorum" }

// Status returns the quorum state as last computed: at the end of every
// sync round and on every change outside one.
func (v *Votequorum) Status() Status {
	s := v.status
	s.Nodes = slices.Clone(s.Nodes)
	return s
}

// Stats returns the counts of messages votequorum did not use.
func (v *Votequorum) Stats() Stats { return v.stats }

// ConfigChange forgets, at every regular configuration, the NODEINFO of
// nodes that are no longer members: a node that comes back counts no votes
// until it sends NODEINFO again.
func (v *Votequorum) ConfigChange(cc totem.ConfigChange) {
	if cc.Type != totem.Regular {
		return
	}
	v.members = slices.Sorted(slices.Values(cc.Members))
	maps.DeleteFunc(v.nodes, func(id service.NodeID, _ info) bool {
		return id != v.self && !v.isMember(id)
	})
}

func (v *Votequorum) isMember(id service.NodeID) bool {
	_, found := slices.BinarySearch(v.members, id)
	return found
}

// Deliver applies one exec message of service 5. Malformed messages are
// dropped and counted; quorum device messages are logged and ignored.
func (v *Votequorum) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	switch fn {
	case FnNodeInfo:
		m, err := DecodeNodeInfo(msg, bigEndian)
		if err != nil {
			v.malformed(sender, err)
			return
		}
		v.nodeInfo(sender, m)
	case FnReconfigure:
		m, err := DecodeReconfigure(msg, bigEndian)
		if err != nil {
			v.malformed(sender, err)
			return
		}
		v.reconfigure(sender, m)
	case FnQdeviceReg:
		m, err := DecodeQdeviceReg(msg, bigEndian)
		if err != nil {
			v.malformed(sender, err)
			return
		}
		v.stats.Qdevice++
		v.log.Info("ignoring a quorum device registration: goais runs no quorum device",
			"nodeid", sender, "operation", m.Operation, "qdevice", m.Name)
	case FnQdeviceReconfigure:
		m, err := DecodeQdeviceReconfigure(msg, bigEndian)
		if err != nil {
			v.malformed(sender, err)
			return
		}
		v.stats.Qdevice++
		v.log.Info("ignoring a quorum device reconfiguration: goais runs no quorum device",
			"nodeid", sender, "old", m.OldName, "new", m.NewName)
	default:
		v.stats.Unknown++
		v.rateLimited(v.stats.Unknown, "dropping an exec message with an unknown fn", "nodeid", sender, "fn", fn)
	}
}

// nodeInfo records a member's NODEINFO
// (message_handler_req_exec_votequorum_nodeinfo).
func (v *Votequorum) nodeInfo(sender service.NodeID, m NodeInfo) {
	v.debug("got nodeinfo message from cluster node %d", sender)
	v.debug("nodeinfo message[%d]: votes: %d, expected: %d flags: %d", m.NodeID, m.Votes, m.ExpectedVotes, m.Flags)
	switch {
	case m.NodeID == QdeviceNodeID:
		v.stats.Qdevice++
		v.debug("ignoring the quorum device's nodeinfo from node %d", sender)
		return
	case m.NodeID != sender:
		// Real daemons send only their own and their quorum device's;
		// one node may not set another's votes.
		v.stats.Ignored++
		v.debug("ignoring nodeinfo of node %d sent by node %d", m.NodeID, sender)
		return
	case !v.isMember(sender):
		v.stats.Ignored++
		v.debug("ignoring nodeinfo from node %d outside the configuration", sender)
		return
	}
	if v.waiting && sender != v.self && m.Flags&FlagQuorate != 0 && m.Flags&FlagWFAStatus == 0 {
		// A quorate member that is not waiting vouches that the
		// cluster was complete once: corosync ends wait_for_all on it,
		// so that a node joining a running cluster does not wait for
		// members that are gone.
		v.waiting = false
		v.debug("wait_for_all ended by quorate node %d", sender)
	}
	old, had := v.nodes[sender]
	now := info{votes: m.Votes, expected: m.ExpectedVotes, flags: m.Flags}
	v.nodes[sender] = now
	if !v.round.open && (!had || old != now) {
		v.recompute()
		v.announce(false)
	}
}

// reconfigure applies a RECONFIGURE
// (message_handler_req_exec_votequorum_reconfigure).
func (v *Votequorum) reconfigure(sender service.NodeID, m Reconfigure) {
	v.debug("got reconfigure message from cluster node %d for %d", sender, m.NodeID)
	switch m.Param {
	case ParamExpectedVotes:
		if m.Value == 0 {
			// corosync changes nothing for 0 either.
			v.stats.Ignored++
			return
		}
		for id, inf := range v.nodes {
			inf.expected = m.Value
			v.nodes[id] = inf
		}
		v.log.Info(fmt.Sprintf("expected votes set to %d by node %d", m.Value, sender))
	case ParamNodeVotes:
		inf, ok := v.nodes[m.NodeID]
		if !ok {
			v.stats.Ignored++
			v.debug("ignoring new votes of node %d, which sent no nodeinfo", m.NodeID)
			return
		}
		inf.votes = m.Value
		v.nodes[m.NodeID] = inf
		v.log.Info(fmt.Sprintf("votes of node %d set to %d by node %d", m.NodeID, m.Value, sender))
	case ParamCancelWFA:
		v.waiting = false
		v.log.Info(fmt.Sprintf("wait_for_all_status reset by user on node %d.", m.NodeID))
	default:
		v.stats.Ignored++
		v.debug("ignoring reconfigure param %d from node %d", m.Param, sender)
		return
	}
	v.recompute()
	if !v.round.open {
		v.announce(false)
	}
}

// malformed counts a dropped message and logs it.
func (v *Votequorum) malformed(sender service.NodeID, err error) {
	v.stats.Malformed++
	v.rateLimited(v.stats.Malformed, "dropping a malformed exec message", "nodeid", sender, "err", err)
}

// rateLimited logs a warning the first time and then at every power of two
// of count, so that a flood cannot flood the log.
func (v *Votequorum) rateLimited(count uint64, msg string, args ...any) {
	if count&(count-1) == 0 {
		v.log.Warn(msg, append(args, "dropped", count)...)
	}
}

// debug logs at debug level, formatting only when enabled.
func (v *Votequorum) debug(format string, args ...any) {
	if v.log.Enabled(context.Background(), slog.LevelDebug) {
		v.log.Debug(fmt.Sprintf(format, args...))
	}
}
