package executive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"goais/client/cfg"
	"goais/ipc"
	"goais/logging"
	"goais/service"
	"goais/totem"
)

// client is one connected library.
type client struct {
	conn *ipc.Conn
}

// handleIPC applies one event from the IPC server.
func (e *Executive) handleIPC(ev ipc.Event) {
	switch ev.Kind {
	case ipc.EventConnected:
		e.clients[ev.Conn.ID()] = &client{conn: ev.Conn}
		e.ipcLog.Debug("client connected", "conn", ev.Conn.String(), "service", ev.Conn.Service())
		if lib := e.library(ev.Conn.Service()); lib != nil {
			lib.LibConnect(ev.Conn)
		}
	case ipc.EventDisconnected:
		delete(e.clients, ev.Conn.ID())
		e.ipcLog.Debug("client disconnected", "conn", ev.Conn.String())
		if lib := e.library(ev.Conn.Service()); lib != nil {
			lib.LibDisconnect(ev.Conn)
		}
	case ipc.EventRequest:
		if ev.Conn.Service() == cfg.Service {
			e.cfgRequest(ev)
		} else if lib := e.library(ev.Conn.Service()); lib != nil {
			lib.LibRequest(ev.Conn, ev.ReqID, ev.Fn, ev.Body)
		} else {
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusNotSupported, nil)
		}
	}
}

// library returns the registered service serving IPC service id, or nil.
func (e *Executive) library(id uint16) service.Library {
	if s, ok := e.engine.Lookup(service.ID(id)); ok {
		if lib, ok := s.(service.Library); ok {
			return lib
		}
	}
	return nil
}

// cfgRequest answers ais-cfgtool and the test load requests.
func (e *Executive) cfgRequest(ev ipc.Event) {
	reply := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusLibrary, nil)
			return
		}
		ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusOK, b)
	}
	switch ev.Fn {
	case cfg.FnRingStatus:
		reply(e.ringStatus())
	case cfg.FnRingReenable:
		switch err := e.requestRingReenable(); {
		case errors.Is(err, service.ErrTryAgain):
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusTryAgain, nil)
		case err != nil:
			e.log.Warn("cannot send the ring re-enable request", "err", err)
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusLibrary, nil)
		default:
			reply(struct{}{})
		}
	case cfg.FnMembers:
		reply(e.members())
	case cfg.FnStatus:
		reply(e.status())
	case cfg.FnShutdown:
		cr := ev.Conn.Cred()
		e.log.Log(context.Background(), logging.LevelNotice,
			fmt.Sprintf("Shutdown requested by a client (pid %d, uid %d)", cr.PID, cr.UID))
		ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusOK, nil)
		e.shutdownBy = ev.Conn
		e.Shutdown()
	case cfg.FnLoadStart:
		var req cfg.LoadStart
		if err := json.Unmarshal(ev.Body, &req); err != nil || req.Count < 0 ||
			req.Size < loadMinSize || req.Size > loadMaxSize {
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusInvalidParam, nil)
			return
		}
		e.load.start(req.Count, req.Size)
		reply(struct{}{})
	case cfg.FnLoadReport:
		reply(e.load.report())
	default:
		ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusNotSupported, nil)
	}
}

func (e *Executive) members() cfg.Members {
	m := cfg.Members{Ring: ringString(e.view.ring)}
	known := map[totem.NodeID]bool{}
	add := func(id totem.NodeID, name string, addrs []string) {
		status := "down"
		if slices.Contains(e.view.members, id) {
			status = "member"
		}
		m.Nodes = append(m.Nodes, cfg.Member{NodeID: uint32(id), Name: name, Addrs: addrs, Status: status, Local: id == e.NodeID()})
		known[id] = true
	}
	for _, n := range e.s.Nodes {
		var addrs []string
		for _, a := range n.Addrs {
			addrs = append(addrs, a.String())
		}
		add(n.NodeID, n.Name, addrs)
	}
	for _, id := range e.view.members {
		if !known[id] {
			add(id, "", nil)
		}
	}
	slices.SortFunc(m.Nodes, func(a, b cfg.Member) int { return int(int64(a.NodeID) - int64(b.NodeID)) })
	if e.quorum != nil {
		st := e.quorum.Status()
		m.Quorum = &cfg.Quorum{
			Quorate:         st.Quorate,
			ExpectedVotes:   st.ExpectedVotes,
			HighestExpected: st.HighestExpected,
			TotalVotes:      st.TotalVotes,
			Quorum:          st.Quorum,
		}
		for _, ns := range st.Nodes {
			for i := range m.Nodes {
				if m.Nodes[i].NodeID == uint32(ns.NodeID) {
					m.Nodes[i].Votes = ns.Votes
				}
			}
		}
	}
	return m
}

