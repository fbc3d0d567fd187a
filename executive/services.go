package executive

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"goais/client/cfg"
	"goais/logging"
	"goais/service"
	"goais/service/clm"
	"goais/service/cmap"
	"goais/service/cpg"
	"goais/service/evs"
	"goais/service/votequorum"
	"goais/totem"
	"goais/totem/pg"
)

// groupSync is corosync's group for the sync protocol.
var groupSync = []string{"sync"}

// newEngine creates the service engine and registers the built-in
// services.
func (e *Executive) newEngine() error {
	eng, err := service.NewEngine(service.EngineConfig{
		Self:           e.NodeID(),
		SendSync:       e.sendSync,
		OnSyncComplete: e.syncComplete,
		Logger:         e.s.Logger,
	})
	if err != nil {
		return err
	}
	e.engine = eng
	services := []service.Service{
		cmap.New(env{e, service.CMAP}, cmap.Config{
			ConfigVersion:    e.s.ConfigVersion,
			HasConfigVersion: e.s.HasConfigVersion,
			// A node whose configuration is older than the cluster's
			// leaves, as corosync's does.
			Shutdown: func(string) { e.Shutdown() },
		}, logging.Subsys(e.s.Logger, "CMAP")),
		loadSvc{e},
		cfgSvc{e},
		rrpSvc{e},
		cpg.NewLibrary(env{e, service.CPG}, logging.Subsys(e.s.Logger, "CPG")),
		evs.New(env{e, service.EVS}, logging.Subsys(e.s.Logger, "EVS")),
		clm.New(env{e, service.CLM}, e.clmConfig(), logging.Subsys(e.s.Logger, "CLM")),
	}
	if q := e.s.Quorum; q != nil {
		e.quorum = votequorum.New(env{e, service.Votequorum}, e.quorumConfig(q), logging.Subsys(e.s.Logger, "QUORUM"))
		services = append(services, e.quorum)
	}
	for _, svc := range services {
		if err := eng.Register(svc); err != nil {
			return err
		}
	}
	return nil
}

// quorumConfig is votequorum's view of the configuration: this node's
// votes and every configured node's.
func (e *Executive) quorumConfig(q *QuorumSettings) votequorum.Config {
	c := votequorum.Config{Votes: q.Votes, ExpectedVotes: q.ExpectedVotes, TwoNode: q.TwoNode, WaitForAll: q.WaitForAll}
	if len(e.s.Nodes) > 0 {
		c.NodeVotes = map[service.NodeID]uint32{}
		for _, n := range e.s.Nodes {
			v := n.Votes
			if v == 0 {
				v = 1
			}
			c.NodeVotes[n.NodeID] = v
		}
	}
	return c
}

// libraryServices are the IPC service ids served besides cfg.
var libraryServices = []service.ID{service.CPG, service.EVS, service.CLM}

// Services reports the IPC service ids this executive serves.
func Services(id uint16) bool {
	return id == cfg.Service || slices.Contains(libraryServices, service.ID(id))
}

// clmConfig describes this node to CLM, and the configured nodes for
// members that send no CLM record (corosync nodes in a mixed ring). A
// node's name is its nodelist name, else its ring 0 address.
func (e *Executive) clmConfig() clm.Config {
	info := func(name string, addrs []netip.Addr) clm.NodeInfo {
		var a netip.Addr
		if len(addrs) > 0 {
			a = addrs[0]
		}
		if name == "" && a.IsValid() {
			name = a.String()
		}
		return clm.NodeInfo{Address: a, Name: name}
	}
	var ring0 []netip.Addr
	for _, r := range e.s.Rings {
		if r.Number == 0 {
			ring0 = append(ring0, r.Addr)
		}
	}
	self := info("", ring0)
	for _, n := range e.s.Nodes {
		if n.NodeID == e.NodeID() && n.Name != "" {
			self.Name = n.Name
		}
	}
	self.BootTime = e.started
	nodes := slices.Clone(e.s.Nodes)
	return clm.Config{
		Self: self,
		Lookup: func(id service.NodeID) (clm.NodeInfo, bool) {
			for _, n := range nodes {
				if n.NodeID == id {
					return info(n.Name, n.Addrs), true
				}
			}
			return clm.NodeInfo{}, false
		},
	}
}

// sendSync multicasts a sync message in group "sync", through the same
// packer as every exec message so that the order is kept.
func (e *Executive) sendSync(msg []byte) error {
	if err := e.packer.Mcast(groupSync, msg); err != nil {
		if errors.Is(err, pg.ErrTryAgain) {
			return service.ErrTryAgain
		}
		return err
	}
	return nil
}

// syncComplete ends the window of a new configuration: messages queued
// by clients since then may go out (corosync's trans_ack).
func (e *Executive) syncComplete() {
	e.node.TransAck()
	e.log.Log(context.Background(), logging.LevelNotice, "Completed service synchronization, ready to provide service.")
}

// env is a service's handle on the executive.
type env struct {
	e  *Executive
	id service.ID
}

func (v env) NodeID() service.NodeID { return v.e.NodeID() }

// Mcast sends one exec message of the service in group "a".
func (v env) Mcast(fn uint16, body []byte) error {
	e := v.e
	size := service.HeaderSize + len(body)
	e.execBuf = service.AppendHeader(e.execBuf[:0], v.id, fn, size)
	e.execBuf = append(e.execBuf, body...)
	if err := e.packer.Mcast(groupA, e.execBuf); err != nil {
		if errors.Is(err, pg.ErrTryAgain) {
			return service.ErrTryAgain
		}
		return fmt.Errorf("service %d: %w", v.id, err)
	}
	return nil
}

// loadSvc is the load service as a service of the engine.
type loadSvc struct{ e *Executive }

func (l loadSvc) ID() service.ID { return loadService }
func (l loadSvc) Name() string   { return "load" }
func (l loadSvc) Deliver(sender service.NodeID, fn uint16, msg []byte, _ bool) {
	if fn == 0 && len(msg) >= serviceHeaderSize {
		l.e.load.deliver(sender, msg[serviceHeaderSize:])
	}
}
func (l loadSvc) ConfigChange(totem.ConfigChange) {}
