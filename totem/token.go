package totem

import (
	"time"

	"goais/totem/wire"
)

// handleToken is message_handler_orf_token (reference §3.6).
func (n *Node) handleToken(now time.Time, t *wire.Token) {
	// Merge detection and token hold bookkeeping.
	if t.Seq == n.myLastSeq {
		if !n.timers.armed(timerMerge) {
			n.timers.set(timerMerge, now.Add(n.cfg.Merge))
		}
		n.mySeqUnchanged++
	} else {
		n.timers.stop(timerMerge)
		n.timers.stop(timerHold)
		n.mySeqUnchanged = 0
	}
	n.myLastSeq = t.Seq

	isRep := n.ringID.Rep == n.id
	n.myTokenHeld = false
	if isRep && n.mySeqUnchanged > n.cfg.SeqnoUnchangedConst {
		n.myTokenHeld = true
	} else if !isRep && n.mySeqUnchanged >= n.cfg.SeqnoUnchangedConst {
		n.myTokenHeld = true
	}
	forward := !(isRep && n.myTokenHeld)

	switch n.state {
	case StateCommit, StateGather, StateStopped:
		return
	}
	if n.orfTokenDiscard {
		return
	}
	if t.Ring != n.ringID {
		return
	}
	if wire.SeqLTE(t.TokenSeq, n.myTokenSeq) {
		return // duplicate or retransmission
	}
	n.stats.TokensReceived++
	if n.state == StateOperational {
		n.messagesFree(t.ARU)
	}
	if n.cfg.TokenHook != nil {
		n.cfg.TokenHook()
	}

	lastARU := n.myLastARU
	n.myLastARU = t.ARU

	if len(t.RTR) > 0 {
		n.logRetransmitList(now, t)
	}
	allowed := n.fccCalculate(t)
	remcast := n.tokenRTR(t, &allowed)
	if n.myTokenHeld && (len(t.RTR) > 0 || remcast > 0) {
		n.myTokenHeld = false
		forward = true
	}
	n.fccRTRLimit(t, &allowed)
	sent := n.tokenMcast(t, allowed)

	t.FCC += uint32(sent) - n.myTRC
	t.Backlog += n.myCBL - n.myPBL
	n.myTRC = uint32(sent)
	n.myPBL = n.myCBL

	if wire.SeqLT(n.myARU, t.ARU) || t.ARUAddr == n.id || t.ARUAddr == 0 {
		t.ARU = n.myARU
		if t.ARU == t.Seq {
			t.ARUAddr = 0
		} else {
			t.ARUAddr = n.id
		}
	}
	if t.ARU == lastARU && t.ARUAddr != 0 {
		n.myARUCount++
	} else {
		n.myARUCount = 0
	}

	// Safe point: the token's aru on two consecutive visits bounds what
	// every member holds. Only an operational token counts: in recovery
	// the aru numbers the recovery queue, not the messages we deliver.
	if n.state == StateOperational {
		n.safeARU = n.lastVisitARU
		if wire.SeqLT(t.ARU, n.safeARU) {
			n.safeARU = t.ARU
		}
		n.lastVisitARU = t.ARU
	}

	if n.myARUCount > n.cfg.FailToRecvConst && t.ARUAddr == n.id {
		n.log.Error("FAILED TO RECEIVE")
		n.failedToRecv = true
		n.failedList = merge(n.failedList, n.id)
		n.gatherEnter(now, "failed to receive")
		return
	}

	n.myTokenSeq = t.TokenSeq
	t.TokenSeq++

	if n.state == StateRecovery {
		n.recoveryTokenStep(t)
	}

	n.tokenSend(t, forward)

	if n.state == StateOperational {
		n.deliverToApp(n.myHighSeqRcv, deliverRegular)
	}
	n.resetTokenTimer(now)
	n.resetRetransmitTimer(now)
	if isRep && n.myTokenHeld {
		n.timers.set(timerHold, now.Add(n.cfg.Hold))
	}
}

