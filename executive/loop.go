package executive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"goais/ipc"
	"goais/logging"
	"goais/totem"
	"goais/transport"
)

// Run runs the node until ctx is cancelled, Shutdown is called or a client
// asks for shutdown; then it leaves the ring cleanly (the other nodes see a
// leave, not a failure) and returns nil. It returns an error if the
// transport fails. Run must be called once.
func (e *Executive) Run(ctx context.Context) error {
	defer close(e.exited)
	defer e.closeAll()

	bufSize := max(e.node.Config().NetMTU+256, minRecvBuf)
	stopReader := make(chan struct{})
	defer close(stopReader)
	e.rings.start(bufSize, stopReader)

	var ipcEvents <-chan ipc.Event
	if e.s.IPC != nil {
		ipcEvents = e.s.IPC.Events()
	}
	e.log.Log(ctx, logging.LevelNotice, fmt.Sprintf("Node %d (%s transport) starting the Totem ring; ring seq starts above %d",
		e.NodeID(), e.s.TransportName, e.node.Config().RingSeq))

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		e.now = time.Now()
		e.checkScheduling()
		if err := e.flush(); err != nil {
			return err
		}
		e.engine.Pump()
		e.engine.Flush()
		if len(e.rings.reports) > 0 {
			e.sendFaultyReports()
		}
		if !e.engine.Syncing() {
			e.pumpLoad()
		}
		if err := e.flush(); err != nil {
			return err
		}

		wake := e.pause.deadline()
		if d := e.node.NextDeadline(); !d.IsZero() && d.Before(wake) {
			wake = d
		}
		if d := e.ringsDeadline(); !d.IsZero() && d.Before(wake) {
			wake = d
		}
		timer.Reset(max(wake.Sub(e.now), 0))

		select {
		case b := <-e.rings.full(0):
			e.now = time.Now()
			e.checkScheduling()
			e.stepBatch(0, b)
			e.rings.recv[0].free <- b
		case b := <-e.rings.full(1):
			e.now = time.Now()
			e.checkScheduling()
			e.stepBatch(1, b)
			e.rings.recv[1].free <- b
		case <-timer.C:
			e.now = time.Now()
			e.checkScheduling()
			e.tickRings()
			e.node.Tick(e.now)
		case ev, ok := <-ipcEvents:
			if !ok {
				ipcEvents = nil
				continue
			}
			e.now = time.Now()
			e.handleIPC(ev)
		case f := <-e.calls:
			f()
		case err := <-e.rings.errc(0):
			if errors.Is(err, transport.ErrClosed) {
				return nil
			}
			return fmt.Errorf("executive: transport: %w", err)
		case err := <-e.rings.errc(1):
			if errors.Is(err, transport.ErrClosed) {
				return nil
			}
			return fmt.Errorf("executive: ring 1 transport: %w", err)
		case <-e.leave:
			return e.leaveRing()
		case <-ctx.Done():
			return e.leaveRing()
		}
	}
}

// flush acts on the core's output until there is none: persist the ring
// seq, send, then hand events upward (which may propose more).
func (e *Executive) flush() error {
	for e.node.HasReady() {
		rd := e.node.Ready()
		if rd.PersistRingSeq {
			if err := storeRingSeq(e.s.StateDir, e.NodeID(), rd.RingSeq); err != nil {
				// Without the seq a restart could reuse a ring id:
				// running on would risk the ring, so stop.
				e.node.Advance()
				return fmt.Errorf("executive: %w", err)
			}
		}
		if len(rd.Datagrams) > 0 {
			if err := e.rings.send(rd.Datagrams); err != nil {
				e.log.Error("send failed", "err", err)
			}
		}
		for i := range rd.Events {
			e.handleEvent(&rd.Events[i])
		}
		e.node.Advance()
	}
	return nil
}

// checkScheduling warns when the loop was not scheduled for longer than
// 0.8 × token, in corosync's words.
func (e *Executive) checkScheduling() {
	gap, late := e.pause.wake(e.now)
	if late {
		e.log.Warn(fmt.Sprintf("Main process was not scheduled (@%s) for %0.4f ms (threshold is %0.4f ms). Consider token timeout increase.",
			e.now.Format("2006-01-02 15:04:05.000"),
			float64(gap)/float64(time.Millisecond), float64(e.pause.threshold)/float64(time.Millisecond)))
	}
}

// leaveRing sends the leave message and returns.
func (e *Executive) leaveRing() error {
	e.now = time.Now()
	e.log.Log(context.Background(), logging.LevelNotice, "Leaving the ring: sending the leave message")
	e.node.Leave(e.now)
	return e.flush()
}

// closeAll closes the IPC server and the transport. The reply to a client
// that asked for the shutdown is given a moment to reach it first.
func (e *Executive) closeAll() {
	if c := e.shutdownBy; c != nil {
		for deadline := time.Now().Add(time.Second); c.Backlog() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	if e.s.IPC != nil {
		e.s.IPC.Close()
	}
	e.rings.close()
	e.log.Log(context.Background(), logging.LevelNotice, "Executive exiting")
}

// handleEvent passes one ordered event upward.
func (e *Executive) handleEvent(ev *totem.Event) {
	switch ev.Kind {
	case totem.EventDeliver:
		d := &ev.Deliver
		if err := e.asm.Deliver(d.Sender, d.Payload, d.BigEndian, e.deliverMessage(d)); err != nil {
			e.log.Warn("dropping a malformed packet", "from", d.Sender, "err", err)
		}
	case totem.EventConfig:
		e.configChange(&ev.Config)
	}
}

// configChange applies a configuration change: the services see it in
// order with the messages, and a regular one starts the sync protocol,
// whose completion acknowledges it (see syncComplete).
func (e *Executive) configChange(cc *totem.ConfigChange) {
	e.engine.ConfigChange(*cc)
	if cc.Type == totem.Transitional {
		for _, id := range cc.Left {
			e.asm.Forget(id)
			delete(e.view.joined, id)
		}
		e.load.transitional(cc)
		return
	}
	e.view.ring = cc.Ring
	e.view.members = append(e.view.members[:0], cc.Members...)
	e.view.configs++
	for _, id := range cc.Members {
		if _, ok := e.view.joined[id]; !ok {
			e.view.joined[id] = e.now
		}
	}
	if e.quorum == nil {
		// votequorum logs the members itself when its sync completes,
		// as corosync's does.
		e.log.Log(context.Background(), logging.LevelNotice, fmt.Sprintf("Members[%d]: %s", len(cc.Members), nodeList(cc.Members)))
	}
}

func nodeList(ids []totem.NodeID) string {
	s := ""
	for i, id := range ids {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprint(id)
	}
	return s
}
