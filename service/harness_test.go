package service_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"

	"goais/internal/datadriven"
	"goais/logging"
	"goais/service"
	"goais/totem"
)

// maxDeliveries bounds one deliver command, so that a protocol that keeps
// talking fails the test instead of hanging it.
const maxDeliveries = 10000

// harness runs engines over a fake totally ordered bus: whatever a node
// sends is appended to one global stream, and deliver hands each message
// of the stream, in stream order, to every member of the current
// configuration, as Totem's agreed order does. Messages still in the
// stream at a configuration change are delivered after it, like messages
// Totem orders on the new ring after their sender queued them on the old
// one. Nothing is delivered from inside a send.
type harness struct {
	t       *testing.T
	nodes   []*hnode // ascending id
	stream  []hmsg
	members []service.NodeID // current configuration
	ringSeq uint64

	// nextRing and nextMembers are set by a transitional command and used
	// by the regular command that must follow it.
	nextRing    *service.RingID
	nextMembers []service.NodeID

	logOn    bool // engine log lines in the transcript
	configOn bool // services' ConfigChange calls in the transcript
	out      strings.Builder
	indent   string
}

// hnode is one node: an engine and its fake services, or a silent member
// without an engine that never sends anything.
type hnode struct {
	h    *harness
	id   service.NodeID
	eng  *service.Engine // nil: silent
	svcs []*fakeService  // ascending id
	prev []service.NodeID

	full        int // sends to refuse with ErrTryAgain
	regulars    int // regular configurations seen
	completions int
}

type hmsg struct {
	from  service.NodeID
	group string // "a" or "sync"
	data  []byte
}

func newHarness(t *testing.T) *harness { return &harness{t: t} }

// printf writes one transcript line for node id (0: no node prefix).
func (h *harness) printf(id service.NodeID, format string, args ...any) {
	h.out.WriteString(h.indent)
	if id != 0 {
		fmt.Fprintf(&h.out, "%d: ", id)
	}
	fmt.Fprintf(&h.out, format, args...)
	h.out.WriteByte('\n')
}

func (h *harness) node(id service.NodeID) *hnode {
	for _, n := range h.nodes {
		if n.id == id {
			return n
		}
	}
	return nil
}

// handle runs one command and returns its transcript.
func (h *harness) handle(t *testing.T, d *datadriven.TestData) string {
	h.t = t
	h.out.Reset()
	h.indent = ""
	var err error
	switch d.Cmd {
	case "node":
		err = h.cmdNode(d)
	case "service":
		err = h.cmdService(d)
	case "config":
		err = h.cmdConfig(d, true, true)
	case "transitional":
		err = h.cmdConfig(d, true, false)
	case "regular":
		err = h.cmdConfig(d, false, true)
	case "deliver":
		err = h.cmdDeliver(d)
	case "pump":
		err = h.cmdPump(d)
	case "full":
		err = h.cmdFull(d)
	case "exec":
		err = h.cmdExec(d)
	case "inject":
		err = h.cmdInject(d)
	case "status":
		h.cmdStatus()
	case "show", "hide":
		on := d.Cmd == "show"
		if d.Has("logs") {
			h.logOn = on
		}
		if d.Has("config") {
			h.configOn = on
		}
	default:
		err = fmt.Errorf("unknown command")
	}
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	return h.out.String()
}

