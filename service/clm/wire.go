package clm

import (
	"encoding/binary"
	"fmt"
	"net/netip"

	clmapi "goais/client/clm"
	"goais/service"
)

// Exec message function ids of the CLM service (service.CLM).
const (
	// FnNodeJoin carries one node's own record; every node multicasts it
	// during sync after each regular configuration (openais's
	// MESSAGE_REQ_EXEC_CLM_NODEJOIN).
	FnNodeJoin uint16 = 0
)

// Layout of NODEJOIN, offsets from the start of the message (the 16-byte
// exec header included), integers in the sender's byte order:
//
//	 0  exec header: id u32 = 17<<16 | 0, size u32 @8 (the whole message)
//	16  node_id          u32
//	20  address_family   u8   0 none, 1 inet, 2 inet6
//	21  address_length   u8   0, 4 or 16 as the family says
//	22  name_length      u16  ≤ 256
//	24  boot_timestamp   i64  ns since the epoch; 0 unknown
//	32  initial_view     u64  the first view the node adopted; 0 unknown
//	40  address          [16]u8, the address bytes, zero padded
//	56  name             name_length bytes
//
// Bytes between the name and the header's size are ignored, so that a
// later version may append fields.
const (
	NodeJoinHeader = 56
	addrOff        = 40
)

// nodeJoinLayout is the fixed part of NODEJOIN, for naming the first
// field a short message lacks.
var nodeJoinLayout = []struct {
	name      string
	off, size int
}{
	{"node_id", 16, 4}, {"address_family", 20, 1}, {"address_length", 21, 1}, {"name_length", 22, 2},
	{"boot_timestamp", 24, 8}, {"initial_view", 32, 8}, {"address", addrOff, 16},
}

// FnName is the name of an exec message of this service.
func FnName(fn uint16) string {
	if fn == FnNodeJoin {
		return "NODEJOIN"
	}
	return fmt.Sprintf("fn %d", fn)
}

// Message prepends the 16-byte exec header to body, as Env.Mcast does: the
// result is what Deliver receives. For tests and tools that play a peer.
func Message(fn uint16, body []byte) []byte {
	b := service.AppendHeader(make([]byte, 0, service.HeaderSize+len(body)), service.CLM, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// Body is the NODEJOIN body carrying n (without the exec header, as
// Env.Mcast wants it). It fails for a name longer than clmapi.NameMax.
func (n Node) Body() ([]byte, error) {
	msg, err := n.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return msg[service.HeaderSize:], nil
}

// encode writes the whole message, header included, in byte order o.
func (n Node) encode(o binary.ByteOrder) ([]byte, error) {
	if len(n.Name) > clmapi.NameMax {
		return nil, fmt.Errorf("clm: node %d: name of %d bytes exceeds %d", n.ID, len(n.Name), clmapi.NameMax)
	}
	size := NodeJoinHeader + len(n.Name)
	b := make([]byte, size)
	o.PutUint32(b[0:], uint32(service.CLM)<<16|uint32(FnNodeJoin))
	o.PutUint32(b[8:], uint32(size))
	o.PutUint32(b[16:], uint32(n.ID))
	a := n.Address.Unmap()
	switch {
	case a.Is4():
		b[20], b[21] = byte(clmapi.AddressIPv4), 4
		v := a.As4()
		copy(b[addrOff:], v[:])
	case a.Is6():
		b[20], b[21] = byte(clmapi.AddressIPv6), 16
		v := a.As16()
		copy(b[addrOff:], v[:])
	}
	o.PutUint16(b[22:], uint16(len(n.Name)))
	o.PutUint64(b[24:], uint64(clmapi.TimeToNS(n.BootTime)))
	o.PutUint64(b[32:], n.InitialView)
	copy(b[NodeJoinHeader:], n.Name)
	return b, nil
}

// DecodeNodeJoin reads a NODEJOIN; bigEndian is the Totem endian flag of
// the delivery. Errors are *DecodeError.
func DecodeNodeJoin(msg []byte, bigEndian bool) (Node, error) {
	const what = "NODEJOIN"
	var o binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		o = binary.BigEndian
	}
	if len(msg) < service.HeaderSize {
		return Node{}, decodeErr(what, "header", 0, "need %d bytes, have %d", service.HeaderSize, len(msg))
	}
	size := int64(int32(o.Uint32(msg[8:])))
	if size < service.HeaderSize || size > int64(len(msg)) {
		return Node{}, decodeErr(what, "header.size", 8, "%d is not between %d and the message length %d",
			size, service.HeaderSize, len(msg))
	}
	msg = msg[:size]
	for _, f := range nodeJoinLayout {
		if f.off+f.size > len(msg) {
			return Node{}, decodeErr(what, f.name, f.off, "need %d bytes, have %d (header.size %d)",
				f.size, max(len(msg)-f.off, 0), len(msg))
		}
	}
	n := Node{
		ID:          service.NodeID(o.Uint32(msg[16:])),
		BootTime:    clmapi.NSToTime(int64(o.Uint64(msg[24:]))),
		InitialView: o.Uint64(msg[32:]),
	}
	fam, alen := clmapi.AddressFamily(msg[20]), int(msg[21])
	switch {
	case fam == clmapi.AddressNone && alen == 0:
	case fam == clmapi.AddressIPv4 && alen == 4:
		n.Address = netip.AddrFrom4([4]byte(msg[addrOff : addrOff+4]))
	case fam == clmapi.AddressIPv6 && alen == 16:
		n.Address = netip.AddrFrom16([16]byte(msg[addrOff : addrOff+16]))
	case fam > clmapi.AddressIPv6:
		return Node{}, decodeErr(what, "address_family", 20, "unknown family %d", fam)
	default:
		return Node{}, decodeErr(what, "address_length", 21, "%d does not fit family %v", alen, fam)
	}
	nlen := int(o.Uint16(msg[22:]))
	if nlen > clmapi.NameMax {
		return Node{}, decodeErr(what, "name_length", 22, "%d exceeds %d", nlen, clmapi.NameMax)
	}
	if NodeJoinHeader+nlen > len(msg) {
		return Node{}, decodeErr(what, "name", NodeJoinHeader, "need %d bytes, have %d (header.size %d)",
			nlen, len(msg)-NodeJoinHeader, len(msg))
	}
	n.Name = string(msg[NodeJoinHeader : NodeJoinHeader+nlen])
	return n, nil
}
