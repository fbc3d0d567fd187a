package executive

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"goais/ipc"
	"goais/logging"
	"goais/service"
	"goais/service/votequorum"
	"goais/totem"
	"goais/totem/pg"
)

// Executive is one running node. Create it with New, run it with Run; the
// other methods are safe to call from any goroutine while it runs.
type Executive struct {
	s       Settings
	log     *slog.Logger // MAIN
	ipcLog  *slog.Logger // IPC
	node    *totem.Node
	packer  *pg.Packer
	asm     *pg.Assembler
	now     time.Time // time of the input being processed
	started time.Time

	rings  *rings
	calls  chan func()   // work run on the loop for other goroutines
	leave  chan struct{} // closed by Shutdown
	exited chan struct{} // closed when Run returns

	view    view
	clients map[uint64]*client
	// shutdownBy is the client that asked for shutdown; its reply is
	// flushed before the IPC server closes.
	shutdownBy *ipc.Conn
	load       loadState
	badIn      rateLimit // malformed datagrams

	engine  *service.Engine
	quorum  *votequorum.Votequorum // nil without quorum { provider: corosync_votequorum }
	execBuf []byte                 // scratch for exec messages services send

	cur         *totem.Delivery // delivery being dispatched
	onMessageFn func([]byte)
	pause       pauseCheck
}

// view is the membership as the executive last saw it (regular config).
type view struct {
	ring    totem.RingID
	members []totem.NodeID
	configs int // regular configurations installed since start
	joined  map[totem.NodeID]time.Time
}

// loadService is the exec service id of the load generator; above
// corosync's ids so real corosync daemons ignore its messages.
const loadService = 32

// New validates s, reads the persisted ring seq and creates the core. The
// first datagrams go out when Run starts.
func New(s Settings) (*Executive, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	seq, err := loadRingSeq(s.StateDir, s.Totem.NodeID)
	if err != nil {
		return nil, err
	}
	e := &Executive{
		s:       s,
		log:     logging.Subsys(s.Logger, "MAIN"),
		ipcLog:  logging.Subsys(s.Logger, "IPC"),
		asm:     pg.NewAssembler(),
		calls:   make(chan func()),
		leave:   make(chan struct{}),
		exited:  make(chan struct{}),
		clients: make(map[uint64]*client),
		view:    view{joined: make(map[totem.NodeID]time.Time)},
	}
	cfg := s.Totem
	cfg.RingSeq = seq
	cfg.Logger = logging.Subsys(s.Logger, "TOTEM")
	cfg.TokenHook = e.tokenReceived
	e.now = time.Now()
	e.started = e.now
	node, err := totem.NewNode(cfg, e.now)
	if err != nil {
		return nil, err
	}
	e.node = node
	if e.rings, err = newRings(&s); err != nil {
		return nil, err
	}
	e.packer = pg.NewPacker(node.Config().MaxPayload(), sink{e})
	e.pause = newPauseCheck(node.Config().Token, e.now)
	if err := e.newEngine(); err != nil {
		return nil, err
	}
	return e, nil
}

// NodeID returns this node's id.
func (e *Executive) NodeID() totem.NodeID { return e.s.Totem.NodeID }

// tokenReceived flushes the partly filled packet when the token arrives,
// so that small messages share packets between two token visits.
func (e *Executive) tokenReceived() {
	if err := e.packer.Flush(); err != nil && !errors.Is(err, totem.ErrQueueFull) {
		e.log.Warn("cannot flush packed messages", "err", err)
	}
}

// sink feeds packed totempg packets to the core.
type sink struct{ e *Executive }

func (s sink) Propose(packet []byte) error { return s.e.node.Propose(s.e.now, packet, false) }
func (s sink) Room() int                   { return s.e.node.QueueRoom() }

// Shutdown asks Run to leave the ring cleanly and return. It does not wait.
func (e *Executive) Shutdown() {
	select {
	case <-e.leave:
	default:
		close(e.leave)
	}
}

// Done is closed when Run has returned.
func (e *Executive) Done() <-chan struct{} { return e.exited }

// do runs f on the loop goroutine and waits for it, or fails if the loop
// is not running.
func (e *Executive) do(ctx context.Context, f func()) error {
	done := make(chan struct{})
	select {
	case e.calls <- func() { f(); close(done) }:
	case <-e.exited:
		return errExited
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-e.exited:
		return errExited
	}
}

var errExited = errors.New("executive: not running")

// rateLimit lets one log line through per interval and counts the rest.
type rateLimit struct {
	next       time.Time
	suppressed int
}

func (r *rateLimit) allow(now time.Time, every time.Duration) (ok bool, suppressed int) {
	if now.Before(r.next) {
		r.suppressed++
		return false, 0
	}
	s := r.suppressed
	r.next, r.suppressed = now.Add(every), 0
	return true, s
}

func ringString(r totem.RingID) string { return fmt.Sprintf("%x.%x", r.Rep, r.Seq) }
