package totem

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"goais/totem/wire"
)

// gatherEnter is memb_state_gather_enter: (re)start the membership
// protocol by announcing our proc and failed lists.
func (n *Node) gatherEnter(now time.Time, why string) {
	n.orfTokenDiscard = true
	n.originatedORF = false
	n.procList = merge(n.procList, n.id)
	n.joinMessageSend(now)

	n.timers.set(timerJoin, now.Add(n.cfg.Join))
	n.timers.set(timerConsensus, now.Add(n.cfg.Consensus))
	n.timers.stop(timerRetransmit)
	n.timers.stop(timerToken)
	n.timers.stop(timerMerge)
	// A held token belongs to the ring being left; resending it later
	// into the next ring would only be a duplicate.
	n.timers.stop(timerHold)

	n.consensusReset()
	n.consensus[n.id] = true

	if n.log.Enabled(context.Background(), slog.LevelDebug) {
		n.log.Debug(fmt.Sprintf("entering GATHER state from %s", why),
			"proc", nodeList(n.procList), "failed", nodeList(n.failedList))
	}
	n.state = StateGather
	n.stats.GatherEntered++
}

func (n *Node) consensusReset() { clear(n.consensus) }

// consensusAgreed is memb_consensus_agreed: every node of proc − failed
// has sent a join identical to ours.
func (n *Node) consensusAgreed() bool {
	agreed := true
	live := 0
	for _, id := range n.procList {
		if contains(n.failedList, id) {
			continue
		}
		live++
		if !n.consensus[id] {
			agreed = false
			break
		}
	}
	if agreed && n.failedToRecv {
		return true
	}
	return agreed && live > 0
}

// lowestInConfig reports whether this node has the lowest id of
// proc − failed, which makes it the one to create the commit token.
func (n *Node) lowestInConfig() bool {
	lowest := NodeID(0)
	for _, id := range n.procList {
		if contains(n.failedList, id) {
			continue
		}
		if lowest == 0 || id < lowest {
			lowest = id
		}
	}
	return lowest == n.id
}

// joinMessageSend sends our join now, or after a random delay below
// send_join when that option is set.
func (n *Node) joinMessageSend(now time.Time) {
	if n.cfg.SendJoin > 0 {
		if !n.timers.armed(timerSendJoin) {
			d := time.Duration(n.cfg.Rand.Int64N(int64(n.cfg.SendJoin)))
			n.timers.set(timerSendJoin, now.Add(d))
		}
		return
	}
	n.joinMessageTransmit()
}

func (n *Node) joinMessageTransmit() {
	j := wire.Join{
		Header:     wire.Header{NodeID: n.id},
		SystemFrom: n.id,
		RingSeq:    n.ringID.Seq,
		ProcList:   n.procList,
		FailedList: n.failedList,
	}
	n.mcastOut(func(b []byte) []byte { return wire.AppendJoin(b, &j) })
}

// leaveMessageSend is memb_leave_message_send: a join with header nodeid 0
// whose proc list drops us and whose failed list ends with us.
func (n *Node) leaveMessageSend() {
	n.failedList = merge(n.failedList, n.id)
	active := subtract(n.procList, []NodeID{n.id})
	j := wire.Join{
		Header:     wire.Header{NodeID: 0},
		SystemFrom: n.id,
		RingSeq:    n.ringID.Seq,
		ProcList:   active,
		FailedList: n.failedList,
	}
	n.mcastOut(func(b []byte) []byte { return wire.AppendJoin(b, &j) })
}

func (n *Node) mergeDetectSend() {
	m := wire.MergeDetect{
		Header:     wire.Header{NodeID: n.id},
		SystemFrom: n.id,
		Ring:       n.ringID,
	}
	n.mcastOut(func(b []byte) []byte { return wire.AppendMergeDetect(b, &m) })
}

// tokenHoldCancelSend tells the representative to release a held token
// because this node has something to send.
func (n *Node) tokenHoldCancelSend() {
	if !n.myTokenHeld || n.state != StateOperational {
		return
	}
	n.myTokenHeld = false
	h := wire.TokenHoldCancel{Header: wire.Header{NodeID: n.id}, Ring: n.ringID}
	n.mcastOut(func(b []byte) []byte { return wire.AppendTokenHoldCancel(b, &h) })
}

// handleJoin is message_handler_memb_join.
func (n *Node) handleJoin(now time.Time, j *wire.Join) {
	j.ProcList = dedup(j.ProcList)
	j.FailedList = dedup(j.FailedList)
	if n.tokenRingIDSeq < j.RingSeq {
		n.tokenRingIDSeq = j.RingSeq
	}
	switch n.state {
	case StateOperational:
		if !n.ignoreJoinUnderOperational(j) {
			n.joinProcess(now, j)
		}
	case StateGather:
		n.joinProcess(now, j)
	case StateCommit:
		if contains(n.newMemb, j.SystemFrom) && j.RingSeq >= n.ringID.Seq {
			n.joinProcess(now, j)
			n.gatherEnter(now, "join during COMMIT")
		}
	case StateRecovery:
		if contains(n.newMemb, j.SystemFrom) && j.RingSeq >= n.ringID.Seq {
			// A member of the ring we are recovering has moved on: it
			// reached OPERATIONAL, where its lists became the new
			// membership and an empty failed list, and then started a new
			// round. Take the same lists before weighing its join, as if we
			// had finished a moment earlier. corosync keeps the failed list
			// of the previous round here, which lets a node it excluded stay
			// excluded round after round while that node's singleton traffic
			// keeps restarting the membership protocol (a livelock the
			// simulator finds).
			n.procList = append(n.procList[:0], n.newMemb...)
			n.failedList = n.failedList[:0]
			n.joinProcess(now, j)
			n.recoveryTokenLoss(now)
			n.gatherEnter(now, "join during RECOVERY")
		}
	}
}

