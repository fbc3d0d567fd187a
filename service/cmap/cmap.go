package cmap

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"

	"goais/service"
	"goais/totem"
)

// Config configures a CMAP.
type Config struct {
	// ConfigVersion is this node's totem.config_version, meaningful when
	// HasConfigVersion is set. corosync tells an unset key (sent as
	// NOT_EXIST) from a key set to 0, and so do we.
	ConfigVersion    uint64
	HasConfigVersion bool
	// Shutdown asks the executive to exit, with the reason it should log;
	// CMAP calls it at most once, when this node's configuration is older
	// than the cluster's (see the package doc). Nil: the node only logs.
	Shutdown func(reason string)
}

// Member is what CMAP knows of one member of the current configuration:
// corosync's runtime.members.<id>.config_version.
type Member struct {
	NodeID service.NodeID
	// ConfigVersion is the version the node last reported; 0 when it
	// reported that it has none (NOT_EXIST) or reported nothing.
	ConfigVersion uint64
	// Reported is set once the node sent its totem.config_version
	// (either reason, any value) since it joined.
	Reported bool
}

// Stats counts messages CMAP did not use.
type Stats struct {
	// Malformed: MCASTs that did not decode, or whose
	// totem.config_version item was neither NOT_EXIST nor a UINT64.
	Malformed uint64
	// Unknown: exec messages with a function id other than MCAST.
	Unknown uint64
	// Stale: well-formed MCASTs from a node outside the current
	// configuration.
	Stale uint64
}

// CMAP is the cmap service's part in the ring: it sends this node's
// totem.config_version in every sync round, records every member's, and
// leaves the cluster when joining it with an older configuration. It
// implements service.Syncer. It belongs to the executive's loop goroutine
// and is not safe for concurrent use.
type CMAP struct {
	env service.Env
	cfg Config
	log *slog.Logger

	members  []service.NodeID // the last regular configuration, ascending
	versions map[service.NodeID]uint64

	round round
	// firstDone is corosync's cmap_first_sync cleared: the first round
	// that took this node from a membership of its own into a shared one
	// has been activated.
	firstDone    bool
	shutdownSent bool

	stats Stats
}

// round is the sync round in progress.
type round struct {
	open    bool // between SyncInit and SyncActivate or SyncAbort
	sent    bool // our MCAST went out
	trans   []service.NodeID
	members []service.NodeID
	// highest is the highest config_version another node reported in
	// this round (cmap_highest_config_version_received).
	highest uint64
}

var _ service.Syncer = (*CMAP)(nil)

// New returns the cmap service of the node env belongs to. log may be
// nil; the executive gives it the subsystem CMAP.
func New(env service.Env, cfg Config, log *slog.Logger) *CMAP {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &CMAP{env: env, cfg: cfg, log: log, versions: make(map[service.NodeID]uint64)}
}

// ID is service.CMAP.
func (c *CMAP) ID() service.ID { return service.CMAP }

// Name is "cmap".
func (c *CMAP) Name() string { return "cmap" }

// ConfigChange forgets, at every regular configuration, the nodes that are
// no longer members, as corosync drops their runtime.members entries.
func (c *CMAP) ConfigChange(cc totem.ConfigChange) {
	if cc.Type != totem.Regular {
		return
	}
	c.members = slices.Sorted(slices.Values(cc.Members))
	maps.DeleteFunc(c.versions, func(id service.NodeID, _ uint64) bool {
		_, found := slices.BinarySearch(c.members, id)
		return !found
	})
}

// Members returns the current configuration's members in ascending node
// id, with the config version each reported.
func (c *CMAP) Members() []Member {
	out := make([]Member, len(c.members))
	for i, id := range c.members {
		v, ok := c.versions[id]
		out[i] = Member{NodeID: id, ConfigVersion: v, Reported: ok}
	}
	return out
}

// Stats returns the counts of messages CMAP dropped.
func (c *CMAP) Stats() Stats { return c.stats }

// Deliver applies one exec message of service 0
// (message_handler_req_exec_cmap_mcast). Of the items only
// totem.config_version means something to corosync 3.1.7 and to us; the
// others are skipped. A malformed message is dropped whole and counted.
func (c *CMAP) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	if fn != FnMcast {
		c.stats.Unknown++
		c.rateLimited(c.stats.Unknown, "dropping an exec message with an unknown fn", "sender", sender, "fn", fn)
		return
	}
	m, err := DecodeMcast(msg, bigEndian)
	if err != nil {
		c.malformed(sender, err)
		return
	}
	version, found, err := configVersion(m)
	if err != nil {
		c.malformed(sender, err)
		return
	}
	if _, member := slices.BinarySearch(c.members, sender); !member {
		c.stats.Stale++
		c.debug("ignoring %v MCAST from node %d outside the configuration", m.Reason, sender)
		return
	}
	if !found {
		return
	}
	c.versions[sender] = version
	switch m.Reason {
	case ReasonSync:
		c.debug("Received config version %d from node %d in sync", version, sender)
		if c.round.open && sender != c.env.NodeID() && version > c.round.highest {
			c.round.highest = version
		}
	case ReasonNewConfigVersion:
		c.log.Info(fmt.Sprintf("Received config version %d from node %d", version, sender))
	}
}

// configVersion finds the totem.config_version item of m: NOT_EXIST reads
// as 0, a UINT64 as its value; any other type is malformed. With several
// such items the last one counts.
func configVersion(m Mcast) (version uint64, found bool, err error) {
	off := McastHeader
	for i, it := range m.Items {
		if it.Key == KeyConfigVersion {
			switch it.Type {
			case TypeNotExist:
				version, found = 0, true
			case TypeUint64:
				version, _ = it.Uint64()
				found = true
			default:
				return 0, false, decodeErr("MCAST", fmt.Sprintf("items[%d].value_type", i), off+264,
					"%v for %s, want UINT64 or NOT_EXIST", it.Type, KeyConfigVersion)
			}
		}
		off += int(align8(ItemHeader + uint64(len(it.Value))))
	}
	return version, found, nil
}

// malformed counts a dropped message and logs it.
func (c *CMAP) malformed(sender service.NodeID, err error) {
	c.stats.Malformed++
	c.rateLimited(c.stats.Malformed, "dropping a malformed exec message", "sender", sender, "err", err)
}

// rateLimited logs a warning the first time and then at every power of two
// of count, so that a flood cannot flood the log.
func (c *CMAP) rateLimited(count uint64, msg string, args ...any) {
	if count&(count-1) == 0 {
		c.log.Warn(msg, append(args, "dropped", count)...)
	}
}

// debug logs at debug level, formatting only when enabled.
func (c *CMAP) debug(format string, args ...any) {
	if c.log.Enabled(context.Background(), slog.LevelDebug) {
		c.log.Debug(fmt.Sprintf(format, args...))
	}
}
