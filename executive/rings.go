package executive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"goais/client/cfg"
	"goais/logging"
	"goais/service"
	"goais/totem"
	"goais/transport"
	"goais/transport/rrp"
)

// rings holds the ring transports (one, or two with the redundant ring
// protocol), their readers and, with two rings, the monitor that decides
// on which ring each datagram goes and which received tokens the core
// sees when.
type rings struct {
	tr      []transport.Transport
	recv    []*receiver
	monitor *rrp.Monitor // nil with one ring
	out     [][]transport.Datagram
	sendOn  []int // scratch for SendRings
	// reports are rings this node marked faulty and has not yet told the
	// other nodes about (the send queue was full).
	reports []int
}

func newRings(s *Settings) (*rings, error) {
	r := &rings{tr: []transport.Transport{s.Transport}}
	if s.Ring1 != nil {
		r.tr = append(r.tr, s.Ring1)
		m, err := rrp.New(s.RRP)
		if err != nil {
			return nil, fmt.Errorf("executive: %w", err)
		}
		r.monitor = m
	}
	r.out = make([][]transport.Datagram, len(r.tr))
	return r, nil
}

// start starts one reader per ring.
func (r *rings) start(bufSize int, stop <-chan struct{}) {
	for _, t := range r.tr {
		rc := newReceiver(bufSize)
		r.recv = append(r.recv, rc)
		go rc.run(t, stop)
	}
}

// full is ring i's channel of filled batches; nil (never ready) for a ring
// that does not exist.
func (r *rings) full(i int) <-chan *rxBatch {
	if i < len(r.recv) {
		return r.recv[i].full
	}
	return nil
}

func (r *rings) errc(i int) <-chan error {
	if i < len(r.recv) {
		return r.recv[i].err
	}
	return nil
}

// send hands the core's datagrams to the rings the monitor picks.
func (r *rings) send(dgs []totem.Datagram) error {
	for i := range r.out {
		r.out[i] = r.out[i][:0]
	}
	for _, d := range dgs {
		dg := transport.Datagram{To: uint32(d.To), Data: d.Data}
		if r.monitor == nil {
			r.out[0] = append(r.out[0], dg)
			continue
		}
		r.sendOn = r.monitor.SendRings(d.Data, r.sendOn[:0])
		for _, ring := range r.sendOn {
			r.out[ring] = append(r.out[ring], dg)
		}
	}
	var first error
	for i, t := range r.tr {
		if len(r.out[i]) == 0 {
			continue
		}
		if err := t.Send(r.out[i]); err != nil && !errors.Is(err, transport.ErrClosed) && first == nil {
			first = fmt.Errorf("ring %d: %w", i, err)
		}
		clear(r.out[i])
	}
	return first
}

// stats sums the counters of every ring.
func (r *rings) stats() transport.Stats {
	var sum transport.Stats
	for _, t := range r.tr {
		sum.Add(t.Stats())
	}
	return sum
}

func (r *rings) close() {
	for _, t := range r.tr {
		t.Close()
	}
}

// stepBatch feeds every datagram of b, received on ring, to the core,
// through the monitor with two rings. A datagram the core rejects
// (malformed, wrong version) is dropped and logged, rate-limited: a stray
// sender must not fill the log.
func (e *Executive) stepBatch(ring int, b *rxBatch) {
	m := e.rings.monitor
	for i := range b.n {
		p := &b.pkts[i]
		if m != nil {
			switch m.Receive(e.now, ring, p.Data()) {
			case rrp.Held, rrp.Drop:
				e.stepReleased()
				continue
			}
		}
		if err := e.node.Step(e.now, p.Data()); err != nil {
			if ok, more := e.badIn.allow(e.now, 10*time.Second); ok {
				e.log.Warn("dropping a datagram", "from", p.From, "ring", ring, "err", err, "suppressed", more)
			}
		}
		if m != nil {
			e.stepReleased()
		}
	}
}

// stepReleased steps the tokens the monitor held and now lets go, and
// queues the report of a ring it just marked faulty.
func (e *Executive) stepReleased() {
	m := e.rings.monitor
	for _, d := range m.Released() {
		if err := e.node.Step(e.now, d); err != nil {
			e.log.Warn("dropping a held datagram", "err", err)
		}
	}
	e.rings.reports = append(e.rings.reports, m.NewlyFaulty()...)
}

// sendFaultyReports tells every node about the rings this node marked
// faulty, so that all stop using them (rrp.Monitor.MarkFaulty).
func (e *Executive) sendFaultyReports() {
	r := e.rings
	for len(r.reports) > 0 {
		body := make([]byte, faultyReportSize-service.HeaderSize)
		putUint32LE(body[0:], uint32(r.reports[0]))
		putUint32LE(body[4:], uint32(e.NodeID()))
		if err := (env{e, service.RRP}).Mcast(fnRingFaulty, body); err != nil {
			if !errors.Is(err, service.ErrTryAgain) {
				e.log.Warn("cannot report a faulty ring", "ring", r.reports[0], "err", err)
				r.reports = r.reports[1:]
			}
			return // try again on the next turn of the loop
		}
		r.reports = r.reports[1:]
	}
}

