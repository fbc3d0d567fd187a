package wire

// NodeID identifies a processor. In corosync 3.x an srp_addr on the wire is
// just this 32-bit value; 0 is reserved (it marks the LEAVE form of a join).
type NodeID uint32

// RingID names a ring: the representative that formed it and a sequence
// number that grows by 4 with every new ring (reference §3.3). 12 bytes on
// the wire: rep u32 at +0, seq u64 at +4.
type RingID struct {
	Rep NodeID
	Seq uint64
}

// MessageType is byte 3 of the common header.
type MessageType uint8

// The six Totem SRP message types (reference §2.1).
const (
	TypeORFToken        MessageType = 0
	TypeMcast           MessageType = 1
	TypeMergeDetect     MessageType = 2
	TypeJoin            MessageType = 3
	TypeCommitToken     MessageType = 4
	TypeTokenHoldCancel MessageType = 5
)

// Values of Header.Encapsulated for MCAST; other types send 0.
const (
	Encapsulated    uint8 = 1 // recovery copy: the payload is a whole old-ring MCAST datagram
	NotEncapsulated uint8 = 2 // a regular message
)

// Fixed sizes of the messages and their parts, in bytes.
const (
	HeaderSize          = 13
	RingIDSize          = 12
	TokenSize           = 57 // without the retransmit list
	RTREntrySize        = 16
	McastHeaderSize     = 45
	MergeDetectSize     = 29
	JoinSize            = 33 // without the lists
	CommitTokenSize     = 41 // without the member arrays
	MembEntrySize       = 24
	TokenHoldCancelSize = 25

	// RetransmitEntriesMax bounds the token's retransmit list
	// (RETRANSMIT_ENTRIES_MAX).
	RetransmitEntriesMax = 30
	// ProcessorsMax bounds the join lists and the commit token
	// (PROCESSOR_COUNT_MAX).
	ProcessorsMax = 384
)

// Magic is the header magic in the sender's byte order; a receiver that reads
// it byte-swapped knows the sender is big-endian.
const Magic uint16 = 0xC070

// Version is the only header version corosync 3.x speaks.
const Version uint8 = 3

// Header is the 13-byte totem_message_header common to all messages.
type Header struct {
	Type         MessageType
	Encapsulated uint8
	NodeID       NodeID
	// TargetNodeID is used only by knet; udp/udpu senders leave garbage
	// there. Ignore it on receive and send 0.
	TargetNodeID NodeID
}

// RTREntry is one retransmit request carried by the ORF token.
type RTREntry struct {
	Ring RingID
	Seq  uint32
}

// Token is the ORF token (type 0), unicast to the next node of the ring.
type Token struct {
	Header
	Seq        uint32 // highest seq assigned on this ring
	TokenSeq   uint32 // bumped by every forwarder; drops duplicates
	ARU        uint32 // all-received-up-to
	ARUAddr    NodeID // node that last lowered aru, 0 if aru == seq
	Ring       RingID
	Backlog    uint32
	FCC        uint32
	RetransFlg uint32
	RTR        []RTREntry
}

// Mcast is a regular or encapsulated multicast (type 1). Payload is the
// totempg packet, or for an encapsulated copy a whole old-ring MCAST datagram.
type Mcast struct {
	Header
	SystemFrom NodeID
	Seq        uint32
	ThisSeqno  uint32
	Ring       RingID
	NodeIDPad  uint32 // node_id, always 0 in corosync 3.x
	Guarantee  uint32 // 0 agreed, 1 safe
	Payload    []byte
}

// MergeDetect (type 2) is sent by an idle ring's representative so that
// other rings on the same network notice it.
type MergeDetect struct {
	Header
	SystemFrom NodeID
	Ring       RingID
}

// Join is MEMB_JOIN (type 3). A LEAVE is a join whose header NodeID is 0.
type Join struct {
	Header
	SystemFrom NodeID
	RingSeq    uint64
	ProcList   []NodeID
	FailedList []NodeID
}

// IsLeave reports whether the join is the LEAVE form sent on shutdown.
func (j *Join) IsLeave() bool { return j.Header.NodeID == 0 }

// MembEntry is a commit token's per-member record of its old ring.
type MembEntry struct {
	Ring          RingID
	ARU           uint32
	HighDelivered uint32
	ReceivedFlg   uint32
}

// CommitToken is MEMB_COMMIT_TOKEN (type 4). Addr and Memb have the same
// length; Addr is sorted ascending and is also the ring order.
type CommitToken struct {
	Header
	TokenSeq   uint32
	Ring       RingID
	RetransFlg uint32
	MembIndex  uint32
	Addr       []NodeID
	Memb       []MembEntry
}

// TokenHoldCancel (type 5) asks the representative to release a held token.
type TokenHoldCancel struct {
	Header
	Ring RingID
}
