package totem

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"goais/totem/wire"
)

// State is the membership state of the SRP state machine (reference §3.1).
type State uint8

const (
	StateOperational State = iota + 1
	StateGather
	StateCommit
	StateRecovery
	// StateStopped follows Leave: the node sent its LEAVE and is silent.
	StateStopped
)

func (s State) String() string {
	switch s {
	case StateOperational:
		return "OPERATIONAL"
	case StateGather:
		return "GATHER"
	case StateCommit:
		return "COMMIT"
	case StateRecovery:
		return "RECOVERY"
	case StateStopped:
		return "STOPPED"
	}
	return "UNKNOWN"
}

// Errors returned by Propose.
var (
	// ErrQueueFull: the send queue is at Config.MaxQueue; try again later.
	ErrQueueFull = errors.New("totem: send queue full")
	// ErrTooLarge: the payload exceeds Config.MaxPayload.
	ErrTooLarge = errors.New("totem: message larger than the MTU allows")
	// ErrStopped: the node left the ring.
	ErrStopped = errors.New("totem: node stopped")
)

// Ready is what the caller must act on after a Step, Tick or Propose: persist
// the ring seq (before sending), put the datagrams on the network, and hand
// the events upward in order. Then call Advance. The slices stay valid until
// Advance.
type Ready struct {
	// PersistRingSeq is set when a commit installed a new ring id; RingSeq
	// must be stored (corosync's ringid_<nodeid> file) so that a restart
	// begins above it.
	PersistRingSeq bool
	RingSeq        uint64
	Datagrams      []Datagram
	Events         []Event
}

// queued is a message waiting for the token: a whole MCAST datagram whose
// seq and ring id are filled in when it is sent.
type queued struct {
	data []byte
}

// Node is one processor's Totem SRP state machine. It is not safe for
// concurrent use: one goroutine (the daemon's event loop, or the simulator)
// owns it. All inputs carry the current time; the node never reads a clock.
type Node struct {
	cfg Config
	id  NodeID
	log *slog.Logger

	state State

	// Membership (reference §3.3). procList and failedList keep insertion
	// order, like corosync's arrays; they are compared as sets.
	procList    []NodeID
	failedList  []NodeID
	consensus   map[NodeID]bool // nodes that sent a join agreeing with ours
	memb        []NodeID        // current ring members (my_memb_list)
	newMemb     []NodeID        // the ring being formed (my_new_memb_list)
	transMemb   []NodeID        // transitional members (my_trans_memb_list)
	deliverMemb []NodeID        // senders whose old-ring messages are delivered after the transitional config

	ringID         RingID // my_ring_id
	oldRingID      RingID // my_old_ring_id
	tokenRingIDSeq uint64 // highest ring seq seen in any join
	failedToRecv   bool

	// Old ring state saved on commit entry (old_ring_state_*).
	oldSaved      bool
	oldARU        uint32
	oldHighSeqRcv uint32

	// Ordering state (reference §3.6).
	myARU           uint32
	myHighSeqRcv    uint32
	myHighDelivered uint32
	myInstallSeq    uint32
	myLastARU       uint32
	myLastSeq       uint32
	lastReleased    uint32
	myARUCount      int
	myTokenSeq      uint32
	mySeqUnchanged  int
	myRotationCount int
	myRetransFlgCnt int
	myReceivedFlg   bool
	mySetRetransFlg bool
	myTokenHeld     bool
	myHighRingDeliv uint32
	orfTokenDiscard bool
	originatedORF   bool
	waitingTransAck bool

	// Flow control (fcc_calculate).
	myTRC uint32 // messages I sent last rotation
	myPBL uint32 // my backlog last rotation
	myCBL uint32 // my backlog now

	// Safe delivery: the lowest of the token aru on my last two visits.
	safeARU      uint32
	lastVisitARU uint32

	regular  *sortQueue // regular_sort_queue
	recovery *sortQueue // recovery_sort_queue
	// regularRing is the ring whose messages the regular queue holds.
	regularRing RingID

	newQueue     fifo // new_message_queue
	transQueue   fifo // new_message_queue_trans
	retransQueue fifo // retrans_message_queue

	// The last token sent (ORF or commit), for retransmission.
	lastToken   []byte
	lastTokenTo NodeID
	commitToken wire.CommitToken
	tokenTarget NodeID
	leaveNodes  map[NodeID]bool // nodes that announced a clean leave

	// Rate limit of the "Retransmit List" log line.
	rtrLogNext       time.Time
	rtrLogSuppressed int

	// Scratch decode targets, reused so the token path does not allocate.
	rxToken  wire.Token
	rxMcast  wire.Mcast
	rxInner  wire.Mcast
	rxJoin   wire.Join
	rxCommit wire.CommitToken
	rxMerge  wire.MergeDetect
	rxHold   wire.TokenHoldCancel
	txToken  wire.Token

	timers timers

	// Output for the caller.
	ready   Ready
	outBuf  []byte   // arena for encoded datagrams, reset on Advance
	bufPool [][]byte // free message buffers
	toFree  [][]byte // buffers released this step, pooled on Advance
	bufSize int

	stats   Stats
	defects Defects
}

