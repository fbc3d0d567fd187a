package cpg

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	clientcpg "goais/client/cpg"
	"goais/ipc"
	"goais/service"
)

// Limits on the messages held for one connection while the ring is busy.
// The client library keeps at most a window of requests in flight (see
// client/cpg), well below these; a client that ignores the window is told
// to try again past them instead of growing the executive's memory.
const (
	MaxHeldMessages = 256
	MaxHeldBytes    = 4 << 20
)

// Library is the CPG service with its IPC side: it serves client/cpg
// connections (service id 2) and implements Clients by sending their
// callbacks. The executive registers a Library with its engine.
//
// Multicasts are pipelined: a library sends them without waiting for each
// answer. When the ring cannot take one (queue full, sync in progress) it
// is held, in order, with the connection's later ones, and answered only
// when it goes out; every other request of that connection gets
// TRY_AGAIN until the held messages are gone, so a connection's requests
// keep their order. Held messages are bounded per connection by
// MaxHeldMessages and MaxHeldBytes.
type Library struct {
	*CPG
	log   *slog.Logger
	conns map[ClientID]*libConn
	// waiting lists connections with held messages, oldest first, so that
	// Flush serves them in turn.
	waiting []*libConn
	buf     []byte
}

// libConn is one library connection.
type libConn struct {
	conn      service.Conn
	id        ClientID
	held      []heldMcast
	heldBytes int
}

type heldMcast struct {
	reqID uint32
	msg   []byte
}

var (
	_ service.Library     = (*Library)(nil)
	_ service.Flusher     = (*Library)(nil)
	_ service.SyncWatcher = (*Library)(nil)
)

// NewLibrary returns the CPG of env's node serving IPC clients.
func NewLibrary(env service.Env, log *slog.Logger) *Library {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Library{log: log, conns: make(map[ClientID]*libConn)}
	l.CPG = New(env, callbacks{l}, log)
	return l
}

// LibConnect registers a connection.
func (l *Library) LibConnect(c service.Conn) {
	id := ClientID(c.ID())
	l.conns[id] = &libConn{conn: c, id: id}
	l.CPG.Connect(id)
}

// LibDisconnect forgets a connection: its held messages are dropped and,
// if it was in a group, every node sees it leave with PROCDOWN.
func (l *Library) LibDisconnect(c service.Conn) {
	id := ClientID(c.ID())
	if lc, ok := l.conns[id]; ok {
		l.unwait(lc)
		delete(l.conns, id)
	}
	l.CPG.ClientGone(id)
}

// LibRequest serves one request.
func (l *Library) LibRequest(c service.Conn, reqID uint32, fn uint16, body []byte) {
	lc, ok := l.conns[ClientID(c.ID())]
	if !ok { // a request before the connect event cannot happen; be safe
		l.LibConnect(c)
		lc = l.conns[ClientID(c.ID())]
	}
	if fn == clientcpg.FnMcast {
		l.mcast(lc, reqID, body)
		return
	}
	if len(lc.held) > 0 && fn != clientcpg.FnLocalGet {
		// Later requests must not overtake the held multicasts.
		c.Respond(reqID, fn, ipc.StatusTryAgain, nil)
		return
	}
	switch fn {
	case clientcpg.FnJoin:
		r, err := clientcpg.DecodeJoin(body)
		if err != nil {
			l.badRequest(c, reqID, fn, err)
			return
		}
		c.Respond(reqID, fn, status(l.CPG.Join(lc.id, r.PID, r.Group)), nil)
	case clientcpg.FnLeave:
		group, err := clientcpg.DecodeName(body)
		if err != nil {
			l.badRequest(c, reqID, fn, err)
			return
		}
		c.Respond(reqID, fn, status(l.CPG.Leave(lc.id, group)), nil)
	case clientcpg.FnMembershipGet:
		group, err := clientcpg.DecodeName(body)
		if err != nil {
			l.badRequest(c, reqID, fn, err)
			return
		}
		l.buf = clientcpg.AppendAddrs(l.buf[:0], addresses(l.CPG.MembershipGet(group)))
		c.Respond(reqID, fn, ipc.StatusOK, l.buf)
	case clientcpg.FnLocalGet:
		l.buf = le32(l.buf[:0], uint32(l.CPG.LocalNodeID()))
		c.Respond(reqID, fn, ipc.StatusOK, l.buf)
	case clientcpg.FnIteration:
		var gs []clientcpg.GroupMembers
		for _, g := range l.CPG.Groups() {
			gs = append(gs, clientcpg.GroupMembers{Name: g.Name, Members: addresses(g.Members)})
		}
		l.buf = clientcpg.AppendGroups(l.buf[:0], gs)
		c.Respond(reqID, fn, ipc.StatusOK, l.buf)
	case clientcpg.FnTotemGet:
		ring, members := l.CPG.TotemMembership()
		l.buf = clientcpg.AppendTotemConfchg(l.buf[:0], totemConfchg(ring, members))
		c.Respond(reqID, fn, ipc.StatusOK, l.buf)
	default:
		c.Respond(reqID, fn, ipc.StatusNotSupported, nil)
	}
}

