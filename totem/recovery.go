package totem

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"goais/totem/wire"
)

// recoveryEnter is memb_state_recovery_enter (reference §3.5): forward the
// commit token on its second rotation, work out the transitional membership
// and queue encapsulated copies of the old-ring messages some transitional
// member may lack.
func (n *Node) recoveryEnter(now time.Time) {
	ct := &n.commitToken
	n.orfTokenDiscard = false
	n.myHighRingDeliv = 0
	n.recovery.reinit(0)
	n.retransQueueReset()

	lowRingARU := n.oldHighSeqRcv

	// Second rotation: forward to the same target, token_seq + 1.
	n.commitTokenSend(now)
	n.myTokenSeq = 0xFFFFFFFF

	// Transitional membership: new members from my old ring whose entry
	// carries my old ring id.
	n.transMemb = n.transMemb[:0]
	for i, id := range n.newMemb {
		if contains(n.memb, id) && ct.Memb[i].Ring == n.oldRingID {
			n.transMemb = append(n.transMemb, id)
		}
	}

	// corosync leaves my_deliver_memb_list stale when no received flag is
	// clear; it is only read after the transitional configuration, where the
	// transitional membership is the right filter either way.
	n.deliverMemb = append(n.deliverMemb[:0], n.transMemb...)
	originate := false
	for i, id := range ct.Addr {
		if contains(n.transMemb, id) && ct.Memb[i].ReceivedFlg == 0 {
			originate = true
			break
		}
	}
	// my_high_ring_delivered: the furthest any transitional member got in
	// delivering the old ring. Messages up to it were delivered in the old
	// regular configuration by someone, so every transitional member must
	// deliver them there too, safe ones included (extended virtual
	// synchrony: a message is delivered in the same configuration
	// everywhere). corosync computes it but, having no safe delivery, never
	// needs it.
	for i, id := range ct.Addr {
		if contains(n.transMemb, id) && ct.Memb[i].Ring == n.oldRingID &&
			wire.SeqLT(n.myHighRingDeliv, ct.Memb[i].HighDelivered) {
			n.myHighRingDeliv = ct.Memb[i].HighDelivered
		}
	}
	originated := 0
	if originate {
		// corosync has every transitional member copy every old-ring
		// message above the lowest aru that it holds. With a large backlog
		// those N copies of each message overflow the 16384-seq window of
		// the recovery queue, nothing can be released before OPERATIONAL,
		// and recovery never ends (the simulator found it). Whoever has the
		// highest aru holds every message up to it, so that one member
		// (the lowest id among equals) alone copies that stretch; above it,
		// where holes are, every holder still sends its copy.
		var highARU uint32
		var highNode NodeID
		first := true
		for i, id := range ct.Addr {
			if !contains(n.deliverMemb, id) || ct.Memb[i].Ring != n.oldRingID {
				continue
			}
			e := ct.Memb[i]
			if wire.SeqLT(e.ARU, lowRingARU) {
				lowRingARU = e.ARU
			}
			if first || wire.SeqLT(highARU, e.ARU) || (e.ARU == highARU && id < highNode) {
				highARU, highNode, first = e.ARU, id, false
			}
		}
		rng := n.oldHighSeqRcv - lowRingARU
		if rng >= sortQueueSize {
			rng = sortQueueSize - 1
		}
		skipped := false
		for i := uint32(1); i <= rng; i++ {
			seq := lowRingARU + i
			if highNode != n.id && wire.SeqLTE(seq, highARU) {
				continue // the member with the highest aru sends these
			}
			data, ok := n.regular.get(seq)
			if !ok {
				continue
			}
			if n.defects.SkipRecoveryRetransmit && !skipped {
				skipped = true
				continue
			}
			buf := n.allocBuf(wire.McastHeaderSize + len(data))
			m := wire.Mcast{
				Header:     wire.Header{Encapsulated: wire.Encapsulated, NodeID: n.id},
				SystemFrom: n.id,
				Ring:       n.ringID,
			}
			wire.PutMcastHeader(buf, &m)
			copy(buf[wire.McastHeaderSize:], data)
			n.retransQueue.push(queued{data: buf})
			originated++
		}
	}
	n.stats.RecoveryOriginated += uint64(originated)
	if n.log.Enabled(context.Background(), slog.LevelDebug) {
		n.log.Debug(fmt.Sprintf("entering RECOVERY state for ring (%x.%x)", n.ringID.Rep, n.ringID.Seq),
			"trans", nodeList(n.transMemb), "originated", originated)
	}

	n.myARU = 0
	n.myARUCount = 0
	n.mySeqUnchanged = 0
	n.myHighSeqRcv = 0
	n.myInstallSeq = 0
	// The recovery exit counters belong to this ring's tokens. corosync
	// clears them only on OPERATIONAL entry, so after a token loss in
	// RECOVERY they carried over into the next attempt: a count already
	// past 2 never set install_seq again, and "install_seq (0) <= token
	// aru" let a node leave RECOVERY on the new ring's first tokens,
	// delivering old-ring messages (safe ones too) in the transitional
	// configuration before the members lacking them had received their
	// recovery copies. The same goes for the flag this node set on the
	// previous ring's token: clearing a flag raised on this ring by another
	// member would end its retransmission phase early.
	n.myRetransFlgCnt = 0
	n.myRotationCount = 0
	n.mySetRetransFlg = false
	n.lastReleased = 0
	n.resetTokenTimer(now)
	n.resetRetransmitTimer(now)
	n.state = StateRecovery
	n.stats.RecoveryEntered++
}

