package pg

import "fmt"

// Sizes, in bytes (reference §1.3 and §4).
const (
	// HeaderSize is the fixed totempg header: version, type, fragmented,
	// continuation, msg_count.
	HeaderSize = 8

	// DefaultPacketSize is corosync's totempg packet limit: net_mtu 1500
	// minus two 45-byte MCAST headers (totemsrp_net_mtu_adjust()), so an
	// encapsulated recovery copy is at most net_mtu bytes of UDP payload.
	DefaultPacketSize = 1410

	// MinPacketSize leaves room for the header, one length and one data
	// byte, the least that still makes progress on a fragmented message.
	MinPacketSize = HeaderSize + 2 + 1

	// MaxPacketSize keeps an encapsulated MCAST (two 45-byte headers plus
	// the packet) within corosync's FRAME_SIZE_MAX of 65536, and every
	// per-message length within a u16.
	MaxPacketSize = 65536 - 2*45

	// MaxMessageSize bounds one application message, group header
	// included, on both sides: the Packer refuses longer ones and the
	// Assembler never buffers more for one sender.
	MaxMessageSize = 1 << 20

	// minFree is the space a message must leave in the packet for it to
	// stay open: one more u16 length and one byte of data. corosync's
	// mcast_msg() applies the same rule ("leave at least sizeof(short) + 1
	// bytes"), so it never has to start a message in a packet it cannot
	// put a byte of it into.
	minFree = 2 + 1
)

// Header field offsets.
const (
	offVersion      = 0
	offType         = 2
	offFragmented   = 4
	offContinuation = 5
	offCount        = 6
)

// u16 reads a 16-bit field in the sender's byte order.
func u16(b []byte, off int, bigEndian bool) uint16 {
	if bigEndian {
		return uint16(b[off])<<8 | uint16(b[off+1])
	}
	return uint16(b[off]) | uint16(b[off+1])<<8
}

// packet is a validated view of a received totempg packet. It holds no
// copies; messages are read from b on demand so parsing never allocates.
type packet struct {
	b          []byte
	bigEndian  bool
	fragmented uint8
	cont       uint8
	count      int
}

// msgLen returns msg_len[i].
func (p *packet) msgLen(i int) int {
	return int(u16(p.b, HeaderSize+2*i, p.bigEndian))
}

// dataStart is the offset of the first message byte.
func (p *packet) dataStart() int { return HeaderSize + 2*p.count }

// parsePacket validates b as a totempg packet. corosync checks only the
// total length; we also insist on version 0 and type 0, which every
// corosync sender writes, and on a fragmented flag only when there is a
// message to continue.
func parsePacket(b []byte, bigEndian bool) (packet, error) {
	if len(b) < HeaderSize {
		return packet{}, packetErr("header", 0, "packet has %d bytes, need %d", len(b), HeaderSize)
	}
	if v := u16(b, offVersion, bigEndian); v != 0 {
		return packet{}, packetErr("version", offVersion, "version %d, want 0", v)
	}
	if t := u16(b, offType, bigEndian); t != 0 {
		return packet{}, packetErr("type", offType, "type %d, want 0", t)
	}
	p := packet{
		b:          b,
		bigEndian:  bigEndian,
		fragmented: b[offFragmented],
		cont:       b[offContinuation],
		count:      int(u16(b, offCount, bigEndian)),
	}
	if p.dataStart() > len(b) {
		return packet{}, packetErr("msg_count", offCount, "msg_count %d needs %d bytes of lengths, packet has %d after the header",
			p.count, 2*p.count, len(b)-HeaderSize)
	}
	if p.count == 0 && (p.fragmented != 0 || p.cont != 0) {
		return packet{}, packetErr("msg_count", offCount, "msg_count 0 with fragmented %d, continuation %d", p.fragmented, p.cont)
	}
	end := p.dataStart()
	for i := range p.count {
		end += p.msgLen(i)
		if end > len(b) {
			return packet{}, packetErr(fmt.Sprintf("msg_len[%d]", i), HeaderSize+2*i,
				"message %d ends at byte %d, packet has %d", i, end, len(b))
		}
	}
	if end != len(b) {
		return packet{}, packetErr("msg_len", HeaderSize, "messages end at byte %d, packet has %d (%d trailing bytes)",
			end, len(b), len(b)-end)
	}
	return p, nil
}

// String renders the packet header for test failures and debugging.
func (p *packet) String() string {
	lens := make([]int, p.count)
	for i := range lens {
		lens[i] = p.msgLen(i)
	}
	return fmt.Sprintf("frag=%d cont=%d lens=%v", p.fragmented, p.cont, lens)
}