// Stats counts protocol events for status displays and tests.
type Stats struct {
	TokensReceived     uint64
	MessagesSent       uint64
	MessagesRetrans    uint64
	GatherEntered      uint64
	CommitEntered      uint64
	RecoveryEntered    uint64
	OperationalEntered uint64
	TokenLost          uint64
	ConsensusTimeouts  uint64
	RecoveryOriginated uint64
	DecodeErrors       uint64
}

// Defects makes the node misbehave on purpose. It exists only so that tests
// can show the simulator's checker catches each class of bug; production
// code must leave it zero.
type Defects struct {
	// SwapDelivery delivers the second of two consecutive messages first.
	SwapDelivery bool
	// SkipRecoveryRetransmit leaves one old-ring message out of the
	// encapsulated copies sent in recovery.
	SkipRecoveryRetransmit bool
	// DropTransitional omits the transitional configuration change.
	DropTransitional bool
	// EarlySafe delivers safe messages as soon as they are contiguous,
	// without waiting for every member to hold them.
	EarlySafe bool
}

// NewNode creates a node that starts, as corosync does, in GATHER on the way
// to its singleton ring (NodeID, RingSeq+1 → +4). now is the current time.
func NewNode(cfg Config, now time.Time) (*Node, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:        cfg,
		id:         cfg.NodeID,
		log:        cfg.Logger,
		consensus:  make(map[NodeID]bool),
		regular:    newSortQueue(),
		recovery:   newSortQueue(),
		leaveNodes: make(map[NodeID]bool),
	}
	n.bufSize = max(cfg.NetMTU, 2*wire.McastHeaderSize+cfg.MaxPayload())
	n.ringID = RingID{Rep: n.id, Seq: cfg.RingSeq + 1}
	n.oldRingID = n.ringID
	n.regularRing = n.ringID
	n.tokenRingIDSeq = n.ringID.Seq
	n.memb = []NodeID{n.id}
	n.procList = []NodeID{n.id}
	n.gatherEnter(now, "interface change")
	return n, nil
}

// SetDefects injects the given defects (tests of the checker only).
func (n *Node) SetDefects(d Defects) { n.defects = d }

// ID returns the node id.
func (n *Node) ID() NodeID { return n.id }

// Config returns the node's defaulted configuration.
func (n *Node) Config() Config { return n.cfg }

// Status is a snapshot for status displays and tests.
type Status struct {
	State         State
	Ring          RingID
	Members       []NodeID
	ProcList      []NodeID
	FailedList    []NodeID
	ARU           uint32
	HighSeqRecv   uint32
	HighDelivered uint32
	Queued        int
	TokenHeld     bool
	Stats         Stats
}

// Status returns a snapshot of the node's state.
func (n *Node) Status() Status {
	return Status{
		State:         n.state,
		Ring:          n.ringID,
		Members:       append([]NodeID(nil), n.memb...),
		ProcList:      sortedCopy(n.procList),
		FailedList:    sortedCopy(n.failedList),
		ARU:           n.myARU,
		HighSeqRecv:   n.myHighSeqRcv,
		HighDelivered: n.myHighDelivered,
		Queued:        n.backlogAll(),
		TokenHeld:     n.myTokenHeld,
		Stats:         n.stats,
	}
}

// HasReady reports whether there is output to act on.
func (n *Node) HasReady() bool {
	return n.ready.PersistRingSeq || len(n.ready.Datagrams) > 0 || len(n.ready.Events) > 0
}