// recoveryTokenStep runs the RECOVERY exit logic on each token (§3.5).
func (n *Node) recoveryTokenStep(t *wire.Token) {
	if n.retransQueueLen() > 0 {
		if t.RetransFlg == 0 {
			t.RetransFlg = 1
			n.mySetRetransFlg = true
		}
	} else if t.RetransFlg == 1 && n.mySetRetransFlg {
		t.RetransFlg = 0
		n.mySetRetransFlg = false
	}
	if t.RetransFlg == 0 {
		n.myRetransFlgCnt++
	} else {
		n.myRetransFlgCnt = 0
	}
	if n.myRetransFlgCnt == 2 {
		n.myInstallSeq = t.Seq
	}
	if n.myRetransFlgCnt >= 2 && !n.myReceivedFlg && wire.SeqLTE(n.myInstallSeq, n.myARU) {
		n.myReceivedFlg = true
		n.deliverMemb = append(n.deliverMemb[:0], n.transMemb...)
	}
	if n.myRetransFlgCnt >= 3 && wire.SeqLTE(n.myInstallSeq, t.ARU) {
		n.myRotationCount++
	} else {
		n.myRotationCount = 0
	}
	if n.myRotationCount == 2 {
		n.operationalEnter()
		n.myRotationCount = 0
		n.myRetransFlgCnt = 0
	}
}

// backlog is backlog_get: the queue this state sends from.
func (n *Node) backlog() uint32 {
	switch n.state {
	case StateOperational:
		if n.waitingTransAck {
			return uint32(n.transQueue.len())
		}
		return uint32(n.transQueue.len() + n.newQueue.len())
	case StateRecovery:
		return uint32(n.retransQueueLen())
	}
	return 0
}

func (n *Node) backlogAll() int {
	return n.newQueue.len() + n.transQueue.len() + n.retransQueue.len()
}

// fccCalculate is fcc_calculate: how many messages this node may send on
// this token, bounded by max_messages, the window left this rotation and a
// fair share of the ring's backlog.
func (n *Node) fccCalculate(t *wire.Token) int {
	allowed := uint32(n.cfg.MaxMessages)
	window := uint32(n.cfg.WindowSize)
	if t.FCC >= window {
		allowed = 0
	} else if allowed > window-t.FCC {
		allowed = window - t.FCC
	}
	n.myCBL = n.backlog()
	if d := t.Backlog + n.myCBL - n.myPBL; d != 0 {
		bc := uint32(uint64(window) * uint64(n.myPBL) / uint64(d))
		if bc > 0 && allowed > bc {
			allowed = bc
		}
	}
	return int(allowed)
}

// tokenRTR is orf_token_rtr: answer the retransmit requests we can, then
// add the seqs we miss to the token's list.
func (n *Node) tokenRTR(t *wire.Token, allowed *int) int {
	q := n.regular
	if n.state == StateRecovery {
		q = n.recovery
	}
	remcast := 0
	for i := 0; remcast < *allowed && i < len(t.RTR); {
		e := t.RTR[i]
		if e.Ring != n.ringID {
			i++
			continue
		}
		if data, ok := q.get(e.Seq); ok {
			n.sendMcastData(data)
			n.stats.MessagesRetrans++
			t.RTR = append(t.RTR[:i], t.RTR[i+1:]...)
			remcast++
		} else {
			i++
		}
	}
	*allowed -= remcast

	rng := uint32(0)
	if wire.SeqLT(n.myARU, t.Seq) {
		rng = min(t.Seq-n.myARU, sortQueueSize-1)
	}
	for i := uint32(1); len(t.RTR) < wire.RetransmitEntriesMax && i <= rng; i++ {
		seq := n.myARU + i
		if !q.inRange(seq) {
			break
		}
		if q.inuse(seq) {
			continue
		}
		if q.missCount(seq) < n.cfg.MissCountConst {
			continue
		}
		found := false
		for _, e := range t.RTR {
			if e.Seq == seq {
				found = true
				break
			}
		}
		if !found {
			t.RTR = append(t.RTR, wire.RTREntry{Ring: n.ringID, Seq: seq})
		}
	}
	return remcast
}

