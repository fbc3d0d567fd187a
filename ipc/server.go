package ipc

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for ServerConfig's zero fields.
const (
	DefaultMaxBacklog  = 4 << 20
	DefaultHardBacklog = 64 << 20
	DefaultEventQueue  = 256
)

// ServerConfig configures a Server. Zero numeric fields take the defaults.
type ServerConfig struct {
	// Path is the socket file to create.
	Path string

	// AllowedGID is a group whose members may connect besides root and
	// the daemon's own user, or -1 for none. When set the socket file is
	// group-owned by it. Beware that the zero value is gid 0, root's
	// group.
	AllowedGID int

	// MaxBacklog is how many bytes may be queued to one client, not yet
	// written, before the server stops reading that client's requests.
	// Default DefaultMaxBacklog.
	MaxBacklog int

	// HardBacklog is how many queued bytes make the server disconnect a
	// client as too slow. It must be at least MaxBacklog and MaxFrame.
	// Default DefaultHardBacklog.
	HardBacklog int

	// EventQueue is the capacity of the Events channel. Default
	// DefaultEventQueue.
	EventQueue int

	// Logger receives refusals, protocol violations and disconnections of
	// slow clients. Default slog.Default().
	Logger *slog.Logger

	// Services reports which service ids exist; a hello for any other id
	// is refused with SA_AIS_ERR_NOT_EXIST. Nil accepts every id.
	Services func(id uint16) bool
}

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds.
const (
	// EventConnected: a client completed its hello; its hello-reply has
	// already been written, so anything the loop sends comes after it.
	// The first event for a Conn.
	EventConnected EventKind = iota + 1
	// EventRequest: a request frame; Fn, ReqID and Body are set.
	EventRequest
	// EventDisconnected: the connection is gone, for whatever reason. The
	// last event for a Conn, delivered exactly once after EventConnected
	// unless the Server itself is closed first.
	EventDisconnected
)

func (k EventKind) String() string {
	switch k {
	case EventConnected:
		return "connected"
	case EventRequest:
		return "request"
	case EventDisconnected:
		return "disconnected"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is what the server hands to the event loop.
type Event struct {
	Kind  EventKind
	Conn  *Conn
	Fn    uint16 // EventRequest only
	ReqID uint32 // EventRequest only; pass it back to Respond
	Body  []byte // EventRequest only; a fresh slice the loop may keep
}

// Server accepts client connections on a Unix socket and turns their
// frames into Events for one consumer, the executive's event loop.
type Server struct {
	cfg    ServerConfig
	log    *slog.Logger
	euid   int
	ln     *net.UnixListener
	lock   *os.File // flock held for the server's lifetime
	events chan Event
	quit   chan struct{} // closed by Close
	nextID atomic.Uint64

	mu     sync.Mutex
	closed bool
	conns  map[*Conn]struct{}
	wg     sync.WaitGroup // accept loop, connection readers and writers
}

// Listen creates the socket file and starts accepting connections. If a
// live executive already serves cfg.Path it fails with an error wrapping
// ErrExecutiveRunning; a stale socket file left by a dead one is replaced.
func Listen(cfg ServerConfig) (*Server, error) {
	if cfg.Path == "" {
		return nil, errors.New("ipc: ServerConfig.Path is empty")
	}
	if cfg.MaxBacklog == 0 {
		cfg.MaxBacklog = DefaultMaxBacklog
	}
	if cfg.HardBacklog == 0 {
		cfg.HardBacklog = DefaultHardBacklog
	}
	if cfg.EventQueue == 0 {
		cfg.EventQueue = DefaultEventQueue
	}
	switch {
	case cfg.MaxBacklog < 0:
		return nil, fmt.Errorf("ipc: ServerConfig.MaxBacklog %d is negative", cfg.MaxBacklog)
	case cfg.HardBacklog < cfg.MaxBacklog || cfg.HardBacklog < MaxFrame:
		return nil, fmt.Errorf("ipc: ServerConfig.HardBacklog %d must be at least MaxBacklog (%d) and MaxFrame (%d)", cfg.HardBacklog, cfg.MaxBacklog, MaxFrame)
	case cfg.EventQueue < 0:
		return nil, fmt.Errorf("ipc: ServerConfig.EventQueue %d is negative", cfg.EventQueue)
	case cfg.AllowedGID < -1:
		return nil, fmt.Errorf("ipc: ServerConfig.AllowedGID %d is not a gid or -1", cfg.AllowedGID)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	ln, lock, err := createSocket(cfg.Path, cfg.AllowedGID)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:    cfg,
		log:    log,
		euid:   os.Geteuid(),
		ln:     ln,
		lock:   lock,
		events: make(chan Event, cfg.EventQueue),
		quit:   make(chan struct{}),
		conns:  make(map[*Conn]struct{}),
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s, nil
}

// Path is the socket file the server listens on.
func (s *Server) Path() string { return s.cfg.Path }

// Events is the stream of connections, requests and disconnections. It is
// closed by Close once every connection goroutine has exited.
func (s *Server) Events() <-chan Event { return s.events }

// Close stops accepting, closes every connection and waits for the
// server's goroutines, then closes the Events channel and removes the
// socket file. It does not need the event loop to keep reading: events
// not yet delivered are dropped, and connections still open get no
// EventDisconnected; the closing of Events stands for all of them.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.quit)
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()

	err := s.ln.Close()
	for _, c := range conns {
		c.shutdown()
	}
	s.wg.Wait()
	close(s.events)
	if lerr := s.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	var backoff time.Duration
	for {
		nc, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.quit:
				return
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				return
			}
			// Out of descriptors or similar: back off like net/http
			// rather than spin, and keep serving existing clients.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.log.Error("ipc: accept failed", "path", s.cfg.Path, "err", err, "retry_in", backoff)
			select {
			case <-time.After(backoff):
			case <-s.quit:
				return
			}
			continue
		}
		backoff = 0
		c := newConn(s, nc)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go c.serve()
	}
}

// forget drops a finished connection from the registry.
func (s *Server) forget(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// deliver hands an event to the loop, blocking (this connection's reader
// only) while the channel is full. It reports false if the server closed.
func (s *Server) deliver(ev Event) bool {
	select {
	case s.events <- ev:
		return true
	case <-s.quit:
		return false
	}
}