// mcast sends, holds or refuses one multicast.
func (l *Library) mcast(lc *libConn, reqID uint32, body []byte) {
	r, err := clientcpg.DecodeMcast(body)
	if err != nil {
		l.badRequest(lc.conn, reqID, clientcpg.FnMcast, err)
		return
	}
	if len(lc.held) == 0 {
		err := l.send(lc, r.Msg)
		if !errors.Is(err, service.ErrTryAgain) {
			l.answerMcast(lc, reqID, status(err))
			return
		}
	}
	if len(lc.held) >= MaxHeldMessages || lc.heldBytes+len(r.Msg) > MaxHeldBytes+MaxMessageSize {
		l.answerMcast(lc, reqID, ipc.StatusTryAgain)
		return
	}
	if len(lc.held) == 0 {
		l.waiting = append(l.waiting, lc)
	}
	lc.held = append(lc.held, heldMcast{reqID: reqID, msg: r.Msg})
	lc.heldBytes += len(r.Msg)
}

// send multicasts msg to the group lc joined.
func (l *Library) send(lc *libConn, msg []byte) error {
	cl, ok := l.CPG.conns[lc.id]
	if !ok || cl.state == unjoined {
		return fmt.Errorf("%w: the client has not joined a group", ErrNotExist)
	}
	return l.CPG.Mcast(lc.id, cl.group, msg)
}

// answerMcast responds to a multicast with the connection's flow-control
// state.
func (l *Library) answerMcast(lc *libConn, reqID uint32, st ipc.Status) {
	fc := clientcpg.FlowControlDisabled
	if len(lc.held) > 0 || lc.conn.Backlog() > ipc.DefaultMaxBacklog/2 {
		fc = clientcpg.FlowControlEnabled
	}
	l.buf = clientcpg.AppendMcastResponse(l.buf[:0], clientcpg.McastResponse{FlowControl: fc})
	lc.conn.Respond(reqID, clientcpg.FnMcast, st, l.buf)
}

// Pending reports held multicasts or queued exec messages.
func (l *Library) Pending() bool { return l.CPG.Pending() || len(l.waiting) > 0 }

// Flush sends the CPG's queued exec messages, then the held multicasts,
// one connection after the other, until the ring refuses
// (service.ErrTryAgain) or all are out.
func (l *Library) Flush() error {
	if err := l.CPG.Flush(); err != nil {
		return err
	}
	for len(l.waiting) > 0 {
		lc := l.waiting[0]
		for len(lc.held) > 0 {
			h := lc.held[0]
			err := l.send(lc, h.msg)
			if errors.Is(err, service.ErrTryAgain) {
				return err
			}
			lc.held[0] = heldMcast{}
			lc.held = lc.held[1:]
			lc.heldBytes -= len(h.msg)
			l.answerMcast(lc, h.reqID, status(err))
		}
		lc.held = nil
		l.waiting = l.waiting[1:]
	}
	l.waiting = nil
	return nil
}

