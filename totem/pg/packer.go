package pg

import "fmt"

// Sink takes finished packets from a Packer, normally the Totem SRP core's
// new-message queue.
type Sink interface {
	// Propose queues one packet for ordered multicast; the sink copies it.
	Propose(packet []byte) error
	// Room reports how many more packets the sink accepts right now.
	Room() int
}

// Packer packs application messages into totempg packets for one sending
// node (corosync's mcast_msg()). It is not safe for concurrent use; the
// daemon's loop goroutine owns it.
//
// A Sink that honours its own Room never fails a Propose after Mcast has
// checked Room, so with such a sink no message is ever lost or truncated.
type Packer struct {
	sink Sink
	size int // packet size limit

	// The open (partial) packet: its continuation byte, the lengths of the
	// messages in it and their bytes. Invariant: len(lens) == 0 implies
	// cont == 0, because a fragmented message always leaves its tail here.
	cont uint8
	lens []uint16
	data []byte

	nextID uint8  // next fragment id, 1..255
	hdr    []byte // scratch for the group header of the message being packed
	out    []byte // scratch for the packet being proposed
}

// NewPacker returns a Packer that emits packets of at most packetSize bytes
// to sink. packetSize 0 means DefaultPacketSize; outside
// [MinPacketSize, MaxPacketSize] it panics, as that is a configuration bug.
func NewPacker(packetSize int, sink Sink) *Packer {
	if packetSize == 0 {
		packetSize = DefaultPacketSize
	}
	if packetSize < MinPacketSize || packetSize > MaxPacketSize {
		panic(fmt.Sprintf("totem/pg: packet size %d outside [%d, %d]", packetSize, MinPacketSize, MaxPacketSize))
	}
	// Every message in a packet costs at least 2 bytes of length and,
	// because of the group header, 2 bytes of data.
	maxMsgs := (packetSize-HeaderSize)/4 + 1
	return &Packer{
		sink:   sink,
		size:   packetSize,
		lens:   make([]uint16, 0, maxMsgs),
		data:   make([]byte, 0, packetSize),
		nextID: 1,
		hdr:    make([]byte, 0, 16),
		out:    make([]byte, 0, packetSize),
	}
}

// PacketSize returns the packet size limit.
func (p *Packer) PacketSize() int { return p.size }

// Pending returns the encoded size of the open packet, or 0 if there is
// none. Flush would propose exactly that many bytes.
func (p *Packer) Pending() int {
	if len(p.lens) == 0 {
		return 0
	}
	return HeaderSize + 2*len(p.lens) + len(p.data)
}

// room returns how many bytes of a new message fit into a packet holding k
// messages and fill data bytes.
//
// This is the reference's "1402 − 2·(M+1)" with M = k, the number of
// messages already in the packet, minus the data already there: the
// packet's length array grows to k+1 entries, so everything fits exactly
// into PacketSize = HeaderSize + 2·(k+1) + data. For an empty 1410-byte
// packet that is 1410 − 8 − 2 = 1400, the first fragment observed in the
// lab for a 1573-byte message (tail 173).
func (p *Packer) room(k, fill int) int {
	return p.size - HeaderSize - 2*(k+1) - fill
}

// plan returns how many packets packing a message of n bytes proposes at
// once and whether it leaves an open packet. It mirrors Mcast's loop
// without copying anything.
func (p *Packer) plan(n int) (emit int, open bool) {
	k, fill := len(p.lens), len(p.data)
	for {
		avail := p.room(k, fill)
		if n <= avail-minFree {
			return emit, true
		}
		emit++
		n -= min(n, avail)
		if n == 0 {
			return emit, false
		}
		k, fill = 0, 0
	}
}

