package cpg

import (
	"encoding/binary"
	"fmt"

	"goais/service"
)

// Downlist is the body of DOWNLIST (fn 5), 1568 bytes: the nodes this
// sender saw leave, computed locally at sync init. corosync 3.1.7 sends it
// in every sync round and its handler only logs it.
//
//	off 16  old_members u32 + pad   how many members the sender's previous ring had
//	off 24  left_nodes u32 + pad
//	off 32  nodeids[384] u32
type Downlist struct {
	OldMembers uint32
	Left       []service.NodeID
}

var downlistLayout = []field{
	{"header", 0, 16},
	{"old_members", 16, 8},
	{"left_nodes", 24, 8},
	{"nodeids", downlistNodesBase, 4 * DownlistNodesMax},
}

// Body encodes m as the body Env.Mcast takes. At most DownlistNodesMax
// left nodes fit.
func (m Downlist) Body() ([]byte, error) {
	b, err := m.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func (m Downlist) encode(o binary.ByteOrder) ([]byte, error) {
	if len(m.Left) > DownlistNodesMax {
		return nil, fmt.Errorf("cpg: downlist of %d nodes, room for %d", len(m.Left), DownlistNodesMax)
	}
	w := newWriter(o, FnDownlist, DownlistSize)
	w.u32(16, m.OldMembers)
	w.u32(24, uint32(len(m.Left)))
	for i, n := range m.Left {
		w.u32(downlistNodesBase+4*i, uint32(n))
	}
	return w.b, nil
}

// DecodeDownlist decodes a DOWNLIST message (header included).
func DecodeDownlist(msg []byte, bigEndian bool) (Downlist, error) {
	r, err := open("DOWNLIST", msg, bigEndian, downlistLayout)
	if err != nil {
		return Downlist{}, err
	}
	left, err := r.nodeids(24, downlistNodesBase)
	if err != nil {
		return Downlist{}, err
	}
	return Downlist{OldMembers: r.u32(16), Left: left}, nil
}

// DownlistOld is the body of DOWNLIST_OLD (fn 4), 1560 bytes: the
// downlist of corosync 2.x. 3.x never sends it and only logs it.
//
//	off 16  left_nodes u32 + pad
//	off 24  nodeids[384] u32
type DownlistOld struct {
	Left []service.NodeID
}

var downlistOldLayout = []field{
	{"header", 0, 16},
	{"left_nodes", 16, 8},
	{"nodeids", downlistOldNodes, 4 * DownlistNodesMax},
}

// Body encodes m as the body Env.Mcast takes.
func (m DownlistOld) Body() ([]byte, error) {
	b, err := m.encode(binary.LittleEndian)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func (m DownlistOld) encode(o binary.ByteOrder) ([]byte, error) {
	if len(m.Left) > DownlistNodesMax {
		return nil, fmt.Errorf("cpg: downlist of %d nodes, room for %d", len(m.Left), DownlistNodesMax)
	}
	w := newWriter(o, FnDownlistOld, DownlistOldSize)
	w.u32(16, uint32(len(m.Left)))
	for i, n := range m.Left {
		w.u32(downlistOldNodes+4*i, uint32(n))
	}
	return w.b, nil
}

// DecodeDownlistOld decodes a DOWNLIST_OLD message (header included).
func DecodeDownlistOld(msg []byte, bigEndian bool) (DownlistOld, error) {
	r, err := open("DOWNLIST_OLD", msg, bigEndian, downlistOldLayout)
	if err != nil {
		return DownlistOld{}, err
	}
	left, err := r.nodeids(16, downlistOldNodes)
	if err != nil {
		return DownlistOld{}, err
	}
	return DownlistOld{Left: left}, nil
}

// nodeids reads the left_nodes count at countOff and that many ids from
// base; the layout check made room for all DownlistNodesMax of them.
func (r reader) nodeids(countOff, base int) ([]service.NodeID, error) {
	n := r.u32(countOff)
	if n > DownlistNodesMax {
		return nil, decodeErr(r.what, "left_nodes", countOff, "%d exceeds %d", n, DownlistNodesMax)
	}
	ids := make([]service.NodeID, n)
	for i := range ids {
		ids[i] = service.NodeID(r.u32(base + 4*i))
	}
	return ids, nil
}
