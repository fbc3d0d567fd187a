package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"goais/client/cpg"
	"goais/ipc"
)

// retryWait is how long a sender waits for events after try-again before
// it tries again, as the C peer's poll timeout.
const retryWait = time.Millisecond

// callError is a library call that failed: printed "error CALL: CODE";
// fatal ones (the connection is lost) end the program with status 2.
type callError struct {
	call string
	code int
}

func (e *callError) Error() string { return "error " + e.call + ": " + strconv.Itoa(e.code) }

func (e *callError) fatal() bool {
	return e.code == int(ipc.StatusLibrary) || e.code == int(ipc.StatusBadHandle)
}

// csCode is the corosync cs_error_t number of a library error: the
// executive's status, or CS_ERR_LIBRARY for a lost connection (and any
// other local failure), as libcpg reports those.
func csCode(err error) int {
	if se, ok := errors.AsType[*ipc.StatusError](err); ok {
		return int(se.Status)
	}
	return int(ipc.StatusLibrary)
}

func failed(call string, err error) *callError { return &callError{call: call, code: csCode(err)} }

// peer is one process group member driven by commands. Everything runs on
// one goroutine: commands, and the events they handle while they run.
type peer struct {
	ctx    context.Context
	c      *cpg.Client
	events <-chan cpg.Event
	out    io.Writer
	group  string
	nodeid uint32
	pid    uint32

	b       builder
	nextSeq uint64
	verbose bool
	joined  bool
	// initialTotem: the totem line libcpg's
	// CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF would deliver is still due.
	initialTotem bool

	st stats
	// Never reset: the windows of flood and watch.
	allDelivered, allBytes uint64

	line  []byte // output scratch
	vline []byte // the deliver line's scratch
}

func (p *peer) printf(format string, args ...any) { fmt.Fprintf(p.out, format, args...) }

// write prints p.line as one write.
func (p *peer) write() { _, _ = p.out.Write(p.line) }

// handle runs the callback of one event.
func (p *peer) handle(ev cpg.Event) error {
	switch e := ev.(type) {
	case *cpg.Delivery:
		p.deliver(e)
	case *cpg.Confchg:
		p.confchg(e)
		if p.initialTotem && p.lists(e.Joined) {
			return p.emulateInitialTotem()
		}
	case *cpg.TotemConfchg:
		p.initialTotem = false
		p.totem(e)
	}
	return nil
}

func (p *peer) lists(addrs []cpg.Address) bool {
	for _, a := range addrs {
		if a.NodeID == p.nodeid && a.PID == p.pid {
			return true
		}
	}
	return false
}

// emulateInitialTotem prints the totem line corosync sends a
// CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF client after its first join.
func (p *peer) emulateInitialTotem() error {
	p.initialTotem = false
	t, err := p.c.TotemMembership(p.ctx)
	if err != nil {
		if e := failed("cpg_dispatch", err); e.fatal() {
			return e
		}
		return nil // nothing to print; corosync would not fail here
	}
	p.totem(&t)
	return nil
}

func (p *peer) deliver(d *cpg.Delivery) {
	now := monoNow()
	h, parsed := parseHeader(d.Msg)
	ok := parsed && fillerOK(d.Msg, h)

	// "NODEID PID TAG SEQ\n", hashed, and the deliver line's middle.
	l := strconv.AppendUint(p.line[:0], uint64(d.NodeID), 10)
	l = append(l, ' ')
	l = strconv.AppendUint(l, uint64(d.PID), 10)
	if parsed {
		l = append(l, ' ')
		l = append(l, h.tag...)
		l = append(l, ' ')
		l = strconv.AppendUint(l, h.seq, 10)
	} else {
		l = append(l, " - -"...)
	}
	l = append(l, '\n')
	p.line = l

	p.st.hash = fnv1a(p.st.hash, l)
	p.st.delivered++
	p.st.bytes += uint64(len(d.Msg))
	p.allDelivered++
	p.allBytes += uint64(len(d.Msg))
	if d.NodeID == p.nodeid && d.PID == p.pid {
		p.st.self++
		if parsed {
			p.st.sample(now - int64(h.mono))
		}
	}

	if p.verbose {
		l = append(append(p.vline[:0], "deliver "...), l[:len(l)-1]...)
		l = append(l, ' ')
		l = strconv.AppendInt(l, int64(len(d.Msg)), 10)
		if ok {
			l = append(l, " ok\n"...)
		} else {
			l = append(l, " bad\n"...)
		}
		p.vline = l
		_, _ = p.out.Write(l)
	}
}