// The rrp service's message: ring u32 and reporting nodeid u32 after the
// exec header.
const (
	fnRingFaulty     = 0
	faultyReportSize = service.HeaderSize + 8
)

// rrpSvc applies other nodes' faulty ring reports.
type rrpSvc struct{ e *Executive }

func (r rrpSvc) ID() service.ID                  { return service.RRP }
func (r rrpSvc) Name() string                    { return "rrp" }
func (r rrpSvc) ConfigChange(totem.ConfigChange) {}
func (r rrpSvc) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	m := r.e.rings.monitor
	if fn != fnRingFaulty || m == nil || sender == r.e.NodeID() || len(msg) < faultyReportSize {
		return
	}
	ring := getUint32(msg[service.HeaderSize:], bigEndian)
	if ring > 1 {
		return
	}
	m.MarkFaulty(r.e.now, int(ring), uint32(sender))
}

func getUint32(b []byte, bigEndian bool) uint32 {
	if bigEndian {
		return uint32(b[3]) | uint32(b[2])<<8 | uint32(b[1])<<16 | uint32(b[0])<<24
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// tickRings runs the monitor's timers.
func (e *Executive) tickRings() {
	if m := e.rings.monitor; m != nil && !m.NextDeadline().IsZero() && !e.now.Before(m.NextDeadline()) {
		m.Tick(e.now)
		e.stepReleased()
	}
}

// ringsDeadline is the monitor's next timer, zero if none.
func (e *Executive) ringsDeadline() time.Time {
	if m := e.rings.monitor; m != nil {
		return m.NextDeadline()
	}
	return time.Time{}
}

func (e *Executive) ringStatus() cfg.RingStatus {
	rs := cfg.RingStatus{NodeID: uint32(e.NodeID()), Transport: e.s.TransportName, RRPMode: "none", Secauth: e.s.Secauth}
	if rs.Secauth == "" {
		rs.Secauth = "off"
	}
	if m := e.rings.monitor; m != nil {
		rs.RRPMode = e.s.RRP.Mode.String()
		for _, st := range m.Status() {
			rs.Rings = append(rs.Rings, cfg.Ring{Number: st.Ring, Addr: st.Addr, Status: st.Status, Faulty: st.Faulty})
		}
	} else {
		for _, r := range e.s.Rings {
			rs.Rings = append(rs.Rings, cfg.Ring{
				Number: r.Number,
				Addr:   r.Addr.String(),
				Status: fmt.Sprintf("ring %d active with no faults", r.Number),
			})
		}
	}
	ts := e.rings.stats()
	rs.Dropped = cfg.Dropped{
		BadDigest:     ts.BadDigest,
		ShortEnvelope: ts.ShortEnvelope,
		Plaintext:     ts.Plaintext,
		Replayed:      ts.Replayed,
		Rejected:      ts.Rejected,
		Truncated:     ts.Truncated,
		Malformed:     e.node.Status().Stats.DecodeErrors,
	}
	return rs
}

// ringReenableSize is corosync's struct req_exec_cfg_ringreenable: the
// exec header and a mar_message_source_t (nodeid u32 @16, conn pointer
// @24). corosync 3 nodes in a mixed ring ignore it.
const (
	fnRingReenable     = 0
	ringReenableSize   = 32
	ringReenableNodeAt = 16
)

// requestRingReenable multicasts the re-enable request that every node,
// this one included, applies when it is delivered (ais-cfgtool -r).
func (e *Executive) requestRingReenable() error {
	body := make([]byte, ringReenableSize-service.HeaderSize)
	putUint32LE(body[ringReenableNodeAt-service.HeaderSize:], uint32(e.NodeID()))
	return env{e, service.CFG}.Mcast(fnRingReenable, body)
}

// cfgSvc is the cfg service's exec side: the ring re-enable request.
// corosync's other cfg messages (kill node, shutdown, reload, crypto
// reconfiguration) are ignored, as the reference allows.
type cfgSvc struct{ e *Executive }

func (c cfgSvc) ID() service.ID                  { return service.CFG }
func (c cfgSvc) Name() string                    { return "cfg" }
func (c cfgSvc) ConfigChange(totem.ConfigChange) {}
func (c cfgSvc) Deliver(sender service.NodeID, fn uint16, msg []byte, _ bool) {
	if fn != fnRingReenable {
		return
	}
	e := c.e
	e.log.Log(context.Background(), logging.LevelNotice, fmt.Sprintf("Re-enabling all failed rings (requested by node %d)", sender))
	if m := e.rings.monitor; m != nil {
		m.Reenable(e.now)
	}
}

func putUint32LE(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
