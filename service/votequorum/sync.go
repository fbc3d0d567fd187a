package votequorum

import (
	"errors"

	"goais/service"
)

// SyncInit starts a round (votequorum_sync_init). The members that left
// were forgotten at the regular configuration already.
func (v *Votequorum) SyncInit(_, _ []service.NodeID, _ service.RingID) {
	v.round.open, v.round.sent = true, false
}

// SyncProcess multicasts this node's NODEINFO (votequorum_sync_process):
// its votes, its expected votes and flags 0. It never sends the quorum
// device's NODEINFO (node 0), RECONFIGURE or QDEVICE_*; see the package
// doc. When the ring has no room it returns false and is called again; the
// message goes out once per round.
func (v *Votequorum) SyncProcess() bool {
	if !v.round.open || v.round.sent {
		return true
	}
	mine := v.nodes[v.self]
	body := NodeInfo{NodeID: v.self, Votes: mine.votes, ExpectedVotes: mine.expected}.Body()
	err := v.env.Mcast(FnNodeInfo, body)
	if errors.Is(err, service.ErrTryAgain) {
		return false
	}
	if err != nil {
		// The others then list this node with 0 votes, as before it
		// sent anything; there is nothing better to do.
		v.log.Error("cannot send this node's nodeinfo", "err", err)
	}
	v.round.sent = true
	return true
}

// SyncAbort forgets the round; the next SyncInit starts over. It may come
// twice.
func (v *Votequorum) SyncAbort() {
	v.round.open, v.round.sent = false, false
}

// SyncActivate ends the round (votequorum_sync_activate): quorum is
// computed from the NODEINFO the members sent, a change of the quorate
// state is logged, and so are the members, as corosync logs them after
// every membership change.
func (v *Votequorum) SyncActivate() {
	if !v.round.open {
		return
	}
	v.round.open, v.round.sent = false, false
	v.recompute()
	v.announce(true)
}
