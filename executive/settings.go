package executive

import (
	"errors"
	"log/slog"
	"net/netip"

	"goais/ipc"
	"goais/totem"
	"goais/transport"
	"goais/transport/rrp"
)

// Settings is everything the executive needs, already resolved from the
// configuration file by the caller (cmd/aisexec).
type Settings struct {
	// Totem is the core's configuration; NodeID must be set. RingSeq is
	// ignored: the executive reads it from StateDir.
	Totem totem.Config
	// Transport carries the datagrams; the executive closes it when Run
	// returns.
	Transport transport.Transport
	// TransportName is shown by ais-cfgtool ("udpu", "udp").
	TransportName string
	// Ring1, if set, is the second ring's transport: the redundant ring
	// protocol runs over Transport (ring 0) and Ring1 as RRP says. The
	// executive closes it when Run returns.
	Ring1 transport.Transport
	// RRP configures the redundant ring monitor; used only with Ring1.
	RRP rrp.Config
	// Secauth describes the ring's security for ais-cfgtool -s ("" =
	// off), e.g. "on (AES-256-GCM, key fingerprint 1a2b3c4d5e6f7a8b)".
	Secauth string
	// Rings describes this node's ring interfaces for ring status.
	Rings []RingInfo
	// Nodes is the configured node list, for the member listing; nodes
	// learned at run time are listed without a name.
	Nodes []NodeInfo
	// IPC, if set, is the local API server; the executive closes it when
	// Run returns.
	IPC *ipc.Server
	// StateDir holds ringid_<nodeid>, the persisted ring seq. "" keeps it
	// in memory only (tests).
	StateDir string
	// Logger is the root logger; the executive adds subsystems.
	Logger *slog.Logger
	// ConfigVersion is totem.config_version, HasConfigVersion whether the
	// file sets it: cmap announces it in every sync round.
	ConfigVersion    uint64
	HasConfigVersion bool
	// Quorum, if set, loads votequorum (quorum { provider:
	// corosync_votequorum }), so that corosync members count this node's
	// vote.
	Quorum *QuorumSettings
}

// QuorumSettings are the votequorum options of the quorum { } section.
type QuorumSettings struct {
	Votes         uint32 // this node's votes; 0 = its nodelist quorum_votes, else 1
	ExpectedVotes uint32 // 0 = the sum of the nodelist's votes
	TwoNode       bool
	WaitForAll    bool
}

// RingInfo is one local ring interface.
type RingInfo struct {
	Number int
	Addr   netip.Addr
}

// NodeInfo is one configured node.
type NodeInfo struct {
	NodeID totem.NodeID
	Name   string
	Addrs  []netip.Addr
	Votes  uint32 // quorum_votes; 0 = one vote
}

func (s *Settings) check() error {
	switch {
	case s.Totem.NodeID == 0:
		return errors.New("executive: nodeid not set")
	case s.Transport == nil:
		return errors.New("executive: no transport")
	}
	return nil
}
