package cpg

import (
	"encoding/binary"
)

// ProcJoin is the body of PROCJOIN (fn 0) and PROCLEAVE (fn 1): one
// process entering or leaving a group. 168 bytes:
//
//	off  16  group_name (length u32 + pad, value[128])
//	off 152  pid u32 + pad
//	off 160  reason u32 + pad   JOIN for PROCJOIN; LEAVE or PROCDOWN for PROCLEAVE
type ProcJoin struct {
	Group  string
	PID    uint32
	Reason Reason
}

var procJoinLayout = []field{
	{"header", 0, 16},
	{"group_name.length", 16, 8},
	{"group_name.value", 24, NameMax},
	{"pid", 152, 8},
	{"reason", 160, 8},
}

// Body encodes m as the body Env.Mcast takes, for FnProcJoin or
// FnProcLeave alike: the message without its 16-byte header, which
// Env.Mcast writes.
func (m ProcJoin) Body() ([]byte, error) {
	b, err := m.encode(binary.LittleEndian, FnProcJoin)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func (m ProcJoin) encode(o binary.ByteOrder, fn uint16) ([]byte, error) {
	if err := checkName(m.Group); err != nil {
		return nil, err
	}
	w := newWriter(o, fn, ProcJoinSize)
	w.name(16, m.Group)
	w.u32(152, m.PID)
	w.u32(160, uint32(m.Reason))
	return w.b, nil
}

// DecodeProcJoin decodes a PROCJOIN message (header included).
func DecodeProcJoin(msg []byte, bigEndian bool) (ProcJoin, error) {
	return decodeProcJoin("PROCJOIN", msg, bigEndian)
}

// DecodeProcLeave decodes a PROCLEAVE message (header included); its
// layout is PROCJOIN's.
func DecodeProcLeave(msg []byte, bigEndian bool) (ProcJoin, error) {
	return decodeProcJoin("PROCLEAVE", msg, bigEndian)
}

func decodeProcJoin(what string, msg []byte, bigEndian bool) (ProcJoin, error) {
	r, err := open(what, msg, bigEndian, procJoinLayout)
	if err != nil {
		return ProcJoin{}, err
	}
	group, err := r.name("", 16)
	if err != nil {
		return ProcJoin{}, err
	}
	return ProcJoin{Group: group, PID: r.u32(152), Reason: Reason(r.u32(160))}, nil
}
