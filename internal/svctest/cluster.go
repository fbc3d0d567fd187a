package svctest

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"testing"

	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// NewServices builds the services of node self; the cluster registers them
// with the node's engine. env returns the Env a service with id sid must
// use (its Mcast stamps sid into the exec header).
type NewServices func(self service.NodeID, env func(sid service.ID) service.Env, log *slog.Logger) []service.Service

// Cluster is a set of in-process nodes on one ordered stream.
type Cluster struct {
	t     testing.TB
	build NewServices
	log   *slog.Logger
	dir   string

	calls chan func()
	ipcEv chan nodeEvent
	done  chan struct{}

	// Owned by the loop goroutine.
	nodes  []*Node
	stream []message
	held   bool
	limit  int
	ring   totem.RingID
}

// Node is one node of a Cluster.
type Node struct {
	c      *Cluster
	id     service.NodeID
	engine *service.Engine
	srv    *ipc.Server
	path   string
	alive  bool
	stop   chan struct{}
	synced int // sync rounds completed
}

type nodeEvent struct {
	n  *Node
	ev ipc.Event
}

// message is one entry of the agreed stream.
type message struct {
	sender service.NodeID
	sync   bool
	data   []byte
}

// Options configure a Cluster.
type Options struct {
	// Logger for the engines and services; nil discards. Lines carry the
	// attribute "node".
	Logger *slog.Logger
	// QueueLimit bounds the stream: Mcast returns service.ErrTryAgain when
	// that many messages wait. 0 means 4096.
	QueueLimit int
}

// New starts a cluster of nodes with ids 1..n, all in one ring after a
// completed sync round, and stops it when the test ends.
func New(t testing.TB, n int, build NewServices, opt Options) *Cluster {
	t.Helper()
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Cluster{
		t: t, build: build, log: log, dir: t.TempDir(),
		calls: make(chan func()), ipcEv: make(chan nodeEvent, 256), done: make(chan struct{}),
		limit: opt.QueueLimit, ring: totem.RingID{Rep: 1, Seq: 0},
	}
	if c.limit == 0 {
		c.limit = 4096
	}
	go c.loop()
	t.Cleanup(c.close)
	for i := 1; i <= n; i++ {
		c.Add(service.NodeID(i))
	}
	return c
}

// Socket is the IPC socket path of node id.
func (c *Cluster) Socket(id service.NodeID) string {
	return filepath.Join(c.dir, fmt.Sprintf("node%d", id), ipc.SocketName)
}

// RunDir is the run directory of node id (what client libraries' Dial
// take).
func (c *Cluster) RunDir(id service.NodeID) string {
	return filepath.Join(c.dir, fmt.Sprintf("node%d", id))
}

// Do runs f on the loop goroutine and waits for it, then for the stream to
// drain.
func (c *Cluster) Do(f func()) {
	ch := make(chan struct{})
	select {
	case c.calls <- func() { f(); close(ch) }:
	case <-c.done:
		c.t.Fatal("svctest: cluster stopped")
	}
	<-ch
}

// Service returns node id's service with the given id; call it inside Do.
func (c *Cluster) Service(node service.NodeID, id service.ID) service.Service {
	n := c.node(node)
	if n == nil {
		c.t.Fatalf("svctest: no live node %d", node)
	}
	s, ok := n.engine.Lookup(id)
	if !ok {
		c.t.Fatalf("svctest: node %d has no service %d", node, id)
	}
	return s
}

// Hold stops delivering the stream (messages queue up to QueueLimit);
// Release resumes.
func (c *Cluster) Hold()    { c.Do(func() { c.held = true }) }
func (c *Cluster) Release() { c.Do(func() { c.held = false }) }

// Syncing reports whether node id's engine is in a sync round.
func (c *Cluster) Syncing(id service.NodeID) bool {
	var s bool
	c.Do(func() { s = c.node(id).engine.Syncing() })
	return s
}

// Add starts node id and merges it into the ring: every node sees a
// transitional configuration (the old members; the new node itself
// alone) and a regular one with all members.
func (c *Cluster) Add(id service.NodeID) {
	c.t.Helper()
	n := &Node{c: c, id: id, path: c.Socket(id), stop: make(chan struct{})}
	eng, err := service.NewEngine(service.EngineConfig{
		Self:           id,
		SendSync:       func(msg []byte) error { return c.append(id, true, msg) },
		OnSyncComplete: func() { n.synced++ },
		Logger:         c.log.With("node", id),
	})
	if err != nil {
		c.t.Fatal(err)
	}
	n.engine = eng
	for _, s := range c.build(id, func(sid service.ID) service.Env { return env{c: c, id: id, sid: sid} }, c.log.With("node", id)) {
		if err := eng.Register(s); err != nil {
			c.t.Fatal(err)
		}
	}
	srv, err := ipc.Listen(ipc.ServerConfig{
		Path: n.path, AllowedGID: -1, Logger: c.log.With("node", id),
		Services: func(sid uint16) bool {
			s, ok := eng.Lookup(service.ID(sid))
			if !ok {
				return false
			}
			_, lib := s.(service.Library)
			return lib
		},
	})
	if err != nil {
		c.t.Fatal(err)
	}
	n.srv = srv
	go func() {
		for ev := range srv.Events() {
			select {
			case c.ipcEv <- nodeEvent{n, ev}:
			case <-c.done:
				return
			}
		}
	}()
	c.Do(func() {
		old := c.members()
		n.alive = true
		c.nodes = append(c.nodes, n)
		slices.SortFunc(c.nodes, func(a, b *Node) int { return int(a.id) - int(b.id) })
		c.reconfigure(old, c.members())
	})
}

