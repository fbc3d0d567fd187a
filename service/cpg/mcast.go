package cpg

import (
	"encoding/binary"

	"goais/service"
)

// Mcast is the body of MCAST (fn 3): one whole message to a group.
//
//	off  16  group_name
//	off 152  msglen u32 + pad
//	off 160  pid u32 + pad       the sending process
//	off 168  source.nodeid u32 + pad
//	off 176  source.conn u64     the sender's connection pointer: sent as 0, ignored
//	off 184  message[msglen]
//
// header.size is 184 + msglen.
type Mcast struct {
	Group string
	PID   uint32
	// Source is the sender's own idea of its nodeid. Receivers believe
	// the Totem sender instead, as corosync does.
	Source service.NodeID
	// Msg aliases the decoded message; copy it to keep it.
	Msg []byte
}

var mcastLayout = []field{
	{"header", 0, 16},
	{"group_name.length", 16, 8},
	{"group_name.value", 24, NameMax},
	{"msglen", 152, 8},
	{"pid", 160, 8},
	{"source.nodeid", 168, 8},
	{"source.conn", 176, 8},
}

// Body encodes m as the body Env.Mcast takes.
func (m Mcast) Body() ([]byte, error) {
	b, err := m.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func (m Mcast) encode(o binary.ByteOrder) ([]byte, error) {
	if err := checkName(m.Group); err != nil {
		return nil, err
	}
	w := newWriter(o, FnMcast, McastHeader+len(m.Msg))
	w.name(16, m.Group)
	w.u32(152, uint32(len(m.Msg)))
	w.u32(160, m.PID)
	w.source(168, m.Source)
	copy(w.b[McastHeader:], m.Msg)
	return w.b, nil
}

// DecodeMcast decodes an MCAST message (header included). msglen must fit
// in header.size; bytes after the message are ignored.
func DecodeMcast(msg []byte, bigEndian bool) (Mcast, error) {
	r, err := open("MCAST", msg, bigEndian, mcastLayout)
	if err != nil {
		return Mcast{}, err
	}
	group, err := r.name("", 16)
	if err != nil {
		return Mcast{}, err
	}
	n := int64(r.u32(152))
	if have := int64(len(r.msg) - McastHeader); n > have {
		return Mcast{}, decodeErr("MCAST", "message", McastHeader, "msglen %d, have %d bytes", n, have)
	}
	return Mcast{
		Group:  group,
		PID:    r.u32(160),
		Source: service.NodeID(r.u32(168)),
		Msg:    r.msg[McastHeader : McastHeader+int(n) : McastHeader+int(n)],
	}, nil
}

// PartialMcast is the body of PARTIAL_MCAST (fn 6): one fragment of a
// message libcpg split because it was larger than its IPC chunk.
//
//	off  16  group_name
//	off 152  msglen u32 + pad    the whole message's length
//	off 160  fraglen u32 + pad   this fragment's length
//	off 168  pid u32 + pad
//	off 176  type u32 + pad      FIRST, CONTINUED or LAST
//	off 184  source (nodeid u32 + pad, conn u64)
//	off 200  fragment[fraglen]
//
// header.size is 200 + fraglen.
type PartialMcast struct {
	Group  string
	MsgLen uint32
	PID    uint32
	Type   FragType
	Source service.NodeID
	// Fragment aliases the decoded message; copy it to keep it.
	Fragment []byte
}

var partialLayout = []field{
	{"header", 0, 16},
	{"group_name.length", 16, 8},
	{"group_name.value", 24, NameMax},
	{"msglen", 152, 8},
	{"fraglen", 160, 8},
	{"pid", 168, 8},
	{"type", 176, 8},
	{"source.nodeid", 184, 8},
	{"source.conn", 192, 8},
}

// Body encodes m as the body Env.Mcast takes; fraglen is len(m.Fragment).
func (m PartialMcast) Body() ([]byte, error) {
	b, err := m.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func (m PartialMcast) encode(o binary.ByteOrder) ([]byte, error) {
	if err := checkName(m.Group); err != nil {
		return nil, err
	}
	w := newWriter(o, FnPartialMcast, PartialHeader+len(m.Fragment))
	w.name(16, m.Group)
	w.u32(152, m.MsgLen)
	w.u32(160, uint32(len(m.Fragment)))
	w.u32(168, m.PID)
	w.u32(176, uint32(m.Type))
	w.source(184, m.Source)
	copy(w.b[PartialHeader:], m.Fragment)
	return w.b, nil
}

// DecodePartialMcast decodes a PARTIAL_MCAST message (header included).
// fraglen must fit in header.size; whether the fragments of a message add
// up is for the receiver to check.
func DecodePartialMcast(msg []byte, bigEndian bool) (PartialMcast, error) {
	r, err := open("PARTIAL_MCAST", msg, bigEndian, partialLayout)
	if err != nil {
		return PartialMcast{}, err
	}
	group, err := r.name("", 16)
	if err != nil {
		return PartialMcast{}, err
	}
	n := int64(r.u32(160))
	if have := int64(len(r.msg) - PartialHeader); n > have {
		return PartialMcast{}, decodeErr("PARTIAL_MCAST", "fragment", PartialHeader, "fraglen %d, have %d bytes", n, have)
	}
	return PartialMcast{
		Group:    group,
		MsgLen:   r.u32(152),
		PID:      r.u32(168),
		Type:     FragType(r.u32(176)),
		Source:   service.NodeID(r.u32(184)),
		Fragment: r.msg[PartialHeader : PartialHeader+int(n) : PartialHeader+int(n)],
	}, nil
}