// SetSyncing passes the engine's sync window to the CPG and sends what
// waited once it closes.
func (l *Library) SetSyncing(on bool) {
	l.CPG.SetSyncing(on)
	if !on {
		_ = l.Flush() // what does not go now waits for the next Flush
	}
}

func (l *Library) unwait(lc *libConn) {
	l.waiting = slices.DeleteFunc(l.waiting, func(x *libConn) bool { return x == lc })
	lc.held, lc.heldBytes = nil, 0
}

func (l *Library) badRequest(c service.Conn, reqID uint32, fn uint16, err error) {
	l.log.Warn("rejecting a malformed request", "conn", c.ID(), "pid", c.Cred().PID, "fn", fn, "err", err)
	c.Respond(reqID, fn, ipc.StatusInvalidParam, nil)
}

// callbacks implements Clients for a Library; a separate type because
// Clients.Deliver and Service.Deliver share a name.
type callbacks struct{ l *Library }

// Confchg implements Clients.
func (cb callbacks) Confchg(client ClientID, group string, members, left, joined []Member) {
	l := cb.l
	lc, ok := l.conns[client]
	if !ok {
		return
	}
	l.buf = clientcpg.AppendConfchg(l.buf[:0], clientcpg.Confchg{
		Group: group, Members: addresses(members), Left: addresses(left), Joined: addresses(joined),
	})
	lc.conn.Callback(clientcpg.CbConfchg, l.buf)
}

// Deliver implements Clients.
func (cb callbacks) Deliver(client ClientID, group string, nodeid service.NodeID, pid uint32, msg []byte) {
	l := cb.l
	lc, ok := l.conns[client]
	if !ok {
		return
	}
	l.buf = clientcpg.AppendDelivery(l.buf[:0], group, uint32(nodeid), pid, msg)
	lc.conn.Callback(clientcpg.CbDeliver, l.buf)
}

// TotemConfchg implements Clients.
func (cb callbacks) TotemConfchg(client ClientID, ring service.RingID, members []service.NodeID) {
	l := cb.l
	lc, ok := l.conns[client]
	if !ok {
		return
	}
	l.buf = clientcpg.AppendTotemConfchg(l.buf[:0], totemConfchg(ring, members))
	lc.conn.Callback(clientcpg.CbTotemConfchg, l.buf)
}

func totemConfchg(ring service.RingID, members []service.NodeID) clientcpg.TotemConfchg {
	t := clientcpg.TotemConfchg{RingRep: uint32(ring.Rep), RingSeq: ring.Seq}
	for _, m := range members {
		t.Members = append(t.Members, uint32(m))
	}
	return t
}

func addresses(ms []Member) []clientcpg.Address {
	if len(ms) == 0 {
		return nil
	}
	out := make([]clientcpg.Address, len(ms))
	for i, m := range ms {
		out[i] = clientcpg.Address{NodeID: uint32(m.NodeID), PID: m.PID, Reason: m.Reason}
	}
	return out
}

// status maps CPG's errors to library statuses.
func status(err error) ipc.Status {
	switch {
	case err == nil:
		return ipc.StatusOK
	case errors.Is(err, service.ErrTryAgain):
		return ipc.StatusTryAgain
	case errors.Is(err, ErrNameTooLong):
		return ipc.StatusNameTooLong
	case errors.Is(err, ErrExist):
		return ipc.StatusExist
	case errors.Is(err, ErrNotExist):
		return ipc.StatusNotExist
	case errors.Is(err, ErrBusy):
		return ipc.StatusBusy
	case errors.Is(err, ErrTooBig):
		return ipc.StatusTooBig
	}
	return service.StatusOf(err, ipc.StatusLibrary)
}

func le32(dst []byte, v uint32) []byte {
	return append(dst, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}