// Crash stops node id abruptly: its IPC server closes (its clients see the
// connection drop), messages it sent that are still in the stream are
// delivered to the others first, then the others see it leave.
func (c *Cluster) Crash(id service.NodeID) {
	c.t.Helper()
	c.Do(func() {
		n := c.node(id)
		if n == nil {
			c.t.Fatalf("svctest: no live node %d", id)
		}
		c.drain()
		old := c.members()
		n.alive = false
		n.srv.Close()
		c.nodes = slices.DeleteFunc(c.nodes, func(x *Node) bool { return x == n })
		c.reconfigure(old, c.members())
	})
}

// reconfigure delivers a transitional and a regular configuration: nodes
// of old that stay see old∩new then new; nodes new to the ring see
// themselves then new.
func (c *Cluster) reconfigure(old, now []service.NodeID) {
	c.ring.Seq += 4
	if len(now) > 0 {
		c.ring.Rep = now[0]
	}
	var stayed, left, joined []service.NodeID
	for _, id := range old {
		if slices.Contains(now, id) {
			stayed = append(stayed, id)
		} else {
			left = append(left, id)
		}
	}
	for _, id := range now {
		if !slices.Contains(old, id) {
			joined = append(joined, id)
		}
	}
	for _, n := range c.nodes {
		trans := totem.ConfigChange{Type: totem.Transitional, Ring: c.ring, Members: stayed, Left: left}
		reg := totem.ConfigChange{Type: totem.Regular, Ring: c.ring, Members: now, Joined: joined}
		if !slices.Contains(old, n.id) {
			trans = totem.ConfigChange{Type: totem.Transitional, Ring: c.ring, Members: []service.NodeID{n.id}}
			reg.Joined = slices.DeleteFunc(slices.Clone(now), func(x service.NodeID) bool { return x == n.id })
		}
		n.engine.ConfigChange(trans)
		n.engine.ConfigChange(reg)
	}
}

func (c *Cluster) members() []service.NodeID {
	var ids []service.NodeID
	for _, n := range c.nodes {
		ids = append(ids, n.id)
	}
	return ids
}

func (c *Cluster) node(id service.NodeID) *Node {
	for _, n := range c.nodes {
		if n.id == id {
			return n
		}
	}
	return nil
}

// append queues one message on the stream.
func (c *Cluster) append(sender service.NodeID, sync bool, msg []byte) error {
	if len(c.stream) >= c.limit {
		return service.ErrTryAgain
	}
	c.stream = append(c.stream, message{sender: sender, sync: sync, data: slices.Clone(msg)})
	return nil
}

// drain delivers the stream to every live node, then lets engines and
// services send what waited for room, until nothing moves.
func (c *Cluster) drain() {
	for !c.held {
		for len(c.stream) > 0 && !c.held {
			m := c.stream[0]
			c.stream = c.stream[1:]
			for _, n := range c.nodes {
				if m.sync {
					n.engine.DeliverSync(m.sender, m.data)
				} else {
					n.engine.DeliverExec(m.sender, m.data, false)
				}
			}
		}
		for _, n := range c.nodes {
			n.engine.Pump()
			n.engine.Flush()
		}
		if len(c.stream) == 0 {
			return
		}
	}
}

func (c *Cluster) loop() {
	for {
		select {
		case f := <-c.calls:
			f()
		case ne := <-c.ipcEv:
			if ne.n.alive {
				c.handleIPC(ne.n, ne.ev)
			}
		case <-c.done:
			return
		}
		c.drain()
	}
}

func (c *Cluster) handleIPC(n *Node, ev ipc.Event) {
	s, ok := n.engine.Lookup(service.ID(ev.Conn.Service()))
	if !ok {
		if ev.Kind == ipc.EventRequest {
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusNotSupported, nil)
		}
		return
	}
	lib, ok := s.(service.Library)
	if !ok {
		if ev.Kind == ipc.EventRequest {
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusNotSupported, nil)
		}
		return
	}
	switch ev.Kind {
	case ipc.EventConnected:
		lib.LibConnect(ev.Conn)
	case ipc.EventRequest:
		lib.LibRequest(ev.Conn, ev.ReqID, ev.Fn, ev.Body)
	case ipc.EventDisconnected:
		lib.LibDisconnect(ev.Conn)
	}
}

func (c *Cluster) close() {
	for _, n := range c.nodes {
		n.srv.Close()
	}
	close(c.done)
}

// env is a node's service.Env.
type env struct {
	c   *Cluster
	id  service.NodeID
	sid service.ID
}

func (e env) NodeID() service.NodeID { return e.id }

func (e env) Mcast(fn uint16, body []byte) error {
	msg := service.AppendHeader(nil, e.sid, fn, service.HeaderSize+len(body))
	return e.c.append(e.id, false, append(msg, body...))
}
