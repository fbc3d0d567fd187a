package cpg

import (
	"log/slog"
	"slices"
	"strings"

	"goais/service"
	"goais/totem"
)

// ClientID names one connected library (one IPC connection, corosync's
// cpg_pd). The caller chooses the values; CPG only compares them and
// calls back in ascending order.
type ClientID uint64

// Member is one process in a configuration change (libcpg's
// cpg_address): member lists carry ReasonUndefined, left and joined lists
// the reason of the change.
type Member struct {
	NodeID service.NodeID
	PID    uint32
	Reason Reason
}

// Group is one group and its members, in process-list order.
type Group struct {
	Name    string
	Members []Member
}

// Clients is how CPG reaches the connected libraries. The executive
// implements it; calls happen on its loop goroutine, inside CPG's methods,
// and must not call back into CPG. Slices passed are only valid during the
// call.
type Clients interface {
	// Confchg is libcpg's confchg callback for a client joined to group:
	// members is the group after the change, left and joined the
	// processes that went and came, with their reasons.
	Confchg(client ClientID, group string, members, left, joined []Member)
	// Deliver hands a client joined to group one message multicast by
	// process pid on node nodeid.
	Deliver(client ClientID, group string, nodeid service.NodeID, pid uint32, msg []byte)
	// TotemConfchg is libcpg's totem membership callback, sent to every
	// connected client at the end of each sync round.
	TotemConfchg(client ClientID, ring service.RingID, members []service.NodeID)
}

// process is one entry of corosync's process_info_list.
type process struct {
	node  service.NodeID
	pid   uint32
	group string
}

// groupNode keys the count of a node's processes in a group, which
// answers MCAST's "do we know the sender" test without a scan.
type groupNode struct {
	group string
	node  service.NodeID
}

// CPG is the closed process group service of one node: the replicated
// process list, the sync participant and the local clients. It implements
// service.Syncer. It belongs to the executive's loop goroutine and is not
// safe for concurrent use.
type CPG struct {
	env     service.Env
	clients Clients
	log     *slog.Logger

	// procs is the process list, sorted by nodeid then pid; processes
	// with equal keys (one pid in several groups) keep their insertion
	// order, as corosync's sorted insert does.
	procs []process
	// present counts procs per (group, node).
	present map[groupNode]int

	sync syncState

	// conns are the connected clients; byGroup indexes the joined (or
	// joining) ones by group, each list in ascending ClientID.
	conns   map[ClientID]*conn
	byGroup map[string][]*conn

	// outbox holds messages that must still go out in this order once the
	// ring takes them: PROCLEAVEs of clients that died and the remaining
	// fragments of a large Mcast.
	outbox []outMsg

	partials map[partialKey]*assembly
}

var _ service.Syncer = (*CPG)(nil)

// New returns the CPG service of the node env belongs to. clients receives
// the callbacks for local libraries; log may be nil.
func New(env service.Env, clients Clients, log *slog.Logger) *CPG {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CPG{
		env:      env,
		clients:  clients,
		log:      log,
		present:  make(map[groupNode]int),
		sync:     syncState{roundOpen: true},
		conns:    make(map[ClientID]*conn),
		byGroup:  make(map[string][]*conn),
		partials: make(map[partialKey]*assembly),
	}
}

// ID is service.CPG.
func (c *CPG) ID() service.ID { return service.CPG }

// Name is "cpg".
func (c *CPG) Name() string { return "cpg" }

// LocalNodeID is cpg_local_get: this node's id.
func (c *CPG) LocalNodeID() service.NodeID { return c.env.NodeID() }

// ConfigChange opens the sync window: from every configuration change until
// the round's SyncActivate, requests get service.ErrTryAgain. The process
// list itself changes only through sync, as in corosync.
func (c *CPG) ConfigChange(cc totem.ConfigChange) {
	c.sync.roundOpen = true
}

// MembershipGet is cpg_membership_get: the processes in group, sorted by
// nodeid then pid. It is empty for a group nobody joined.
func (c *CPG) MembershipGet(group string) []Member {
	var ms []Member
	for _, p := range c.procs {
		if p.group == group {
			ms = append(ms, Member{NodeID: p.node, PID: p.pid})
		}
	}
	return ms
}