func (e *Executive) status() cfg.Status {
	st := e.node.Status()
	s := cfg.Status{
		NodeID:  uint32(e.NodeID()),
		State:   st.State.String(),
		Ring:    ringString(e.view.ring),
		Members: nodeIDs(e.view.members),
		Configs: e.view.configs,
		Uptime:  e.now.Sub(e.started).Round(time.Millisecond).String(),
	}
	s.PID = os.Getpid()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.Memory.HeapBytes = ms.HeapAlloc
	s.Memory.TotalAlloc = ms.TotalAlloc
	s.Memory.Mallocs = ms.Mallocs
	s.Memory.NumGC = ms.NumGC
	s.Memory.PauseTotalNs = ms.PauseTotalNs
	ts := e.rings.stats()
	s.Transport.Sent = ts.SentDatagrams
	s.Transport.Received = ts.RecvDatagrams
	s.Transport.Rejected = ts.Rejected
	s.Totem.TokensReceived = st.Stats.TokensReceived
	s.Totem.MessagesSent = st.Stats.MessagesSent
	s.Totem.MessagesRetrans = st.Stats.MessagesRetrans
	s.Totem.TokenLost = st.Stats.TokenLost
	s.Totem.GatherEntered = st.Stats.GatherEntered
	s.Totem.DecodeErrors = st.Stats.DecodeErrors
	return s
}

// Status returns the executive's status, taken on the loop.
func (e *Executive) Status(ctx context.Context) (cfg.Status, error) {
	var s cfg.Status
	err := e.do(ctx, func() { s = e.status() })
	return s, err
}

// StartLoad queues count load messages of size bytes (tests).
func (e *Executive) StartLoad(ctx context.Context, count, size int) error {
	if size < loadMinSize || size > loadMaxSize {
		return fmt.Errorf("executive: load message size %d outside [%d, %d]", size, loadMinSize, loadMaxSize)
	}
	return e.do(ctx, func() { e.load.start(count, size) })
}

// LoadReport returns the load service's counters (tests).
func (e *Executive) LoadReport(ctx context.Context) (cfg.LoadReport, error) {
	var r cfg.LoadReport
	err := e.do(ctx, func() { r = e.load.report() })
	return r, err
}

// Dump logs the executive's state (SIGUSR2).
func (e *Executive) Dump() {
	go e.do(context.Background(), func() {
		st := e.node.Status()
		ts := e.rings.stats()
		e.log.Log(context.Background(), logging.LevelNotice, "State dump",
			"nodeid", e.NodeID(), "state", st.State.String(), "ring", ringString(st.Ring),
			"members", nodeList(st.Members), "aru", st.ARU, "high_seq_received", st.HighSeqRecv,
			"high_delivered", st.HighDelivered, "queued", st.Queued, "token_held", st.TokenHeld,
			"configs", e.view.configs, "clients", len(e.clients))
		e.log.Log(context.Background(), logging.LevelNotice, "Totem counters",
			"tokens_received", st.Stats.TokensReceived, "messages_sent", st.Stats.MessagesSent,
			"retransmitted", st.Stats.MessagesRetrans, "token_lost", st.Stats.TokenLost,
			"gather", st.Stats.GatherEntered, "commit", st.Stats.CommitEntered,
			"recovery", st.Stats.RecoveryEntered, "operational", st.Stats.OperationalEntered,
			"consensus_timeouts", st.Stats.ConsensusTimeouts, "decode_errors", st.Stats.DecodeErrors)
		e.log.Log(context.Background(), logging.LevelNotice, "Transport counters",
			"sent", ts.SentDatagrams, "sent_bytes", ts.SentBytes, "send_errors", ts.SendErrors,
			"received", ts.RecvDatagrams, "received_bytes", ts.RecvBytes, "rejected", ts.Rejected,
			"truncated", ts.Truncated, "unknown_targets", ts.UnknownTargets,
			"bad_digest", ts.BadDigest, "short_envelope", ts.ShortEnvelope, "plaintext", ts.Plaintext, "replayed", ts.Replayed)
		for _, c := range e.clients {
			e.log.Log(context.Background(), logging.LevelNotice, "Client", "conn", c.conn.String(),
				"service", c.conn.Service(), "backlog", c.conn.Backlog())
		}
	})
}

func nodeIDs(ids []totem.NodeID) []uint32 {
	out := make([]uint32, len(ids))
	for i, id := range ids {
		out[i] = uint32(id)
	}
	return out
}