// node id=(1,2,3) sync=(2,5) plain=(1) | node id=4 silent
func (h *harness) cmdNode(d *datadriven.TestData) error {
	ids, err := nodeList(d, "id")
	if err != nil {
		return err
	}
	syncIDs, err := serviceIDs(d, "sync")
	if err != nil {
		return err
	}
	plainIDs, err := serviceIDs(d, "plain")
	if err != nil {
		return err
	}
	for _, id := range ids {
		if h.node(id) != nil {
			return fmt.Errorf("node %d exists", id)
		}
		n := &hnode{h: h, id: id, prev: []service.NodeID{id}}
		if !d.Has("silent") {
			if n.eng, err = service.NewEngine(service.EngineConfig{
				Self:           id,
				SendSync:       n.sendSync,
				OnSyncComplete: n.syncComplete,
				Logger:         slog.New(&logHandler{n: n}),
			}); err != nil {
				return err
			}
			for _, sid := range syncIDs {
				s := &fakeService{n: n, id: sid}
				n.svcs = append(n.svcs, s)
				if err := n.eng.Register(&fakeSyncer{s}); err != nil {
					return err
				}
			}
			for _, sid := range plainIDs {
				s := &fakeService{n: n, id: sid}
				n.svcs = append(n.svcs, s)
				if err := n.eng.Register(s); err != nil {
					return err
				}
			}
			slices.SortFunc(n.svcs, func(a, b *fakeService) int { return int(a.id) - int(b.id) })
		}
		h.nodes = append(h.nodes, n)
		slices.SortFunc(h.nodes, func(a, b *hnode) int { return int(a.id) - int(b.id) })
	}
	return nil
}

// service node=(1,2) id=2 process-false=2 mcast=(x,y)
func (h *harness) cmdService(d *datadriven.TestData) error {
	ids, err := nodeList(d, "node")
	if err != nil {
		return err
	}
	sids, err := serviceIDs(d, "id")
	if err != nil || len(sids) != 1 {
		return fmt.Errorf("want one id=: %v", err)
	}
	for _, id := range ids {
		n := h.node(id)
		if n == nil {
			return fmt.Errorf("no node %d", id)
		}
		i := slices.IndexFunc(n.svcs, func(s *fakeService) bool { return s.id == sids[0] })
		if i < 0 {
			return fmt.Errorf("node %d has no service %d", id, sids[0])
		}
		s := n.svcs[i]
		if v, ok := d.Value("process-false"); ok {
			if s.processFalse, err = strconv.Atoi(v); err != nil {
				return err
			}
		}
		if a, ok := d.Arg("mcast"); ok {
			s.mcast = a.Vals
		}
	}
	return nil
}

// config members=(1,2,3): each member gets its transitional configuration
// (its previous members that remain) and then the regular one. The
// transitional and regular commands deliver the two halves separately.
func (h *harness) cmdConfig(d *datadriven.TestData, trans, regular bool) error {
	var members []service.NodeID
	var ring service.RingID
	if trans {
		var err error
		if members, err = nodeList(d, "members"); err != nil {
			return err
		}
		if len(members) == 0 {
			return fmt.Errorf("no members")
		}
		for _, id := range members {
			if h.node(id) == nil {
				return fmt.Errorf("no node %d", id)
			}
		}
		h.ringSeq += 4
		ring = service.RingID{Rep: members[0], Seq: h.ringSeq}
		h.printf(0, "ring %s members=%v", ringString(ring), members)
	} else {
		if h.nextRing == nil {
			return fmt.Errorf("regular without a transitional before it")
		}
		members, ring = h.nextMembers, *h.nextRing
		h.nextRing, h.nextMembers = nil, nil
	}
	h.members = members
	if trans && !regular {
		h.nextRing, h.nextMembers = &ring, members
	}
	h.indent = "  "
	defer func() { h.indent = "" }()
	for _, id := range members {
		n := h.node(id)
		if trans {
			var kept, left []service.NodeID
			for _, p := range n.prev {
				if slices.Contains(members, p) {
					kept = append(kept, p)
				} else {
					left = append(left, p)
				}
			}
			h.printf(id, "transitional members=%v left=%v", kept, left)
			if n.eng != nil {
				n.eng.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: kept, Left: left})
			}
			n.prev = kept
		}
		if regular {
			var joined []service.NodeID
			for _, m := range members {
				if !slices.Contains(n.prev, m) {
					joined = append(joined, m)
				}
			}
			h.printf(id, "regular members=%v joined=%v", members, joined)
			n.regulars++
			if n.eng != nil {
				n.eng.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: members, Joined: joined})
			}
			n.prev = slices.Clone(members)
		}
	}
	return nil
}

