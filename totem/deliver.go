package totem

import (
	"encoding/binary"

	"goais/totem/wire"
)

// mcastIsSafe reads the guarantee field of a stored MCAST datagram in the
// sender's byte order.
func mcastIsSafe(data []byte) bool {
	if len(data) < wire.McastHeaderSize {
		return false
	}
	return binary.LittleEndian.Uint32(data[41:45]) != 0
}

// deliverMode selects how deliverToApp treats gaps and safe messages.
type deliverMode uint8

const (
	// deliverRegular stops at the first gap and at the first safe message
	// not yet held by every member.
	deliverRegular deliverMode = iota
	// deliverTransitional is the pass after the transitional
	// configuration: safe messages no longer wait, and gaps are passed
	// over; past the first gap only messages from deliverMemb are handed
	// up, as corosync's skip mode does.
	deliverTransitional
)

// deliverToApp is messages_deliver_to_app: hand up stored messages in seq
// order from my_high_delivered+1 to end.
func (n *Node) deliverToApp(end uint32, mode deliverMode) {
	if wire.SeqLTE(end, n.myHighDelivered) {
		return
	}
	rng := end - n.myHighDelivered
	if rng >= sortQueueSize {
		rng = sortQueueSize - 1
	}
	first := len(n.ready.Events)
	stored := n.myHighDelivered
	gap := false
	for i := uint32(1); i <= rng; i++ {
		seq := stored + i
		if !n.regular.inRange(seq) {
			break
		}
		data, ok := n.regular.get(seq)
		if !ok {
			if mode == deliverRegular {
				break
			}
			gap = true
			n.myHighDelivered = seq
			continue
		}
		if mode == deliverRegular && !n.defects.EarlySafe && mcastIsSafe(data) && wire.SeqLT(n.safeARU, seq) {
			break
		}
		n.myHighDelivered = seq
		m := &n.rxInner
		if err := wire.DecodeMcast(data, m); err != nil {
			continue // stored only after a successful decode; defensive
		}
		if gap && !contains(n.deliverMemb, m.SystemFrom) {
			continue
		}
		n.ready.Events = append(n.ready.Events, Event{
			Kind: EventDeliver,
			Deliver: Delivery{
				Sender:    m.Header.NodeID,
				Ring:      m.Ring,
				Seq:       m.Seq,
				Safe:      m.Guarantee != 0,
				BigEndian: data[0] != 0x70, // the magic 0xC070 as sent
				Payload:   m.Payload,
			},
		})
	}
	if n.defects.SwapDelivery && len(n.ready.Events)-first >= 2 {
		ev := n.ready.Events
		ev[first], ev[first+1] = ev[first+1], ev[first]
	}
}
