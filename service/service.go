package service

import (
	"errors"

	"goais/totem"
)

// ID is a service id as corosync numbers them (reference §5.2). Our own
// services take ids above corosync's so that real corosync daemons in a
// mixed ring ignore their messages.
type ID uint16

// Service ids.
const (
	CMAP       ID = 0
	CFG        ID = 1
	CPG        ID = 2
	Quorum     ID = 3
	PLoad      ID = 4
	Votequorum ID = 5
	Mon        ID = 6
	WD         ID = 7

	// goais services.
	EVS ID = 16
	CLM ID = 17
	// RRP carries the redundant ring reports between executives.
	RRP ID = 18
)

// NodeID and RingID are the core's.
type (
	NodeID = totem.NodeID
	RingID = totem.RingID
)

// ErrTryAgain is returned by Env.Mcast when the send queue has no room; the
// caller retries later (corosync's CS_ERR_TRY_AGAIN).
var ErrTryAgain = errors.New("service: try again")

// Env is what the executive offers a service. All calls happen on the
// executive's loop goroutine.
type Env interface {
	// NodeID is this node's id.
	NodeID() NodeID
	// Mcast multicasts one exec message of this service in agreed order:
	// the 16-byte service header (service id, fn, size) followed by body,
	// in group "a". It copies body. ErrTryAgain: no room now.
	Mcast(fn uint16, body []byte) error
}

// Service is one service engine: the replicated state machine every node
// runs, fed the same ordered stream of exec messages and configuration
// changes.
type Service interface {
	// ID is the service id (the high 16 bits of the exec header id).
	ID() ID
	// Name is the service's name for logs ("cpg", "evs", …).
	Name() string
	// Deliver applies one exec message: fn from the header, msg the whole
	// message including the 16-byte header (corosync handlers read the
	// header's size field), sender the Totem sender. bigEndian is set when
	// the sender wrote its integers big-endian.
	Deliver(sender NodeID, fn uint16, msg []byte, bigEndian bool)
	// ConfigChange is called for every configuration change, in order with
	// the messages: transitional, then regular.
	ConfigChange(cc totem.ConfigChange)
}

// Syncer is implemented by services that take part in the sync protocol
// after each regular configuration (reference §5.3, corosync's
// sync_init/sync_process/sync_activate/sync_abort).
type Syncer interface {
	Service
	// SyncInit starts a sync round: trans are the members carried over
	// from the previous ring (the transitional configuration), members the
	// new ring's members. It can come again without SyncActivate or
	// SyncAbort in between (a round interrupted before this service's
	// process phase): start over.
	SyncInit(trans, members []NodeID, ring RingID)
	// SyncProcess sends this node's sync messages for the service. It
	// returns false to be called again later (for example after Mcast
	// returned ErrTryAgain), true when done; then the barrier is sent.
	SyncProcess() (done bool)
	// SyncActivate is called when every member finished the service's
	// process phase: the service adopts the synced state.
	SyncActivate()
	// SyncAbort is called when a configuration change interrupts the
	// round during this service's process phase (SyncProcess called but
	// not yet returned true), as corosync's sync_abort does; not for a
	// round interrupted earlier or while waiting for barriers. Like
	// corosync it comes twice for one interruption (on the transitional
	// and on the regular change), so it must be idempotent.
	SyncAbort()
}