// deliver [n=K]: deliver the next K messages of the stream, or all of them
// including those sent while delivering.
func (h *harness) cmdDeliver(d *datadriven.TestData) error {
	limit := maxDeliveries
	if v, ok := d.Value("n"); ok {
		var err error
		if limit, err = strconv.Atoi(v); err != nil {
			return err
		}
	}
	for i := 0; len(h.stream) > 0; i++ {
		if i == limit {
			if !d.Has("n") {
				return fmt.Errorf("still delivering after %d messages", maxDeliveries)
			}
			break
		}
		m := h.stream[0]
		h.stream = h.stream[1:]
		h.indent = ""
		h.printf(0, "deliver %d->*: %s", m.from, describe(m))
		h.indent = "  "
		for _, id := range h.members {
			n := h.node(id)
			if n.eng == nil {
				continue
			}
			if m.group == "sync" {
				n.eng.DeliverSync(m.from, m.data)
			} else {
				n.eng.DeliverExec(m.from, m.data, false)
			}
		}
	}
	h.indent = ""
	return nil
}

// pump [node=(..)]: call Pump on the nodes that have work pending.
func (h *harness) cmdPump(d *datadriven.TestData) error {
	ids, err := nodeList(d, "node")
	if err != nil {
		return err
	}
	for _, n := range h.nodes {
		if n.eng == nil || (len(ids) > 0 && !slices.Contains(ids, n.id)) || !n.eng.Pending() {
			continue
		}
		h.indent = ""
		h.printf(n.id, "pump")
		h.indent = "  "
		n.eng.Pump()
	}
	h.indent = ""
	return nil
}

// full node=1 n=2: the node's next 2 sends fail with ErrTryAgain.
func (h *harness) cmdFull(d *datadriven.TestData) error {
	ids, err := nodeList(d, "node")
	if err != nil {
		return err
	}
	v, _ := d.Value("n")
	k, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("n=: %v", err)
	}
	for _, id := range ids {
		h.node(id).full = k
	}
	return nil
}

// exec node=1 id=2 fn=3 body=hello: a service multicasts an exec message.
func (h *harness) cmdExec(d *datadriven.TestData) error {
	ids, err := nodeList(d, "node")
	if err != nil || len(ids) != 1 || h.node(ids[0]) == nil {
		return fmt.Errorf("want one existing node=: %v", err)
	}
	sids, err := serviceIDs(d, "id")
	if err != nil || len(sids) != 1 {
		return fmt.Errorf("want one id=: %v", err)
	}
	fn, _ := d.Value("fn")
	f, err := strconv.ParseUint(fn, 10, 16)
	if err != nil {
		return fmt.Errorf("fn=: %v", err)
	}
	body, _ := d.Value("body")
	_ = h.node(ids[0]).mcast(sids[0], uint16(f), []byte(body))
	return nil
}

// inject node=1 group=sync hex=... | inject node=1 barrier ring=1.4 |
// inject node=1 build ring=1.4 services=(2,5): put a message from node 1
// into the stream as it is, bypassing the engine.
func (h *harness) cmdInject(d *datadriven.TestData) error {
	ids, err := nodeList(d, "node")
	if err != nil || len(ids) != 1 {
		return fmt.Errorf("want one node=: %v", err)
	}
	m := hmsg{from: ids[0], group: "sync"}
	if g, ok := d.Value("group"); ok {
		m.group = g
	}
	switch {
	case d.Has("hex"):
		v, _ := d.Value("hex")
		if m.data, err = hex.DecodeString(strings.ReplaceAll(v, " ", "")); err != nil {
			return err
		}
	case d.Has("barrier"), d.Has("build"):
		v, _ := d.Value("ring")
		ring, err := parseRing(v)
		if err != nil {
			return err
		}
		if d.Has("barrier") {
			m.data = service.AppendBarrier(nil, ring)
			break
		}
		a, _ := d.Arg("services")
		var list []int32
		for _, s := range a.Vals {
			x, err := strconv.ParseInt(s, 10, 32)
			if err != nil {
				return err
			}
			list = append(list, int32(x))
		}
		if m.data, err = service.AppendServiceBuild(nil, ring, list); err != nil {
			return err
		}
	default:
		return fmt.Errorf("want hex=, barrier or build")
	}
	h.stream = append(h.stream, m)
	h.printf(m.from, "inject %s", describe(m))
	return nil
}

