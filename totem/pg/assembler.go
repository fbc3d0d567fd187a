package pg

import (
	"errors"
	"fmt"

	"goais/totem/wire"
)

// retainCap bounds the reassembly buffer a sender keeps between messages,
// so a burst of large messages does not pin up to MaxMessageSize for each
// of up to 384 nodes, while messages up to about 64 KiB (CPG's common
// large sizes) reassemble without allocating.
const retainCap = 128 << 10

// Assembler splits received totempg packets into application messages and
// joins fragments, keeping one reassembly buffer per sender
// (corosync's totempg_deliver_fn()). It is not safe for concurrent use.
type Assembler struct {
	streams map[wire.NodeID]*stream
	stats   Stats
}

// stream is one sender's reassembly state.
type stream struct {
	buf []byte
	// id is the fragment id the sender's next packet must carry as its
	// continuation; 0 when no message is pending.
	id uint8
	// discard: the pending message is being thrown away (it lost its
	// start or outgrew MaxMessageSize); matching continuations are
	// dropped quietly until it ends.
	discard bool
}

// Stats counts what an Assembler has seen. Drops happen only when a
// sender's packet stream has a hole, which Totem's reliable ordering rules
// out on a ring; nonzero drop counters point at a bug or at packets that
// did not come through Totem.
type Stats struct {
	Packets     uint64 // well-formed packets processed
	Malformed   uint64 // packets refused with ErrMalformed
	Messages    uint64 // messages passed to fn
	Reassembled uint64 // of Messages, those joined from two or more fragments

	// Discontinuities counts broken fragment chains: a continuation that
	// matches no pending message, or a pending message whose sender moved
	// on without continuing it.
	Discontinuities uint64
	// DroppedParts counts message parts thrown away: a buffered start, a
	// dangling continuation, an oversized reassembly. One lost message can
	// count twice (its start and its end).
	DroppedParts uint64
	// DroppedBytes is the number of bytes in those parts, and in the
	// quiet continuations of discarded messages.
	DroppedBytes uint64
	// Oversized counts reassemblies abandoned at MaxMessageSize.
	Oversized uint64
}

// NewAssembler returns an empty Assembler.
func NewAssembler() *Assembler {
	return &Assembler{streams: make(map[wire.NodeID]*stream)}
}

// Stats returns the counters so far.
func (a *Assembler) Stats() Stats { return a.stats }

// Forget drops sender's reassembly state. Call it at a configuration
// change for every node that left, as corosync does, so a returning node
// starts clean and the buffer is freed.
func (a *Assembler) Forget(sender wire.NodeID) {
	delete(a.streams, sender)
}

// Pending reports whether sender has a partly reassembled message.
func (a *Assembler) Pending(sender wire.NodeID) bool {
	st := a.streams[sender]
	return st != nil && st.id != 0
}

