package votequorum

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"goais/service"
)

// Exec message function ids of service 5 (reference §5.2, §5.5).
const (
	FnNodeInfo           uint16 = 0
	FnReconfigure        uint16 = 1
	FnQdeviceReg         uint16 = 2
	FnQdeviceReconfigure uint16 = 3
)

// FnName is the reference's name of an exec message of this service.
func FnName(fn uint16) string {
	switch fn {
	case FnNodeInfo:
		return "NODEINFO"
	case FnReconfigure:
		return "RECONFIGURE"
	case FnQdeviceReg:
		return "QDEVICE_REG"
	case FnQdeviceReconfigure:
		return "QDEVICE_RECONFIGURE"
	}
	return fmt.Sprintf("fn %d", fn)
}

// Sizes of the exec messages, the 16-byte header included.
const (
	NodeInfoSize           = 32
	ReconfigureSize        = 32
	QdeviceRegSize         = 280
	QdeviceReconfigureSize = 528
	// QdeviceNameMax is the room for a quorum device name
	// (VOTEQUORUM_QDEVICE_MAX_NAME_LEN), NUL included when shorter.
	QdeviceNameMax = 255
)

// Node flags of NODEINFO (NODE_FLAGS_*).
const (
	FlagQuorate           uint32 = 1
	FlagLeaving           uint32 = 2
	FlagWFAStatus         uint32 = 4
	FlagFirst             uint32 = 8
	FlagQdeviceRegistered uint32 = 16
	FlagQdeviceAlive      uint32 = 32
	FlagQdeviceCastVote   uint32 = 64
	FlagQdeviceMasterWins uint32 = 128
)

const (
	// QdeviceNodeID is the node id NODEINFO uses for the quorum device
	// (VOTEQUORUM_QDEVICE_NODEID).
	QdeviceNodeID service.NodeID = 0

	reconfigureParamOffset = 24
)

// Parameters of RECONFIGURE (VOTEQUORUM_RECONFIG_PARAM_*).
const (
	ParamExpectedVotes uint8 = 1
	ParamNodeVotes     uint8 = 2
	ParamCancelWFA     uint8 = 3
)

// NodeInfo is NODEINFO: one node's votes, expectation and flags. Node 0
// stands for the quorum device.
type NodeInfo struct {
	NodeID        service.NodeID
	Votes         uint32
	ExpectedVotes uint32
	Flags         uint32
}

// Reconfigure is RECONFIGURE: a change of the cluster's expected votes
// (Param 1, Value), of NodeID's votes (Param 2, Value), or the end of
// wait_for_all (Param 3), sent by corosync-quorumtool -e / -v through a
// node's votequorum library.
type Reconfigure struct {
	NodeID service.NodeID
	Value  uint32
	Param  uint8
}

// QdeviceReg is QDEVICE_REG: a quorum device registered (Operation 0) or
// unregistered (1) on the sending node.
type QdeviceReg struct {
	Operation uint32
	Name      string
}

// QdeviceReconfigure is QDEVICE_RECONFIGURE: the sending node's quorum
// device was renamed.
type QdeviceReconfigure struct {
	OldName, NewName string
}

// Layouts, offsets from the start of the message (the exec header
// included), integers in the sender's byte order. NODEINFO and RECONFIGURE
// are packed after the header; the qdevice messages align every field to
// 8 bytes:
//
//	NODEINFO (32)             nodeid u32 @16, votes u32 @20, expected_votes u32 @24, flags u32 @28
//	RECONFIGURE (32)          nodeid u32 @16, value u32 @20, param u8 @24 (+7 pad)
//	QDEVICE_REG (280)         operation u32 @16 (+4 pad), qdevice_name [255]u8 @24 (+1 pad)
//	QDEVICE_RECONFIGURE (528) oldname [255]u8 @16 (+1 pad), newname [255]u8 @272 (+1 pad)
type field struct {
	name      string
	off, size int
}

var (
	nodeInfoLayout    = []field{{"nodeid", 16, 4}, {"votes", 20, 4}, {"expected_votes", 24, 4}, {"flags", 28, 4}}
	reconfigureLayout = []field{{"nodeid", 16, 4}, {"value", 20, 4}, {"param", reconfigureParamOffset, 8}}
	qdevRegLayout     = []field{{"operation", 16, 8}, {"qdevice_name", 24, 256}}
	qdevReconfLayout  = []field{{"oldname", 16, 256}, {"newname", 272, 256}}
)