// Mcast packs one application message, the group header for groups
// followed by payload, into the open packet. It proposes every packet that
// fills; the last, partial one waits for more messages or Flush.
//
// The message is refused whole, with nothing sent and the Packer unchanged,
// if it exceeds MaxMessageSize (ErrTooLarge), if groups cannot be encoded
// (ErrBadGroups), or if the sink lacks Room for every packet the message
// needs, counting the eventual flush of the open packet (ErrTryAgain).
//
// If the sink's Propose fails anyway, Mcast returns that error. When the
// failing packet was the first one this call proposed, nothing changed;
// otherwise the start of the message is already on its way, so the rest of
// it and the open packet are discarded and packing restarts with a fresh
// packet. Receivers then drop the dangling start as a discontinuity.
func (p *Packer) Mcast(groups []string, payload []byte) error {
	hlen, err := groupsSize(groups)
	if err != nil {
		return err
	}
	n := hlen + len(payload)
	if n > MaxMessageSize {
		return fmt.Errorf("%w: %d bytes (%d group header + %d payload), limit %d",
			ErrTooLarge, n, hlen, len(payload), MaxMessageSize)
	}
	emit, open := p.plan(n)
	need := emit
	if open {
		need++
	}
	if p.sink.Room() < need {
		// The bare sentinel: a full queue is the normal state of a busy
		// ring, and callers retry on every loop turn; formatting an error
		// each time showed in profiles.
		return ErrTryAgain
	}

	p.hdr = appendGroups(p.hdr[:0], groups)
	m := message{p.hdr, payload}
	for off, sent := 0, 0; ; sent++ {
		rest := n - off
		avail := p.room(len(p.lens), len(p.data))
		if rest <= avail-minFree {
			p.data = m.appendRange(p.data, off, rest)
			p.lens = append(p.lens, uint16(rest))
			return nil
		}
		chunk := min(rest, avail)
		var frag uint8
		if chunk < rest {
			frag = p.nextID
		}
		if err := p.propose(frag, m, off, chunk); err != nil {
			if sent > 0 {
				p.reset()
				return fmt.Errorf("totem/pg: packet %d of a %d-byte message refused, message lost: %w", sent+1, n, err)
			}
			return err
		}
		if frag != 0 {
			p.nextID++
			if p.nextID == 0 { // ids wrap 255 → 1; 0 means "not fragmented"
				p.nextID = 1
			}
		}
		off += chunk
		p.lens, p.data, p.cont = p.lens[:0], p.data[:0], frag
		if off == n {
			return nil
		}
	}
}

// Flush proposes the open packet, if any. The protocol core calls it when
// the token arrives, as corosync's callback_token_received_fn() does, so
// that small messages share packets between two token visits. On error the
// open packet is kept for the next Flush.
func (p *Packer) Flush() error {
	if len(p.lens) == 0 {
		return nil
	}
	if err := p.propose(0, message{}, 0, 0); err != nil {
		return err
	}
	p.reset()
	return nil
}

// reset empties the open packet.
func (p *Packer) reset() {
	p.lens, p.data, p.cont = p.lens[:0], p.data[:0], 0
}

// propose encodes the open packet, plus chunk bytes of m from off as one
// more message when chunk > 0, and hands it to the sink. fragmented is the
// packet's fragmented byte. The Packer's state is not touched, so a failed
// Propose leaves everything as it was.
func (p *Packer) propose(fragmented uint8, m message, off, chunk int) error {
	count := len(p.lens)
	if chunk > 0 {
		count++
	}
	b := append(p.out[:0], 0, 0, 0, 0, fragmented, p.cont, byte(count), byte(count>>8))
	for _, l := range p.lens {
		b = append(b, byte(l), byte(l>>8))
	}
	if chunk > 0 {
		b = append(b, byte(chunk), byte(chunk>>8))
	}
	b = append(b, p.data...)
	b = m.appendRange(b, off, chunk)
	p.out = b
	return p.sink.Propose(b)
}

// message is an application message as two pieces, so the group header
// never has to be copied in front of the payload.
type message struct {
	hdr, payload []byte
}

// appendRange appends n bytes of the message starting at off to dst.
func (m message) appendRange(dst []byte, off, n int) []byte {
	if off < len(m.hdr) {
		k := min(n, len(m.hdr)-off)
		dst = append(dst, m.hdr[off:off+k]...)
		off, n = 0, n-k
	} else {
		off -= len(m.hdr)
	}
	return append(dst, m.payload[off:off+n]...)
}