// Deliver processes one packet from sender, a totempg packet taken from an
// MCAST in agreed order. bigEndian is the sender's byte order, as detected
// from the Totem header's magic.
//
// fn receives every complete message, in order, group header included
// (see MatchGroup). The slice is valid only during the call, and fn must
// not call back into the Assembler.
//
// A malformed packet is refused whole with a *PacketError (ErrMalformed):
// nothing is delivered and the reassembly state is untouched, as in
// corosync. If the packet continued the sender's pending message, the next
// packet's continuation id will not match and the discontinuity is caught
// there.
//
// On a discontinuity the dangling parts are dropped and counted, every
// complete message in the packet is still delivered, and Deliver returns an
// error wrapping ErrDiscontinuity. corosync instead enters a throw-away
// mode that also withholds the rest of that packet. We deliver them because
// they are whole messages in correct order that do not depend on the lost
// one: withholding them turns one lost message into several, silently, as
// nothing ever retransmits them. Either way this arises only after packets
// were lost outside Totem's guarantees, so it does not affect
// interoperation.
//
// A reassembly that would exceed MaxMessageSize is dropped, the rest of
// that message is discarded as it arrives, and Deliver returns an error
// wrapping ErrTooLarge after delivering the packet's other messages.
func (a *Assembler) Deliver(sender wire.NodeID, packet []byte, bigEndian bool, fn func(msg []byte)) error {
	p, err := parsePacket(packet, bigEndian)
	if err != nil {
		a.stats.Malformed++
		return err
	}
	a.stats.Packets++
	if fn == nil {
		fn = func([]byte) {}
	}
	if p.count == 0 {
		// A packet with no messages breaks no chain: a continuation
		// must come first in the next packet that carries one.
		return nil
	}

	st := a.streams[sender]
	pending := st != nil && st.id != 0
	joined := false   // message 0 continues st
	dangling := false // message 0 continues something we do not have
	var errs []error
	switch {
	case p.cont != 0 && pending && p.cont == st.id:
		joined = true
	case p.cont != 0:
		a.stats.Discontinuities++
		if pending {
			if !st.discard {
				a.drop(st)
			}
			errs = append(errs, fmt.Errorf("%w: node %d continued fragment %d, pending fragment is %d",
				ErrDiscontinuity, sender, p.cont, st.id))
			st.id, st.discard = 0, false
		} else {
			errs = append(errs, fmt.Errorf("%w: node %d continued fragment %d, nothing pending",
				ErrDiscontinuity, sender, p.cont))
		}
		dangling = true
	case pending:
		a.stats.Discontinuities++
		if !st.discard {
			a.drop(st)
		}
		errs = append(errs, fmt.Errorf("%w: node %d left fragment %d unfinished",
			ErrDiscontinuity, sender, st.id))
		st.id, st.discard = 0, false
	}

	off := p.dataStart()
	for i := range p.count {
		n := p.msgLen(i)
		msg := packet[off : off+n : off+n]
		off += n
		continues := i == p.count-1 && p.fragmented != 0

		switch {
		case i == 0 && joined && st.discard:
			a.stats.DroppedBytes += uint64(n)
			st.id, st.discard = 0, false
			if continues { // keep discarding to the message's end
				st.id, st.discard = p.fragmented, true
			}
		case i == 0 && joined:
			if len(st.buf)+n > MaxMessageSize {
				a.stats.Oversized++
				errs = append(errs, fmt.Errorf("%w: node %d reassembly reached %d bytes, limit %d",
					ErrTooLarge, sender, len(st.buf)+n, MaxMessageSize))
				a.drop(st)
				a.stats.DroppedBytes += uint64(n)
				st.id, st.discard = 0, false
				if continues {
					st.id, st.discard = p.fragmented, true
				}
				continue
			}
			st.buf = append(st.buf, msg...)
			if continues {
				st.id = p.fragmented
				continue
			}
			st.id = 0
			a.stats.Messages++
			a.stats.Reassembled++
			fn(st.buf)
			st.buf = st.buf[:0]
			if cap(st.buf) > retainCap {
				st.buf = nil
			}
		case i == 0 && dangling:
			a.stats.DroppedParts++
			a.stats.DroppedBytes += uint64(n)
			if continues {
				st = a.stream(sender)
				st.id, st.discard = p.fragmented, true
			}
		case continues:
			st = a.stream(sender)
			st.buf = append(st.buf[:0], msg...)
			st.id, st.discard = p.fragmented, false
		default:
			a.stats.Messages++
			fn(msg)
		}
	}
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	return errors.Join(errs...)
}

// stream returns sender's state, creating it.
func (a *Assembler) stream(sender wire.NodeID) *stream {
	st := a.streams[sender]
	if st == nil {
		st = &stream{}
		a.streams[sender] = st
	}
	return st
}

// drop throws away st's buffered bytes and counts them.
func (a *Assembler) drop(st *stream) {
	a.stats.DroppedParts++
	a.stats.DroppedBytes += uint64(len(st.buf))
	st.buf = st.buf[:0]
	if cap(st.buf) > retainCap {
		st.buf = nil
	}
}
