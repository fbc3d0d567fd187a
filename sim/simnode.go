package sim

import (
	"encoding/binary"
	"hash/fnv"
	"time"

	"goais/totem"
	"goais/transport/mem"
)

// simNode is one simulated processor: a Totem core while it is up, plus
// what survives a crash (the persisted ring seq) and what a pause holds
// back (packets that queued up in its socket).
type simNode struct {
	id          totem.NodeID
	core        *totem.Node // nil while crashed
	incarnation uint32
	counter     uint64
	ringSeq     uint64 // persisted ring seq ("ringid_<nodeid>" file)
	paused      bool
	backlog     []mem.Packet // received while paused
	nextSend    time.Duration
	sendEvery   time.Duration
	// FaultTokenDrop: probabilities of dropping a received ORF token and
	// a received MCAST.
	tokenDrop, mcastDrop float64
}

// backlogLimit bounds the packets a paused node's socket buffer keeps; the
// rest are lost, as a full receive buffer drops them.
const backlogLimit = 2048

// payload header: origin u32, incarnation u32, counter u64.
const payloadHeader = 16

func encodePayload(dst []byte, id MsgID, size int, fill byte) []byte {
	if size < payloadHeader {
		size = payloadHeader
	}
	dst = dst[:0]
	dst = binary.LittleEndian.AppendUint32(dst, uint32(id.Origin))
	dst = binary.LittleEndian.AppendUint32(dst, id.Incarnation)
	dst = binary.LittleEndian.AppendUint64(dst, id.Counter)
	for len(dst) < size {
		dst = append(dst, fill+byte(len(dst)))
	}
	return dst
}

func decodePayload(p []byte) (MsgID, bool) {
	if len(p) < payloadHeader {
		return MsgID{}, false
	}
	return MsgID{
		Origin:      totem.NodeID(binary.LittleEndian.Uint32(p[0:4])),
		Incarnation: binary.LittleEndian.Uint32(p[4:8]),
		Counter:     binary.LittleEndian.Uint64(p[8:16]),
	}, true
}

func payloadSum(p []byte) uint64 {
	h := fnv.New64a()
	h.Write(p)
	return h.Sum64()
}