func (p *peer) confchg(c *cpg.Confchg) {
	l := append(p.line[:0], "confchg "...)
	l = strconv.AppendInt(l, monoNow(), 10)
	l = appendAddrs(l, " members=", c.Members, false)
	l = appendAddrs(l, " left=", c.Left, true)
	l = appendAddrs(l, " joined=", c.Joined, true)
	p.line = append(l, '\n')
	p.write()
}

func appendAddrs(l []byte, name string, addrs []cpg.Address, reasons bool) []byte {
	l = append(l, name...)
	for i, a := range addrs {
		if i > 0 {
			l = append(l, ',')
		}
		l = strconv.AppendUint(l, uint64(a.NodeID), 10)
		l = append(l, ':')
		l = strconv.AppendUint(l, uint64(a.PID), 10)
		if reasons {
			l = append(l, ':')
			l = strconv.AppendUint(l, uint64(a.Reason), 10)
		}
	}
	return l
}

func (p *peer) totem(t *cpg.TotemConfchg) {
	l := append(p.line[:0], "totem "...)
	l = strconv.AppendInt(l, monoNow(), 10)
	l = append(l, " ring="...)
	l = strconv.AppendUint(l, uint64(t.RingRep), 10)
	l = append(l, '.')
	l = strconv.AppendUint(l, t.RingSeq, 10)
	l = append(l, " members="...)
	for i, m := range t.Members {
		if i > 0 {
			l = append(l, ',')
		}
		l = strconv.AppendUint(l, uint64(m), 10)
	}
	p.line = append(l, '\n')
	p.write()
}

// lost is the error once the event stream has ended.
func (p *peer) lost() error {
	err := p.c.EventsErr()
	if err == nil {
		err = p.c.Err()
	}
	e := failed("cpg_dispatch", err)
	if !e.fatal() {
		e.code = int(ipc.StatusLibrary) // the stream ended: the connection is gone
	}
	return e
}

// pump handles every event ready now (cpg_dispatch CS_DISPATCH_ALL).
func (p *peer) pump() error {
	for {
		select {
		case ev, ok := <-p.events:
			if !ok {
				return p.lost()
			}
			if err := p.handle(ev); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

// wait waits up to d for an event, then handles every event ready.
func (p *peer) wait(d time.Duration) error {
	if d <= 0 {
		return p.pump()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case ev, ok := <-p.events:
		if !ok {
			return p.lost()
		}
		if err := p.handle(ev); err != nil {
			return err
		}
		return p.pump()
	case <-t.C:
		return nil
	}
}

// until handles events until the monotonic time deadline.
func (p *peer) until(deadline int64) error {
	for now := monoNow(); now < deadline; now = monoNow() {
		if err := p.wait(time.Duration(deadline - now)); err != nil {
			return err
		}
	}
	return nil
}

// sendOne multicasts the next message, handling events and retrying
// while flow control says try-again. With a deadline (>= 0) it gives up
// once that time has passed and reports sent false.
func (p *peer) sendOne(size int, deadline int64) (sent bool, err error) {
	for {
		msg := p.b.build(p.nextSeq, size, monoNow())
		err := p.c.Mcast(p.ctx, cpg.Agreed, msg)
		if err == nil {
			p.nextSeq++
			return true, p.pump() // take deliveries now: their time is measured
		}
		if !errors.Is(err, cpg.ErrTryAgain) {
			return false, failed("cpg_mcast_joined", err)
		}
		if deadline >= 0 && monoNow() >= deadline {
			return false, nil
		}
		if err := p.wait(retryWait); err != nil {
			return false, err
		}
	}
}

// retry repeats a join or leave while it answers try-again, for up to
// 30 s, handling events meanwhile.
func (p *peer) retry(call string, f func() error) error {
	deadline := time.Now().Add(startupTimeout)
	for {
		err := f()
		if err == nil {
			return nil
		}
		if !errors.Is(err, cpg.ErrTryAgain) || time.Now().After(deadline) {
			return failed(call, err)
		}
		if err := p.wait(100 * time.Millisecond); err != nil {
			return err
		}
	}
}
