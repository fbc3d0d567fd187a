package totem

import "time"

// timerKind names the protocol timers (reference §3.2).
type timerKind uint8

const (
	timerToken      timerKind = iota // token loss
	timerRetransmit                  // resend the last token
	timerHold                        // representative resends a held token
	timerJoin                        // resend the join in GATHER
	timerConsensus                   // gather deadline
	timerMerge                       // idle representative sends merge detect
	timerSendJoin                    // delayed join send (send_join jitter)
	numTimers
)

// timers holds one deadline per kind; the zero time means disarmed. The
// caller's clock drives them through Tick, so the node itself is timeless.
type timers struct {
	at [numTimers]time.Time
}

func (t *timers) set(k timerKind, at time.Time) { t.at[k] = at }
func (t *timers) stop(k timerKind)              { t.at[k] = time.Time{} }
func (t *timers) armed(k timerKind) bool        { return !t.at[k].IsZero() }

// next returns the earliest armed deadline.
func (t *timers) next() time.Time {
	var best time.Time
	for _, at := range t.at {
		if !at.IsZero() && (best.IsZero() || at.Before(best)) {
			best = at
		}
	}
	return best
}

// due returns the earliest expired timer at now. Ties go to the lower kind,
// so expiry order is deterministic.
func (t *timers) due(now time.Time) (timerKind, bool) {
	best, found := timerKind(0), false
	for k, at := range t.at {
		if at.IsZero() || at.After(now) {
			continue
		}
		if !found || at.Before(t.at[best]) {
			best, found = timerKind(k), true
		}
	}
	return best, found
}

// Tick fires every timer that expired at or before now, earliest first.
// Firing one may re-arm or cancel others; the loop is bounded because a
// fired timer is always re-armed in the future or disarmed.
func (n *Node) Tick(now time.Time) {
	for range 64 {
		k, ok := n.timers.due(now)
		if !ok {
			return
		}
		n.timers.stop(k)
		n.fire(now, k)
	}
}

func (n *Node) fire(now time.Time, k timerKind) {
	switch k {
	case timerToken:
		n.tokenTimeout(now)
	case timerRetransmit:
		switch n.state {
		case StateCommit, StateOperational, StateRecovery:
			n.tokenRetransmit()
			n.resetRetransmitTimer(now)
		}
	case timerHold:
		switch n.state {
		case StateOperational, StateRecovery:
			n.tokenRetransmit()
		}
	case timerJoin:
		if n.state == StateGather || n.state == StateCommit {
			n.joinMessageSend(now)
			n.timers.set(timerJoin, now.Add(n.cfg.Join))
		}
	case timerConsensus:
		n.consensusTimeoutExpired(now)
	case timerMerge:
		if n.state == StateOperational && n.ringID.Rep == n.id {
			n.mergeDetectSend()
		}
	case timerSendJoin:
		if n.state == StateGather || n.state == StateCommit {
			n.joinMessageTransmit()
		}
	}
}

func (n *Node) resetTokenTimer(now time.Time) { n.timers.set(timerToken, now.Add(n.cfg.Token)) }
func (n *Node) resetRetransmitTimer(now time.Time) {
	n.timers.set(timerRetransmit, now.Add(n.cfg.TokenRetransmit))
}

// tokenTimeout is timer_function_orf_token_timeout.
func (n *Node) tokenTimeout(now time.Time) {
	n.stats.TokenLost++
	switch n.state {
	case StateOperational:
		n.notice("A processor failed, forming new configuration: token timed out (%dms), waiting %dms for consensus.",
			n.cfg.Token.Milliseconds(), n.cfg.Consensus.Milliseconds())
		n.notice("The token was lost in the OPERATIONAL state.")
		n.gatherEnter(now, "token lost in OPERATIONAL")
	case StateGather:
		n.notice("The consensus timeout expired.")
		n.consensusTimeoutExpired(now)
		n.gatherEnter(now, "consensus timeout expired")
	case StateCommit:
		n.notice("The token was lost in the COMMIT state.")
		n.gatherEnter(now, "token lost in COMMIT")
	case StateRecovery:
		n.notice("The token was lost in the RECOVERY state.")
		n.recoveryTokenLoss(now)
		n.orfTokenDiscard = true
	}
}