// Ready returns the output accumulated since the last Advance.
func (n *Node) Ready() Ready { return n.ready }

// Advance tells the node the caller has acted on Ready; the slices it held
// may now be reused.
func (n *Node) Advance() {
	n.ready.PersistRingSeq = false
	n.ready.Datagrams = n.ready.Datagrams[:0]
	for i := range n.ready.Events {
		n.ready.Events[i].Deliver.Payload = nil
	}
	n.ready.Events = n.ready.Events[:0]
	n.outBuf = n.outBuf[:0]
	n.bufPool = append(n.bufPool, n.toFree...)
	clear(n.toFree)
	n.toFree = n.toFree[:0]
}

// NextDeadline returns the earliest armed timer, or the zero time if none.
func (n *Node) NextDeadline() time.Time { return n.timers.next() }

// Propose queues payload (a totempg packet) for ordered multicast. safe asks
// for safe delivery: no member delivers it before every member holds it.
func (n *Node) Propose(now time.Time, payload []byte, safe bool) error {
	if n.state == StateStopped {
		return ErrStopped
	}
	if len(payload) > n.cfg.MaxPayload() {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(payload), n.cfg.MaxPayload())
	}
	q := &n.newQueue
	if n.waitingTransAck {
		q = &n.transQueue
	}
	if q.len() >= n.cfg.MaxQueue {
		return ErrQueueFull
	}
	buf := n.allocBuf(wire.McastHeaderSize + len(payload))
	m := wire.Mcast{
		Header:     wire.Header{Encapsulated: wire.NotEncapsulated, NodeID: n.id},
		SystemFrom: n.id,
	}
	if safe {
		m.Guarantee = 1
	}
	wire.PutMcastHeader(buf, &m)
	copy(buf[wire.McastHeaderSize:], payload)
	q.push(queued{data: buf})
	n.tokenHoldCancelSend()
	return nil
}

// QueueRoom reports how many more messages Propose accepts now.
func (n *Node) QueueRoom() int {
	if n.state == StateStopped {
		return 0
	}
	used := n.newQueue.len()
	if n.waitingTransAck {
		used = n.transQueue.len()
	}
	return n.cfg.MaxQueue - used
}

// TransAck ends the window opened by a regular configuration during which
// only the "trans" queue is sent (corosync's totempg_trans_ack, called when
// the sync protocol completes). Until then messages proposed earlier wait.
func (n *Node) TransAck() {
	n.waitingTransAck = false
}

// WaitingTransAck reports whether a configuration change awaits TransAck.
func (n *Node) WaitingTransAck() bool { return n.waitingTransAck }

// Leave sends the LEAVE message and stops the node (graceful shutdown).
func (n *Node) Leave(now time.Time) {
	if n.state == StateStopped {
		return
	}
	n.leaveMessageSend()
	n.state = StateStopped
	n.timers = timers{}
}

// Holds reports whether the node holds message seq of ring: stored in a
// sort queue (possibly as an encapsulated recovery copy) or already
// released after delivery. The simulator's safe-delivery and
// transitional-held checks use it.
//
// The recovery queue is searched in every state: it is emptied on entering
// RECOVERY and once OPERATIONAL, so outside RECOVERY it holds only the
// copies of an attempt abandoned for GATHER. Those count: the node did
// receive them, and another member may legitimately finish that recovery
// and deliver them after the node has left it.
func (n *Node) Holds(ring RingID, seq uint32) bool {
	if ring == n.regularRing {
		if wire.SeqLTE(seq, n.lastReleased) && n.lastReleased != 0 {
			return true
		}
		if n.regular.inuse(seq) {
			return true
		}
	}
	q := n.recovery
	if !q.stored {
		return false
	}
	for s := q.head; wire.SeqLTE(s, q.top); s++ {
		data, ok := q.get(s)
		if !ok || len(data) < wire.McastHeaderSize {
			continue
		}
		var inner wire.Mcast
		if err := wire.DecodeMcast(data[wire.McastHeaderSize:], &inner); err == nil &&
			inner.Ring == ring && inner.Seq == seq {
			return true
		}
	}
	return false
}

func sortedCopy(s []NodeID) []NodeID {
	c := append([]NodeID(nil), s...)
	sortNodes(c)
	return c
}
