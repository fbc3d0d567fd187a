package evs

import (
	"context"
	"log/slog"
	"slices"

	api "goais/client/evs"
	"goais/service"
	"goais/totem"
)

// EVS is the extended virtual synchrony service of one node. It belongs
// to the executive's loop goroutine and is not safe for concurrent use.
type EVS struct {
	env service.Env
	log *slog.Logger

	clients []*client // ascending connection id
	members []service.NodeID
	// syncing is corosync's sync_in_process, as the engine reports it:
	// multicasts get TRY_AGAIN while it holds.
	syncing bool

	stats Stats
}

// client is one library connection (openais's evs_pd).
type client struct {
	conn   service.Conn
	groups []api.Group // in join order: McastJoined sends them so
	set    map[api.Group]struct{}
}

// Stats counts what the service did, for status tools and tests.
type Stats struct {
	Sent      uint64 // MCASTs this node multicast
	Delivered uint64 // MCASTs delivered (to any number of local clients)
	Callbacks uint64 // delivery callbacks sent to local clients
	Dropped   uint64 // exec messages dropped: malformed or of an unknown fn
}

var (
	_ service.Service     = (*EVS)(nil)
	_ service.Library     = (*EVS)(nil)
	_ service.SyncWatcher = (*EVS)(nil)
)

// New returns the EVS service of the node env belongs to. It starts
// syncing, as the engine does, until the first sync round completes. log
// nil discards.
func New(env service.Env, log *slog.Logger) *EVS {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &EVS{env: env, log: log, syncing: true}
}

// ID is service.EVS.
func (e *EVS) ID() service.ID { return service.EVS }

// Name is "evs".
func (e *EVS) Name() string { return "evs" }

// SetSyncing is told the sync window by the engine (service.SyncWatcher).
func (e *EVS) SetSyncing(on bool) { e.syncing = on }

// Stats returns the counters.
func (e *EVS) Stats() Stats { return e.stats }

// Members returns the members of the latest configuration change.
func (e *EVS) Members() []service.NodeID { return slices.Clone(e.members) }

// Deliver applies one exec message: an MCAST goes to every local
// connection joined to at least one of its groups, once, the sender's
// included. Anything else is dropped and counted.
func (e *EVS) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	if fn != FnMcast {
		e.drop(sender, "unknown exec message", "fn", fn)
		return
	}
	m, err := DecodeMcast(msg, bigEndian)
	if err != nil {
		e.drop(sender, "malformed exec message", "err", err)
		return
	}
	e.stats.Delivered++
	var body []byte
	for _, cl := range e.clients {
		if !cl.joinedAny(m.Groups) {
			continue
		}
		if body == nil {
			body = api.AppendDeliver(make([]byte, 0, 8+len(m.Msg)), sender, m.Msg)
		}
		cl.conn.Callback(api.CallbackDeliver, body)
		e.stats.Callbacks++
	}
}

// dropWarnEvery: the first dropped message is logged as a warning, then
// one in every dropWarnEvery; the others at debug level.
const dropWarnEvery = 1000

func (e *EVS) drop(sender service.NodeID, what string, args ...any) {
	e.stats.Dropped++
	level := slog.LevelDebug
	if e.stats.Dropped%dropWarnEvery == 1 {
		level = slog.LevelWarn
	}
	e.log.Log(context.Background(), level, "dropping "+what, append([]any{"sender", sender, "dropped", e.stats.Dropped}, args...)...)
}

// ConfigChange sends every connection a configuration change callback,
// for transitional and regular changes alike, as openais's evs_confchg_fn
// did, and remembers the members for membership_get.
func (e *EVS) ConfigChange(cc totem.ConfigChange) {
	e.members = slices.Clone(cc.Members)
	if len(e.clients) == 0 {
		return
	}
	body := api.AppendConfChg(nil, api.ConfChg{
		Type:    api.ConfigType(cc.Type),
		Members: cc.Members,
		Left:    cc.Left,
		Joined:  cc.Joined,
	})
	for _, cl := range e.clients {
		cl.conn.Callback(api.CallbackConfChg, body)
	}
}

func (cl *client) joinedAny(groups []api.Group) bool {
	for _, g := range groups {
		if _, ok := cl.set[g]; ok {
			return true
		}
	}
	return false
}