// fccRTRLimit is fcc_rtr_limit: send nothing new if the sort queue window
// would overflow.
func (n *Node) fccRTRLimit(t *wire.Token, allowed *int) {
	limit := n.lastReleased + sortQueueSize - uint32(*allowed) - uint32(n.cfg.WindowSize)
	if wire.SeqLT(limit, t.Seq) {
		*allowed = 0
	}
}

// tokenMcast is orf_token_mcast: send up to allowed queued messages,
// assigning each the next seq.
func (n *Node) tokenMcast(t *wire.Token, allowed int) int {
	q := n.regular
	if n.state == StateRecovery {
		q = n.recovery
	}
	sent := 0
	for ; sent < allowed; sent++ {
		item, ok := n.popSendQueue()
		if !ok {
			break
		}
		t.Seq++
		m := item.data
		putSeqAndRing(m, t.Seq, n.ringID)
		q.add(t.Seq, m)
		n.sendMcastData(m)
		n.stats.MessagesSent++
		n.myHighSeqRcv = t.Seq
	}
	n.updateARU()
	return sent
}

// popSendQueue takes the next message of the queue this state sends from.
func (n *Node) popSendQueue() (queued, bool) {
	switch {
	case n.state == StateRecovery:
		return n.retransQueue.pop()
	case n.waitingTransAck:
		return n.transQueue.pop()
	}
	// Messages queued during the window before TransAck were meant to go
	// before everything queued earlier; any still unsent when the window
	// closes go first, rather than staying stranded in the trans queue.
	if q, ok := n.transQueue.pop(); ok {
		return q, true
	}
	return n.newQueue.pop()
}

func (n *Node) retransQueueLen() int { return n.retransQueue.len() }

func (n *Node) retransQueueReset() { n.retransQueue.reset() }

// updateARU is update_aru: advance my_aru over contiguous stored seqs.
func (n *Node) updateARU() {
	q := n.regular
	if n.state == StateRecovery {
		q = n.recovery
	}
	rng := uint32(0)
	if wire.SeqLT(n.myARU, n.myHighSeqRcv) {
		rng = min(n.myHighSeqRcv-n.myARU, sortQueueSize-1)
	}
	i := uint32(1)
	for ; i <= rng; i++ {
		if !q.inuse(n.myARU + i) {
			break
		}
	}
	n.myARU += i - 1
}

// messagesFree is messages_free: release messages every member has and we
// delivered: up to min(token aru, previous token aru, high delivered).
func (n *Node) messagesFree(tokenARU uint32) {
	releaseTo := tokenARU
	if wire.SeqLT(n.myLastARU, releaseTo) {
		releaseTo = n.myLastARU
	}
	if wire.SeqLT(n.myHighDelivered, releaseTo) {
		releaseTo = n.myHighDelivered
	}
	if wire.SeqLTE(releaseTo, n.lastReleased) {
		return
	}
	n.regular.release(releaseTo, n.freeBuf)
	n.lastReleased = releaseTo
}

// tokenSend stores the token for retransmission and sends it to the next
// node unless the representative holds it (token_send).
func (n *Node) tokenSend(t *wire.Token, forward bool) {
	t.Header.NodeID = n.id
	t.Header.TargetNodeID = 0
	n.lastToken = wire.AppendToken(n.lastToken[:0], t)
	n.lastTokenTo = n.nextNode()
	if forward {
		n.sendLastToken()
	}
}

// nextNode is the token target: the member after us in ring order.
func (n *Node) nextNode() NodeID {
	for i, id := range n.newMemb {
		if id == n.id {
			return n.newMemb[(i+1)%len(n.newMemb)]
		}
	}
	return n.id
}

// tokenRetransmit resends the last token this node sent.
func (n *Node) tokenRetransmit() {
	if len(n.lastToken) == 0 {
		return
	}
	n.sendLastToken()
}