// ignoreJoinUnderOperational drops joins that name us failed, and stale
// joins from current members that have not caught up with our ring.
func (n *Node) ignoreJoinUnderOperational(j *wire.Join) bool {
	if contains(j.FailedList, n.id) {
		return true
	}
	return contains(n.memb, j.SystemFrom) && j.RingSeq < n.ringID.Seq
}

// joinProcess is memb_join_process (reference §3.3 "Processing a join").
func (n *Node) joinProcess(now time.Time, j *wire.Join) {
	from := j.SystemFrom
	if j.IsLeave() && len(j.FailedList) > 0 {
		n.leaveNodes[j.FailedList[len(j.FailedList)-1]] = true
	}
	gathered := false
	switch {
	case setEqual(j.ProcList, n.procList) && setEqual(j.FailedList, n.failedList):
		if !j.IsLeave() {
			n.consensus[from] = true
		}
		if n.consensusAgreed() && n.failedToRecv {
			n.failedToRecv = false
			n.procList = append(n.procList[:0], n.id)
			n.failedList = n.failedList[:0]
			n.commitTokenCreate()
			n.commitEnter(now)
			return
		}
		if n.consensusAgreed() && n.lowestInConfig() {
			n.commitTokenCreate()
			n.commitEnter(now)
			return
		}
	case subset(j.ProcList, n.procList) && subset(j.FailedList, n.failedList):
		// Nothing new.
	case contains(n.failedList, from):
		// We already count the sender failed.
	default:
		procLen, failedLen := len(n.procList), len(n.failedList)
		n.procList = merge(n.procList, j.ProcList...)
		if contains(j.FailedList, n.id) {
			n.failedList = merge(n.failedList, from)
		} else if contains(n.memb, from) {
			if !contains(n.failedList, from) {
				n.failedList = merge(n.failedList, j.FailedList...)
			} else {
				n.failedList = merge(n.failedList, subtract(j.FailedList, n.memb)...)
			}
		}
		// corosync re-enters GATHER (and resends its join) even when the
		// join taught it nothing, e.g. a failed list from another ring that
		// it does not adopt. Two such nodes then answer each other's joins
		// forever, a join storm that also keeps restarting the consensus
		// timer. Only a change to our lists is news worth announcing.
		if len(n.procList) != procLen || len(n.failedList) != failedLen {
			n.gatherEnter(now, "merge during join")
			gathered = true
		}
	}
	if !gathered && n.state == StateOperational {
		n.gatherEnter(now, "join during OPERATIONAL")
	}
}

// consensusTimeoutExpired is memb_state_consensus_timeout_expired.
func (n *Node) consensusTimeoutExpired(now time.Time) {
	n.stats.ConsensusTimeouts++
	if n.consensusAgreed() {
		n.consensusReset()
		n.consensus[n.id] = true
		n.resetTokenTimer(now)
		return
	}
	for _, id := range n.procList {
		if !n.consensus[id] {
			n.failedList = merge(n.failedList, id)
		}
	}
	n.gatherEnter(now, "consensus timeout")
}

// handleForeign reacts to an MCAST or MERGE_DETECT from another ring.
func (n *Node) handleForeign(now time.Time, from NodeID, why string) {
	switch n.state {
	case StateOperational:
		n.procList = merge(n.procList, from)
		n.gatherEnter(now, why+" in OPERATIONAL")
	case StateGather:
		if !contains(n.procList, from) {
			n.procList = merge(n.procList, from)
			n.gatherEnter(now, why+" in GATHER")
		}
	}
}

// handleMergeDetect is message_handler_memb_merge_detect.
func (n *Node) handleMergeDetect(now time.Time, m *wire.MergeDetect) {
	if m.Ring == n.ringID {
		return
	}
	n.handleForeign(now, m.SystemFrom, "merge detect")
}

// handleTokenHoldCancel is message_handler_token_hold_cancel.
func (n *Node) handleTokenHoldCancel(now time.Time, h *wire.TokenHoldCancel) {
	if h.Ring != n.ringID {
		return
	}
	n.mySeqUnchanged = 0
	if n.ringID.Rep == n.id && (n.state == StateOperational || n.state == StateRecovery || n.state == StateCommit) {
		n.tokenRetransmit()
		n.resetRetransmitTimer(now)
	}
}