func (h *harness) cmdStatus() {
	for _, n := range h.nodes {
		if n.eng == nil {
			h.printf(n.id, "silent")
			continue
		}
		h.printf(n.id, "%v completions=%d", n.eng.Status(), n.completions)
	}
	if len(h.stream) > 0 {
		h.printf(0, "stream: %d undelivered", len(h.stream))
	}
}

// sendSync is the node's EngineConfig.SendSync.
func (n *hnode) sendSync(msg []byte) error {
	return n.send(hmsg{from: n.id, group: "sync", data: msg}, "send")
}

// mcast is the node's Env.Mcast for service id.
func (n *hnode) mcast(id service.ID, fn uint16, body []byte) error {
	msg := service.AppendHeader(nil, id, fn, service.HeaderSize+len(body))
	msg = append(msg, body...)
	return n.send(hmsg{from: n.id, group: "a", data: msg}, "mcast")
}

func (n *hnode) send(m hmsg, verb string) error {
	if n.full > 0 {
		n.full--
		n.h.printf(n.id, "%s %s: try again", verb, describe(m))
		return service.ErrTryAgain
	}
	n.h.stream = append(n.h.stream, m)
	n.h.printf(n.id, "%s %s", verb, describe(m))
	return nil
}

func (n *hnode) syncComplete() {
	n.completions++
	n.h.printf(n.id, "sync complete")
	if n.completions > n.regulars {
		n.h.t.Errorf("node %d: %d completions after %d regular configurations", n.id, n.completions, n.regulars)
	}
	if n.eng.Syncing() {
		n.h.t.Errorf("node %d: still syncing in OnSyncComplete", n.id)
	}
}

// fakeService records what the engine calls into the transcript. Wrapped
// in a fakeSyncer it also takes part in sync: each round SyncProcess
// multicasts the mcast bodies (fn 0), retrying after ErrTryAgain, and then
// returns false processFalse times before returning true.
type fakeService struct {
	n            *hnode
	id           service.ID
	processFalse int
	mcast        []string

	sent      int // mcast bodies sent this round
	falseLeft int
}

func (s *fakeService) ID() service.ID { return s.id }
func (s *fakeService) Name() string   { return "svc" + strconv.Itoa(int(s.id)) }

func (s *fakeService) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	s.n.h.printf(s.n.id, "svc %d deliver from=%d fn=%d %q", s.id, sender, fn, msg[service.HeaderSize:])
}

func (s *fakeService) ConfigChange(cc totem.ConfigChange) {
	if !s.n.h.configOn {
		return
	}
	s.n.h.printf(s.n.id, "svc %d config %v", s.id, cc.Type)
}

type fakeSyncer struct{ *fakeService }

func (s *fakeSyncer) SyncInit(trans, members []service.NodeID, ring service.RingID) {
	s.sent, s.falseLeft = 0, s.processFalse
	s.n.h.printf(s.n.id, "svc %d SyncInit trans=%v members=%v ring=%s", s.id, trans, members, ringString(ring))
}

func (s *fakeSyncer) SyncProcess() bool {
	s.n.h.printf(s.n.id, "svc %d SyncProcess", s.id)
	for s.sent < len(s.mcast) {
		if err := s.n.mcast(s.id, 0, []byte(s.mcast[s.sent])); err != nil {
			s.n.h.printf(s.n.id, "svc %d SyncProcess -> not done", s.id)
			return false
		}
		s.sent++
	}
	if s.falseLeft > 0 {
		s.falseLeft--
		s.n.h.printf(s.n.id, "svc %d SyncProcess -> not done", s.id)
		return false
	}
	s.n.h.printf(s.n.id, "svc %d SyncProcess -> done", s.id)
	return true
}