// Groups lists every group with members, sorted by name: what
// cpg_iteration and ais-cpgtool show.
func (c *CPG) Groups() []Group {
	idx := make(map[string]int)
	var gs []Group
	for _, p := range c.procs {
		i, ok := idx[p.group]
		if !ok {
			i = len(gs)
			idx[p.group] = i
			gs = append(gs, Group{Name: p.group})
		}
		gs[i].Members = append(gs[i].Members, Member{NodeID: p.node, PID: p.pid})
	}
	slices.SortFunc(gs, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	return gs
}

// find returns the index of a process in procs, or -1.
func (c *CPG) find(node service.NodeID, pid uint32, group string) int {
	for i, p := range c.procs {
		if p.node == node && p.pid == pid && p.group == group {
			return i
		}
	}
	return -1
}

// known reports whether node has some process in group.
func (c *CPG) known(group string, node service.NodeID) bool {
	return c.present[groupNode{group, node}] > 0
}

// add inserts a process after every entry that sorts at or before it, as
// corosync's do_proc_join does. It reports false if it is there already.
func (c *CPG) add(p process) bool {
	if c.find(p.node, p.pid, p.group) >= 0 {
		return false
	}
	i := len(c.procs)
	for j, q := range c.procs {
		if q.node > p.node || (q.node == p.node && q.pid > p.pid) {
			i = j
			break
		}
	}
	c.procs = slices.Insert(c.procs, i, p)
	c.present[groupNode{p.group, p.node}]++
	return true
}

// removeAt drops procs[i] and whatever was being reassembled for it.
func (c *CPG) removeAt(i int) {
	p := c.procs[i]
	c.procs = slices.Delete(c.procs, i, i+1)
	k := groupNode{p.group, p.node}
	if c.present[k]--; c.present[k] <= 0 {
		delete(c.present, k)
	}
	delete(c.partials, partialKey(p))
}

// notify is corosync's notify_lib_joinlist: one configuration change of
// group to the local clients joined to it. The member list is the group
// as it stands, less the processes in left (a leaving process is removed
// after notify). A client's own join, coming back in agreed order,
// completes its join; its own LEAVE coming back ends its membership.
func (c *CPG) notify(group string, joined, left []Member) {
	list := c.byGroup[group]
	if len(list) == 0 {
		return
	}
	var members []Member
	for _, p := range c.procs {
		if p.group != group || slices.ContainsFunc(left, func(m Member) bool { return m.NodeID == p.node && m.PID == p.pid }) {
			continue
		}
		members = append(members, Member{NodeID: p.node, PID: p.pid})
	}
	self := c.env.NodeID()
	var unjoined []*conn
	for _, cl := range list {
		if len(joined) > 0 && joined[0].NodeID == self && joined[0].PID == cl.pid && cl.state == joinStarted {
			cl.state = joinCompleted
		}
		if cl.state == joinCompleted || cl.state == leaveStarted {
			c.clients.Confchg(cl.id, group, members, left, joined)
		}
		if len(left) > 0 && left[0].NodeID == self && left[0].PID == cl.pid && left[0].Reason == ReasonLeave {
			unjoined = append(unjoined, cl)
		}
	}
	for _, cl := range unjoined {
		c.unjoin(cl)
	}
}

// procJoin is corosync's do_proc_join: add the process and tell the group,
// unless it is known already.
func (c *CPG) procJoin(group string, pid uint32, node service.NodeID, reason Reason) {
	if !c.add(process{node: node, pid: pid, group: group}) {
		return
	}
	c.notify(group, []Member{{NodeID: node, PID: pid, Reason: reason}}, nil)
}

// procLeave is corosync's do_proc_leave: tell the group, then remove the
// process. Unlike corosync, a PROCLEAVE for a process the list does not
// hold is only logged: telling clients that a non-member left would
// contradict their member lists.
func (c *CPG) procLeave(group string, pid uint32, node service.NodeID, reason Reason) {
	i := c.find(node, pid, group)
	if i < 0 {
		c.log.Debug("procleave for a process not in the group", "group", group, "nodeid", node, "pid", pid)
		return
	}
	c.notify(group, nil, []Member{{NodeID: node, PID: pid, Reason: reason}})
	if i = c.find(node, pid, group); i >= 0 {
		c.removeAt(i)
	}
}