// Message prepends the 16-byte exec header to body, as Env.Mcast does: the
// result is what Deliver receives. For tests and tools that play a peer.
func Message(fn uint16, body []byte) []byte {
	b := service.AppendHeader(make([]byte, 0, service.HeaderSize+len(body)), service.Votequorum, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// Body is the NODEINFO body carrying n, without the exec header, as
// Env.Mcast wants it: 16 bytes.
func (n NodeInfo) Body() []byte {
	return n.encode(binary.LittleEndian)[service.HeaderSize:]
}

// newMessage starts a message of size bytes with its exec header.
func newMessage(o binary.ByteOrder, fn uint16, size int) []byte {
	b := make([]byte, size)
	o.PutUint32(b[0:], uint32(service.Votequorum)<<16|uint32(fn))
	o.PutUint32(b[8:], uint32(size))
	return b
}

func (n NodeInfo) encode(o binary.ByteOrder) []byte {
	b := newMessage(o, FnNodeInfo, NodeInfoSize)
	o.PutUint32(b[16:], uint32(n.NodeID))
	o.PutUint32(b[20:], n.Votes)
	o.PutUint32(b[24:], n.ExpectedVotes)
	o.PutUint32(b[28:], n.Flags)
	return b
}

func (r Reconfigure) encode(o binary.ByteOrder) []byte {
	b := newMessage(o, FnReconfigure, ReconfigureSize)
	o.PutUint32(b[16:], uint32(r.NodeID))
	o.PutUint32(b[20:], r.Value)
	b[reconfigureParamOffset] = r.Param
	return b
}

// checkQdeviceName rejects what the fixed name field cannot carry.
func checkQdeviceName(s string) error {
	if len(s) > QdeviceNameMax || bytes.IndexByte([]byte(s), 0) >= 0 {
		return fmt.Errorf("votequorum: quorum device name %q: longer than %d bytes or holds a NUL", s, QdeviceNameMax)
	}
	return nil
}

func (q QdeviceReg) encode(o binary.ByteOrder) ([]byte, error) {
	if err := checkQdeviceName(q.Name); err != nil {
		return nil, err
	}
	b := newMessage(o, FnQdeviceReg, QdeviceRegSize)
	o.PutUint32(b[16:], q.Operation)
	copy(b[24:], q.Name)
	return b, nil
}

func (q QdeviceReconfigure) encode(o binary.ByteOrder) ([]byte, error) {
	for _, s := range []string{q.OldName, q.NewName} {
		if err := checkQdeviceName(s); err != nil {
			return nil, err
		}
	}
	b := newMessage(o, FnQdeviceReconfigure, QdeviceReconfigureSize)
	copy(b[16:], q.OldName)
	copy(b[272:], q.NewName)
	return b, nil
}

// reader reads one received message, cut at the header's size field.
type reader struct {
	msg []byte
	o   binary.ByteOrder
}

// open checks the exec header of msg and that the layout fits in the
// header's size; bigEndian is the Totem endian flag of the delivery.
// Bytes after the layout are ignored, as corosync's handlers ignore them.
func open(what string, msg []byte, bigEndian bool, layout []field) (reader, error) {
	r := reader{msg: msg, o: binary.LittleEndian}
	if bigEndian {
		r.o = binary.BigEndian
	}
	if len(msg) < service.HeaderSize {
		return r, decodeErr(what, "header", 0, "need %d bytes, have %d", service.HeaderSize, len(msg))
	}
	size := int64(int32(r.o.Uint32(msg[8:])))
	if size < service.HeaderSize || size > int64(len(msg)) {
		return r, decodeErr(what, "header.size", 8, "%d is not between %d and the message length %d",
			size, service.HeaderSize, len(msg))
	}
	r.msg = msg[:size]
	for _, f := range layout {
		if f.off+f.size > len(r.msg) {
			return r, decodeErr(what, f.name, f.off, "need %d bytes, have %d (header.size %d)",
				f.size, max(len(r.msg)-f.off, 0), len(r.msg))
		}
	}
	return r, nil
}

func (r reader) u32(off int) uint32 { return r.o.Uint32(r.msg[off:]) }

// cstring reads a NUL-terminated name of at most QdeviceNameMax bytes.
func (r reader) cstring(off int) string {
	b := r.msg[off : off+QdeviceNameMax]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// DecodeNodeInfo reads a NODEINFO; bigEndian is the Totem endian flag of
// the delivery. Errors are *DecodeError.
func DecodeNodeInfo(msg []byte, bigEndian bool) (NodeInfo, error) {
	r, err := open("NODEINFO", msg, bigEndian, nodeInfoLayout)
	if err != nil {
		return NodeInfo{}, err
	}
	return NodeInfo{NodeID: service.NodeID(r.u32(16)), Votes: r.u32(20), ExpectedVotes: r.u32(24), Flags: r.u32(28)}, nil
}

// DecodeReconfigure reads a RECONFIGURE. Errors are *DecodeError.
func DecodeReconfigure(msg []byte, bigEndian bool) (Reconfigure, error) {
	r, err := open("RECONFIGURE", msg, bigEndian, reconfigureLayout)
	if err != nil {
		return Reconfigure{}, err
	}
	return Reconfigure{NodeID: service.NodeID(r.u32(16)), Value: r.u32(20), Param: r.msg[reconfigureParamOffset]}, nil
}

// DecodeQdeviceReg reads a QDEVICE_REG. Errors are *DecodeError.
func DecodeQdeviceReg(msg []byte, bigEndian bool) (QdeviceReg, error) {
	r, err := open("QDEVICE_REG", msg, bigEndian, qdevRegLayout)
	if err != nil {
		return QdeviceReg{}, err
	}
	return QdeviceReg{Operation: r.u32(16), Name: r.cstring(24)}, nil
}

// DecodeQdeviceReconfigure reads a QDEVICE_RECONFIGURE. Errors are
// *DecodeError.
func DecodeQdeviceReconfigure(msg []byte, bigEndian bool) (QdeviceReconfigure, error) {
	r, err := open("QDEVICE_RECONFIGURE", msg, bigEndian, qdevReconfLayout)
	if err != nil {
		return QdeviceReconfigure{}, err
	}
	return QdeviceReconfigure{OldName: r.cstring(16), NewName: r.cstring(272)}, nil
}