func (s *fakeSyncer) SyncActivate() { s.n.h.printf(s.n.id, "svc %d SyncActivate", s.id) }
func (s *fakeSyncer) SyncAbort()    { s.n.h.printf(s.n.id, "svc %d SyncAbort", s.id) }

// logHandler writes the engine's log lines into the transcript while the
// log command has them on: "LEVEL [SUBSYS] message key=value".
type logHandler struct {
	n      *hnode
	subsys string
	attrs  []slog.Attr
}

func (l *logHandler) Enabled(context.Context, slog.Level) bool { return l.n.h.logOn }

func (l *logHandler) Handle(_ context.Context, r slog.Record) error {
	line := fmt.Sprintf("%s [%s] %s", r.Level, orDefault(l.subsys, "MAIN"), r.Message)
	add := func(a slog.Attr) bool {
		line += fmt.Sprintf(" %s=%v", a.Key, a.Value)
		return true
	}
	for _, a := range l.attrs {
		add(a)
	}
	r.Attrs(add)
	l.n.h.printf(l.n.id, "%s", line)
	return nil
}

func (l *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *l
	c.attrs = slices.Clone(l.attrs)
	for _, a := range attrs {
		if a.Key == logging.SubsysKey {
			c.subsys = a.Value.String()
			continue
		}
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (l *logHandler) WithGroup(string) slog.Handler { return l }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// describe formats a message of the stream.
func describe(m hmsg) string {
	if m.group == "sync" {
		sm, err := service.DecodeSyncMessage(m.data)
		if err != nil {
			return fmt.Sprintf("sync %d bytes (%v)", len(m.data), err)
		}
		s := fmt.Sprintf("sync %v ring=%s", sm.Kind, ringString(sm.Ring))
		if sm.Kind == service.SyncServiceBuild {
			s += fmt.Sprintf(" services=%v", sm.Services)
		}
		return s
	}
	id, fn, size, err := service.DecodeHeader(m.data, false)
	if err != nil {
		return fmt.Sprintf("exec %d bytes (%v)", len(m.data), err)
	}
	return fmt.Sprintf("exec svc %d fn %d %q", id, fn, m.data[service.HeaderSize:size])
}

func ringString(r service.RingID) string { return fmt.Sprintf("%x.%x", r.Rep, r.Seq) }

func parseRing(s string) (service.RingID, error) {
	rep, seq, ok := strings.Cut(s, ".")
	r, err1 := strconv.ParseUint(rep, 16, 32)
	q, err2 := strconv.ParseUint(seq, 16, 64)
	if !ok || err1 != nil || err2 != nil {
		return service.RingID{}, fmt.Errorf("bad ring %q, want rep.seq in hex", s)
	}
	return service.RingID{Rep: service.NodeID(r), Seq: q}, nil
}

func nodeList(d *datadriven.TestData, key string) ([]service.NodeID, error) {
	a, _ := d.Arg(key)
	var ids []service.NodeID
	for _, v := range a.Vals {
		x, err := strconv.ParseUint(v, 10, 32)
		if err != nil || x == 0 {
			return nil, fmt.Errorf("%s=: bad node id %q", key, v)
		}
		ids = append(ids, service.NodeID(x))
	}
	slices.Sort(ids)
	return ids, nil
}

func serviceIDs(d *datadriven.TestData, key string) ([]service.ID, error) {
	a, _ := d.Arg(key)
	var ids []service.ID
	for _, v := range a.Vals {
		x, err := strconv.ParseUint(v, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("%s=: bad service id %q", key, v)
		}
		ids = append(ids, service.ID(x))
	}
	return ids, nil
}
