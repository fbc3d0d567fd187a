package totem

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"goais/totem/wire"
)

// LevelNotice is corosync's "notice" priority, between slog's Info and
// Warn. Membership events are logged at this level, in the words operators
// of corosync grep for.
const LevelNotice = slog.Level(2)

// retransmitLogInterval limits "Retransmit List" lines: on a lossy network
// every token carries one, and a line per token would drown the log.
const retransmitLogInterval = time.Second

// notice logs a corosync-worded notice; the message is formatted only when
// the level is enabled.
func (n *Node) notice(format string, args ...any) {
	if n.log.Enabled(context.Background(), LevelNotice) {
		n.log.Log(context.Background(), LevelNotice, fmt.Sprintf(format, args...))
	}
}

// nodeList formats node ids as corosync does: decimal, space separated.
func nodeList(ids []NodeID) string {
	b := make([]byte, 0, 8*len(ids))
	for i, id := range ids {
		if i > 0 {
			b = append(b, ' ')
		}
		b = strconv.AppendUint(b, uint64(id), 10)
	}
	return string(b)
}

// logMembershipFormed writes memb_state_operational_enter()'s lines:
// "A new membership (1.8) was formed. Members joined: 2 3 left: 4" and,
// for members that left without a leave message, "Failed to receive the
// leave message. failed: 4".
func (n *Node) logMembershipFormed(joined, left []NodeID) {
	if !n.log.Enabled(context.Background(), LevelNotice) {
		return
	}
	msg := fmt.Sprintf("A new membership (%x.%x) was formed. Members", n.ringID.Rep, n.ringID.Seq)
	if len(joined) > 0 {
		msg += " joined: " + nodeList(sortedCopy(joined))
	}
	if len(left) > 0 {
		msg += " left: " + nodeList(sortedCopy(left))
	}
	n.log.Log(context.Background(), LevelNotice, msg)
	var failed []NodeID
	for _, id := range sortedCopy(left) {
		if !n.leaveNodes[id] {
			failed = append(failed, id)
		}
	}
	if len(failed) > 0 {
		n.log.Log(context.Background(), LevelNotice, "Failed to receive the leave message. failed: "+nodeList(failed))
	}
}

// logRetransmitList writes orf_token_rtr()'s "Retransmit List: 5 6 7" (seqs
// in hex, as corosync prints them), at most once per retransmitLogInterval,
// counting the tokens it left out.
func (n *Node) logRetransmitList(now time.Time, t *wire.Token) {
	if now.Before(n.rtrLogNext) {
		n.rtrLogSuppressed++
		return
	}
	if !n.log.Enabled(context.Background(), LevelNotice) {
		return
	}
	b := make([]byte, 0, 32+9*len(t.RTR))
	b = append(b, "Retransmit List:"...)
	for _, e := range t.RTR {
		b = append(b, ' ')
		b = strconv.AppendUint(b, uint64(e.Seq), 16)
	}
	if n.rtrLogSuppressed > 0 {
		b = fmt.Appendf(b, " (%d more tokens with retransmit lists in the last %v)", n.rtrLogSuppressed, retransmitLogInterval)
	}
	n.log.Log(context.Background(), LevelNotice, string(b))
	n.rtrLogNext = now.Add(retransmitLogInterval)
	n.rtrLogSuppressed = 0
}
