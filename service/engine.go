package service

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"goais/logging"
	"goais/totem"
)

// EngineConfig configures an Engine.
type EngineConfig struct {
	// Self is this node's id.
	Self NodeID
	// SendSync multicasts one sync message in group "sync", in agreed
	// order and in the same ordered queue as the services' Env.Mcast: a
	// message passed after an Mcast returned nil must go out after it.
	// ErrTryAgain (queue full) makes the engine keep the message and
	// resend it from Pump. The engine never touches msg again once
	// SendSync returned nil. SendSync must not deliver synchronously.
	SendSync func(msg []byte) error
	// OnSyncComplete is called once at the end of every sync round, from
	// inside DeliverSync (or ConfigChange when a round has nothing to
	// sync). The executive lifts flow control and logs "Completed service
	// synchronization, ready to provide service."
	OnSyncComplete func()
	// Logger receives the engine's lines; the sync protocol's carry
	// subsys SYNC. Nil discards them.
	Logger *slog.Logger
}

// Engine owns the registered services and the sync protocol. It routes
// exec messages (group "a") to services by id, configuration changes to
// every service, and runs a sync round after each regular configuration.
// It belongs to the executive's loop goroutine and is not safe for
// concurrent use; the callbacks it makes (Service and Syncer methods,
// SendSync, OnSyncComplete) must not call back into it.
type Engine struct {
	cfg      EngineConfig
	log      *slog.Logger
	services []Service // ascending id
	syncers  []Syncer  // the Syncers among services, ascending id

	// syncing is corosync's sync_in_process: set from start-up and by
	// every configuration change, cleared when a round completes.
	syncing bool
	sync    syncMachine

	badExec uint64
}

// NewEngine returns an engine with no services.
func NewEngine(cfg EngineConfig) (*Engine, error) {
	if cfg.Self == 0 {
		return nil, errors.New("service: EngineConfig.Self is 0, not a node id")
	}
	if cfg.SendSync == nil {
		return nil, errors.New("service: EngineConfig.SendSync is nil")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	e := &Engine{cfg: cfg, log: log, syncing: true}
	e.sync = syncMachine{
		self:      cfg.Self,
		send:      cfg.SendSync,
		completed: e.syncCompleted,
		log:       logging.Subsys(log, "SYNC"),
	}
	return e, nil
}

// Register adds a service. Ids are unique; a Service that also implements
// Syncer takes part in sync from the next round on, so register every
// service before the first configuration change.
func (e *Engine) Register(s Service) error {
	i, found := slices.BinarySearchFunc(e.services, s.ID(), func(x Service, id ID) int { return int(x.ID()) - int(id) })
	if found {
		return fmt.Errorf("service: id %d is taken by %q, cannot register %q", s.ID(), e.services[i].Name(), s.Name())
	}
	sy, isSyncer := s.(Syncer)
	if isSyncer && len(e.syncers) == MaxSyncServices {
		return fmt.Errorf("service: cannot register %q: SERVICE_BUILD has room for %d sync services", s.Name(), MaxSyncServices)
	}
	e.services = slices.Insert(e.services, i, s)
	if isSyncer {
		j, _ := slices.BinarySearchFunc(e.syncers, s.ID(), func(x Syncer, id ID) int { return int(x.ID()) - int(id) })
		e.syncers = slices.Insert(e.syncers, j, sy)
	}
	return nil
}

// Lookup returns the registered service with the given id.
func (e *Engine) Lookup(id ID) (Service, bool) {
	i, found := slices.BinarySearchFunc(e.services, id, func(x Service, id ID) int { return int(x.ID()) - int(id) })
	if !found {
		return nil, false
	}
	return e.services[i], true
}

// DeliverExec dispatches one group-"a" message, delivered in agreed order
// from sender, to its service (corosync's deliver_fn). A message for a
// service not registered here is ignored silently, as corosync does; one
// whose header does not decode is dropped and counted. A service therefore
// only sees messages of at least HeaderSize bytes whose size field lies
// between HeaderSize and len(msg).
func (e *Engine) DeliverExec(sender NodeID, msg []byte, bigEndian bool) {
	id, fn, _, err := DecodeHeader(msg, bigEndian)
	if err != nil {
		e.badExec++
		e.log.Warn("dropping exec message", "sender", sender, "err", err)
		return
	}
	if s, ok := e.Lookup(id); ok {
		s.Deliver(sender, fn, msg, bigEndian)
	}
}

// DeliverSync hands one group-"sync" message, delivered in agreed order
// from sender, to the sync protocol. Sync messages are never byte-swapped.
func (e *Engine) DeliverSync(sender NodeID, msg []byte) {
	e.sync.deliver(sender, msg)
}

// ConfigChange applies a configuration change as corosync's confchg_fn
// does: every service sees it first, in id order; then a round in progress
// is aborted, a transitional configuration is remembered as the next
// round's trans list, and a regular one starts a new round.
func (e *Engine) ConfigChange(cc totem.ConfigChange) {
	abort := e.syncing
	e.syncing = true
	for _, s := range e.services {
		if w, ok := s.(SyncWatcher); ok {
			w.SetSyncing(true)
		}
		s.ConfigChange(cc)
	}
	if abort {
		e.sync.abort()
	}
	switch cc.Type {
	case totem.Transitional:
		e.sync.saveTransitional(cc.Members)
	case totem.Regular:
		e.sync.start(cc.Members, cc.Ring, e.syncers)
	}
}

// Pump resends sync messages that met a full send queue and calls an
// unfinished SyncProcess again. The executive calls it when the send queue
// has room again; Pending tells whether there is anything to do.
func (e *Engine) Pump() {
	e.sync.pump()
}

// Pending reports whether Pump has work: a sync message waiting for room
// or a SyncProcess that returned false.
func (e *Engine) Pending() bool {
	return e.sync.pending()
}

// Flush calls Flush on every Flusher with pending work, in id order,
// unless a sync round is open. The executive calls it when the send queue
// may have room again.
func (e *Engine) Flush() {
	if e.syncing {
		return
	}
	for _, s := range e.services {
		if f, ok := s.(Flusher); ok && f.Pending() {
			if f.Flush() != nil {
				return // the queue is full again
			}
		}
	}
}

// Services returns the registered services in id order.
func (e *Engine) Services() []Service { return slices.Clone(e.services) }

// Syncing reports whether a sync round is in progress (corosync's
// sync_in_process): true from start-up until the first round completes and
// from every configuration change until the next round completes. While it
// holds, services answer state-changing requests with "try again".
func (e *Engine) Syncing() bool {
	return e.syncing
}

func (e *Engine) syncCompleted() {
	e.syncing = false
	for _, s := range e.services {
		if w, ok := s.(SyncWatcher); ok {
			w.SetSyncing(false)
		}
	}
	if e.cfg.OnSyncComplete != nil {
		e.cfg.OnSyncComplete()
	}
}