// deliverFromRecoveryToRegular moves the encapsulated old-ring messages into
// the regular queue under their old seq (deliver_messages_from_recovery_to_regular).
func (n *Node) deliverFromRecoveryToRegular() {
	rng := n.myARU
	if rng >= sortQueueSize {
		rng = sortQueueSize - 1
	}
	for i := uint32(1); i <= rng; i++ {
		data, ok := n.recovery.get(i)
		if !ok || len(data) < 2*wire.McastHeaderSize {
			continue
		}
		if data[4] != wire.Encapsulated {
			continue
		}
		innerData := data[wire.McastHeaderSize:]
		inner := &n.rxInner
		if err := wire.DecodeMcast(innerData, inner); err != nil {
			continue
		}
		if inner.Ring != n.oldRingID {
			continue
		}
		if !n.regular.inRange(inner.Seq) || n.regular.inuse(inner.Seq) {
			continue
		}
		n.regular.add(inner.Seq, innerData)
		if wire.SeqLT(n.oldHighSeqRcv, inner.Seq) {
			n.oldHighSeqRcv = inner.Seq
		}
	}
}

// operationalEnter is memb_state_operational_enter (reference §3.5): deliver
// the old ring's messages around the transitional configuration, then the
// regular configuration, and start the new ring.
func (n *Node) operationalEnter() {
	n.originatedORF = false
	n.consensusReset()
	n.oldSaved = false

	n.deliverFromRecoveryToRegular()

	aruSave := n.myARU
	n.myARU = n.oldARU
	if wire.SeqLT(n.safeARU, n.myHighRingDeliv) {
		n.safeARU = n.myHighRingDeliv
	}
	n.deliverToApp(n.oldHighSeqRcv, deliverRegular)

	left := subtract(n.memb, n.transMemb)
	joined := subtract(n.newMemb, n.transMemb)
	n.memb = append([]NodeID(nil), n.newMemb...)
	n.lastReleased = 0
	n.mySetRetransFlg = false

	if !n.defects.DropTransitional {
		n.emitConfig(ConfigChange{
			Type:    Transitional,
			Ring:    n.ringID,
			Members: sortedCopy(n.transMemb),
			Left:    sortedCopy(left),
		})
	}
	n.waitingTransAck = true

	n.deliverToApp(n.oldHighSeqRcv, deliverTransitional)
	n.myARU = aruSave

	n.emitConfig(ConfigChange{
		Type:    Regular,
		Ring:    n.ringID,
		Members: sortedCopy(n.newMemb),
		Joined:  sortedCopy(joined),
	})

	// The recovery queue becomes the regular queue.
	n.regular, n.recovery = n.recovery, n.regular
	n.recovery.reinit(0)
	n.regularRing = n.ringID
	n.myLastARU = 0

	n.procList = append(n.procList[:0], n.newMemb...)
	n.failedList = n.failedList[:0]

	// Everything up to the highest stored seq was a recovery copy, already
	// delivered above under its old seq: skip and release it.
	hd := n.myHighSeqRcv
	for hd != 0 && !n.regular.inuse(hd) {
		hd--
	}
	n.myHighDelivered = hd
	n.regular.release(hd, n.freeBuf)
	n.lastReleased = hd
	n.safeARU = hd
	n.lastVisitARU = hd

	n.logMembershipFormed(joined, left)
	n.state = StateOperational
	n.stats.OperationalEntered++
	n.myReceivedFlg = true
	n.oldRingID = n.ringID
	clear(n.leaveNodes)
}

func (n *Node) emitConfig(cc ConfigChange) {
	n.ready.Events = append(n.ready.Events, Event{Kind: EventConfig, Config: cc})
}
