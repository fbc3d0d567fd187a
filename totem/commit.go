package totem

import (
	"slices"
	"time"

	"goais/totem/wire"
)

// commitTokenCreate is memb_state_commit_token_create: the representative
// builds the commit token for the ring proc − failed, sorted by id.
func (n *Node) commitTokenCreate() {
	members := subtract(n.procList, n.failedList)
	sortNodes(members)
	ct := &n.commitToken
	ct.Header = wire.Header{NodeID: n.id}
	ct.TokenSeq = 0
	ct.Ring = RingID{Rep: n.id, Seq: n.tokenRingIDSeq + 4}
	ct.RetransFlg = 0
	ct.MembIndex = 0
	ct.Addr = append(ct.Addr[:0], members...)
	ct.Memb = slices.Grow(ct.Memb[:0], len(members))[:len(members)]
	clear(ct.Memb)
}

// oldRingStateSave keeps the old ring's aru and high seq once per
// membership change, until OPERATIONAL is reached again.
func (n *Node) oldRingStateSave() {
	if n.oldSaved {
		return
	}
	n.oldSaved = true
	n.oldRingID = n.ringID
	n.oldARU = n.myARU
	n.oldHighSeqRcv = n.myHighSeqRcv
}

func (n *Node) oldRingStateRestore() {
	n.myARU = n.oldARU
	n.myHighSeqRcv = n.oldHighSeqRcv
}

// recoveryTokenLoss is memb_recovery_state_token_loss.
func (n *Node) recoveryTokenLoss(now time.Time) {
	n.oldRingStateRestore()
	n.gatherEnter(now, "token lost in RECOVERY")
}

// commitEnter is memb_state_commit_enter: record our old ring in the
// commit token, adopt the new ring id (persisting its seq) and pass the
// token on.
func (n *Node) commitEnter(now time.Time) {
	n.oldRingStateSave()
	n.commitTokenUpdate()
	ct := &n.commitToken
	n.newMemb = append(n.newMemb[:0], ct.Addr...)
	n.tokenTarget = ct.Addr[int(ct.MembIndex)%len(ct.Addr)]

	n.ringID = ct.Ring
	n.ready.PersistRingSeq = true
	n.ready.RingSeq = n.ringID.Seq
	n.tokenRingIDSeq = n.ringID.Seq

	n.timers.stop(timerJoin)
	n.timers.stop(timerConsensus)
	n.timers.stop(timerSendJoin)
	n.state = StateCommit
	n.stats.CommitEntered++
	n.resetRetransmitTimer(now)
	n.resetTokenTimer(now)

	n.myTRC, n.myPBL, n.myCBL = 0, 0, 0
	n.commitTokenSend(now)
}

// commitTokenUpdate is memb_state_commit_token_update: fill our entry and
// clear the received flag of any same-ring entry whose aru lags.
func (n *Node) commitTokenUpdate() {
	ct := &n.commitToken
	idx := int(ct.MembIndex)
	if idx >= len(ct.Memb) {
		return // validated on receipt; defensive only
	}
	n.myReceivedFlg = n.myARU == n.myHighSeqRcv
	e := &ct.Memb[idx]
	e.Ring = n.oldRingID
	e.ARU = n.oldARU
	e.HighDelivered = n.myHighDelivered
	e.ReceivedFlg = b2u(n.myReceivedFlg)

	high := e.ARU
	for i := 0; i <= idx; i++ {
		if ct.Memb[i].Ring == e.Ring && wire.SeqLT(high, ct.Memb[i].ARU) {
			high = ct.Memb[i].ARU
		}
	}
	for i := 0; i <= idx; i++ {
		if ct.Memb[i].Ring == e.Ring && wire.SeqLT(ct.Memb[i].ARU, high) {
			ct.Memb[i].ReceivedFlg = 0
			if i == idx {
				n.myReceivedFlg = false
			}
		}
	}
	ct.Header.NodeID = n.id
	ct.MembIndex++
}

// commitTokenSend forwards the commit token to the next member and keeps
// it for retransmission.
func (n *Node) commitTokenSend(now time.Time) {
	ct := &n.commitToken
	ct.TokenSeq++
	ct.Header.NodeID = n.id
	n.lastToken = wire.AppendCommitToken(n.lastToken[:0], ct)
	n.lastTokenTo = n.tokenTarget
	n.sendLastToken()
	n.resetRetransmitTimer(now)
}

// handleCommitToken is message_handler_memb_commit_token.
func (n *Node) handleCommitToken(now time.Time, ct *wire.CommitToken) {
	if len(ct.Addr) == 0 || len(ct.Memb) != len(ct.Addr) || int(ct.MembIndex) > len(ct.Addr) {
		n.log.Debug("dropping malformed commit token", "entries", len(ct.Addr), "memb_index", ct.MembIndex)
		return
	}
	switch n.state {
	case StateGather:
		live := subtract(n.procList, n.failedList)
		if setEqual(ct.Addr, live) && ct.Ring.Seq > n.ringID.Seq && ct.MembIndex < uint32(len(ct.Addr)) &&
			ct.Addr[ct.MembIndex] == n.id {
			n.copyCommitToken(ct)
			n.commitEnter(now)
		}
	case StateCommit:
		// corosync compares only the ring seq; requiring the same ring and
		// members also keeps a stray token from indexing past our list.
		if ct.Ring == n.ringID && int(ct.MembIndex) == len(ct.Addr) && slices.Equal(ct.Addr, n.newMemb) {
			n.copyCommitToken(ct)
			n.recoveryEnter(now)
		}
	case StateRecovery:
		if n.ringID.Rep == n.id && ct.Ring == n.ringID {
			if n.originatedORF {
				return
			}
			n.originatedORF = true
			n.orfTokenSendInitial()
			n.resetTokenTimer(now)
			n.resetRetransmitTimer(now)
		}
	}
}

func (n *Node) copyCommitToken(ct *wire.CommitToken) {
	c := &n.commitToken
	c.Header = ct.Header
	c.TokenSeq = ct.TokenSeq
	c.Ring = ct.Ring
	c.RetransFlg = ct.RetransFlg
	c.MembIndex = ct.MembIndex
	c.Addr = append(c.Addr[:0], ct.Addr...)
	c.Memb = append(c.Memb[:0], ct.Memb...)
}

// orfTokenSendInitial is orf_token_send_initial: the representative starts
// the new ring's ORF token.
func (n *Node) orfTokenSendInitial() {
	t := &n.txToken
	*t = wire.Token{
		Header:   wire.Header{NodeID: n.id},
		Seq:      0,
		TokenSeq: 0,
		ARU:      0xFFFFFFFF,
		ARUAddr:  n.id,
		Ring:     n.ringID,
		RTR:      t.RTR[:0],
	}
	// The representative raises retrans_flg when it has recovery copies to
	// send, and owns it: only the node that set the flag clears it.
	n.mySetRetransFlg = n.retransQueueLen() > 0
	t.RetransFlg = b2u(n.mySetRetransFlg)
	n.tokenSend(t, true)
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}
