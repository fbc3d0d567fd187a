package totemtest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"goais/totem"
	"goais/totem/wire"
)

// formatPacket prints a datagram as "from->to message", where to is the
// receiving node of a unicast, * for a multicast reaching every node of the
// environment (the sender included), or the list of nodes it reaches.
func (env *InteractionEnv) formatPacket(p *packet, dests []totem.NodeID) string {
	var to string
	switch {
	case !p.mcast:
		to = strconv.Itoa(int(dests[0]))
	case slices.Equal(dests, env.allIDs()):
		to = "*"
	default:
		ids := make([]string, len(dests))
		for i, id := range dests {
			ids[i] = strconv.Itoa(int(id))
		}
		to = strings.Join(ids, ",")
	}
	return fmt.Sprintf("%d->%s %s", p.from, to, formatMessage(p.data))
}

func ring(r wire.RingID) string { return fmt.Sprintf("%d.%d", r.Rep, r.Seq) }

// seq prints a sequence number, showing the values near the top of the
// range (such as the initial token's aru of 0xffffffff) in hex.
func seq(v uint32) string {
	if v > 0x80000000 {
		return fmt.Sprintf("%#x", v)
	}
	return strconv.FormatUint(uint64(v), 10)
}

// formatMessage prints one Totem datagram on one line.
func formatMessage(data []byte) string {
	m, err := wire.Decode(data)
	if err != nil {
		return fmt.Sprintf("undecodable (%v)", err)
	}
	switch m := m.(type) {
	case *wire.Token:
		rtr := make([]string, len(m.RTR))
		for i, e := range m.RTR {
			rtr[i] = seq(e.Seq)
			if e.Ring != m.Ring {
				rtr[i] = ring(e.Ring) + ":" + rtr[i]
			}
		}
		return fmt.Sprintf("token seq=%s tseq=%s aru=%s aru_addr=%d rtr=[%s] ring=%s fcc=%d backlog=%d retrans_flg=%d",
			seq(m.Seq), seq(m.TokenSeq), seq(m.ARU), m.ARUAddr, strings.Join(rtr, " "), ring(m.Ring),
			m.FCC, m.Backlog, m.RetransFlg)
	case *wire.Mcast:
		return "mcast " + formatMcast(m)
	case *wire.Join:
		s := fmt.Sprintf("join proc=%v failed=%v ring_seq=%d", m.ProcList, m.FailedList, m.RingSeq)
		if m.IsLeave() {
			s = fmt.Sprintf("join nodeid=0 (leave) system_from=%d proc=%v failed=%v ring_seq=%d",
				m.SystemFrom, m.ProcList, m.FailedList, m.RingSeq)
		} else if m.SystemFrom != m.Header.NodeID {
			s += fmt.Sprintf(" system_from=%d", m.SystemFrom)
		}
		return s
	case *wire.CommitToken:
		entries := make([]string, len(m.Memb))
		for i, e := range m.Memb {
			if e.Ring.Rep == 0 {
				entries[i] = "{}"
				continue
			}
			entries[i] = fmt.Sprintf("{%s aru=%s hd=%s rf=%d}", ring(e.Ring), seq(e.ARU), seq(e.HighDelivered), e.ReceivedFlg)
		}
		return fmt.Sprintf("commit ring=%s tseq=%d idx=%d memb=%v old=[%s]",
			ring(m.Ring), m.TokenSeq, m.MembIndex, m.Addr, strings.Join(entries, " "))
	case *wire.MergeDetect:
		return fmt.Sprintf("merge_detect ring=%s", ring(m.Ring))
	case *wire.TokenHoldCancel:
		return fmt.Sprintf("hold_cancel ring=%s", ring(m.Ring))
	}
	return fmt.Sprintf("%T", m)
}

// formatMcast prints an MCAST's header fields and payload; an encapsulated
// recovery copy shows the old-ring message it carries in parentheses.
func formatMcast(m *wire.Mcast) string {
	var b strings.Builder
	if m.Header.Encapsulated == wire.Encapsulated {
		b.WriteString("encapsulated ")
	}
	fmt.Fprintf(&b, "seq=%s ring=%s from=%d", seq(m.Seq), ring(m.Ring), m.Header.NodeID)
	if m.SystemFrom != m.Header.NodeID {
		fmt.Fprintf(&b, " system_from=%d", m.SystemFrom)
	}
	if m.Guarantee != 0 {
		b.WriteString(" safe")
	}
	if m.Header.Encapsulated == wire.Encapsulated {
		var inner wire.Mcast
		if err := wire.DecodeMcast(m.Payload, &inner); err != nil {
			fmt.Fprintf(&b, " (undecodable: %v)", err)
		} else {
			fmt.Fprintf(&b, " (%s)", formatMcast(&inner))
		}
		return b.String()
	}
	fmt.Fprintf(&b, " %q", m.Payload)
	return b.String()
}

// formatEvent prints one entry of a node's upward event stream.
func formatEvent(id totem.NodeID, ev totem.Event) string {
	switch ev.Kind {
	case totem.EventConfig:
		cc := ev.Config
		switch cc.Type {
		case totem.Transitional:
			return fmt.Sprintf("node %d: TRANSITIONAL ring=%s members=%v left=%v", id, ring(cc.Ring), cc.Members, cc.Left)
		case totem.Regular:
			return fmt.Sprintf("node %d: REGULAR ring=%s members=%v joined=%v", id, ring(cc.Ring), cc.Members, cc.Joined)
		}
		return fmt.Sprintf("node %d: %v configuration ring=%s members=%v", id, cc.Type, ring(cc.Ring), cc.Members)
	case totem.EventDeliver:
		dl := ev.Deliver
		s := fmt.Sprintf("node %d: deliver from=%d ring=%s seq=%d %q", id, dl.Sender, ring(dl.Ring), dl.Seq, dl.Payload)
		if dl.Safe {
			s += " safe"
		}
		return s
	}
	return fmt.Sprintf("node %d: unknown event kind %d", id, ev.Kind)
}

// formatStatus prints a node's state on one line.
func formatStatus(n *envNode) string {
	if n.core == nil {
		return fmt.Sprintf("node %d: down (%s) persisted ring_seq=%d", n.id, n.down, n.persisted)
	}
	st := n.core.Status()
	s := fmt.Sprintf("node %d: %v ring=%s members=%v aru=%s high_seq=%s delivered=%s",
		n.id, st.State, ring(st.Ring), st.Members, seq(st.ARU), seq(st.HighSeqRecv), seq(st.HighDelivered))
	if st.State != totem.StateOperational {
		s += fmt.Sprintf(" proc=%v failed=%v", st.ProcList, st.FailedList)
	}
	if st.Queued > 0 {
		s += fmt.Sprintf(" queued=%d", st.Queued)
	}
	if n.paused {
		s += " (paused)"
	}
	return s
}
