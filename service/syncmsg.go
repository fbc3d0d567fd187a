package service

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// SyncMessageKind is the header id of a sync message. Sync messages use
// bare ids, without the service shift of exec messages (reference §5.3).
type SyncMessageKind int32

// The two sync messages of corosync 3.1 exec/sync.c.
const (
	SyncBarrier      SyncMessageKind = 0
	SyncServiceBuild SyncMessageKind = 1
)

func (k SyncMessageKind) String() string {
	switch k {
	case SyncBarrier:
		return "barrier"
	case SyncServiceBuild:
		return "service-build"
	}
	return fmt.Sprintf("sync-message(%d)", int32(k))
}

// Layout of the sync messages (reference §5.3). corosync sends the full
// struct sizes; receivers never check them, so neither does the decoder:
// it only refuses to read past the end.
const (
	// BarrierSize is req_exec_barrier_message: header, ring id @16, pad.
	BarrierSize = 32
	// ServiceBuildSize is req_exec_service_build_message: header, ring id
	// @16, entries i32 @32, service_list[128] i32 @40.
	ServiceBuildSize = 552
	// MaxSyncServices is the capacity of SERVICE_BUILD's service list.
	MaxSyncServices = 128

	syncRingOff     = 16
	ringIDSize      = 12 // packed memb_ring_id: rep u32, seq u64
	buildEntriesOff = 32
	buildListOff    = 40
)

// ErrUnknownSyncMessage is returned for a sync message whose id is neither
// BARRIER nor SERVICE_BUILD; corosync ignores such messages silently.
var ErrUnknownSyncMessage = errors.New("unknown sync message id")

// SyncMessage is a decoded sync message.
type SyncMessage struct {
	Kind SyncMessageKind
	Ring RingID
	// Services is SERVICE_BUILD's service list, as sent (i32 on the wire;
	// ids a node does not know are kept, they become dummy services).
	Services []int32
}

// AppendBarrier appends a 32-byte BARRIER for ring to dst. Sync messages
// are always little-endian: corosync never converts them.
func AppendBarrier(dst []byte, ring RingID) []byte {
	var b [BarrierSize]byte
	putSyncHeader(b[:], SyncBarrier, BarrierSize, ring)
	return append(dst, b[:]...)
}

// AppendServiceBuild appends a 552-byte SERVICE_BUILD announcing services
// for ring to dst. Unused list slots are zero.
func AppendServiceBuild(dst []byte, ring RingID, services []int32) ([]byte, error) {
	if len(services) > MaxSyncServices {
		return dst, fmt.Errorf("service: SERVICE_BUILD holds at most %d services, got %d", MaxSyncServices, len(services))
	}
	var b [ServiceBuildSize]byte
	putSyncHeader(b[:], SyncServiceBuild, ServiceBuildSize, ring)
	binary.LittleEndian.PutUint32(b[buildEntriesOff:], uint32(len(services)))
	for i, id := range services {
		binary.LittleEndian.PutUint32(b[buildListOff+4*i:], uint32(id))
	}
	return append(dst, b[:]...), nil
}

func putSyncHeader(b []byte, kind SyncMessageKind, size int, ring RingID) {
	binary.LittleEndian.PutUint32(b[0:], uint32(kind))
	binary.LittleEndian.PutUint32(b[8:], uint32(size))
	binary.LittleEndian.PutUint32(b[syncRingOff:], uint32(ring.Rep))
	binary.LittleEndian.PutUint64(b[syncRingOff+4:], ring.Seq)
}

// DecodeSyncMessage decodes a sync message (group "sync"). Like corosync it
// reads everything little-endian and ignores the size field; unlike
// corosync it refuses messages too short for the fields it reads and a
// service list count outside 0..128. Errors wrap ErrMalformed, or
// ErrUnknownSyncMessage for an id that is neither of the two messages.
func DecodeSyncMessage(msg []byte) (SyncMessage, error) {
	if len(msg) < HeaderSize {
		return SyncMessage{}, fmt.Errorf("service: sync message is %d bytes, the header needs %d: %w",
			len(msg), HeaderSize, ErrMalformed)
	}
	kind := SyncMessageKind(int32(binary.LittleEndian.Uint32(msg)))
	if kind != SyncBarrier && kind != SyncServiceBuild {
		return SyncMessage{}, fmt.Errorf("service: sync message id %d: %w", int32(kind), ErrUnknownSyncMessage)
	}
	if len(msg) < syncRingOff+ringIDSize {
		return SyncMessage{}, fmt.Errorf("service: sync %v is %d bytes, its ring id ends at %d: %w",
			kind, len(msg), syncRingOff+ringIDSize, ErrMalformed)
	}
	m := SyncMessage{
		Kind: kind,
		Ring: RingID{
			Rep: NodeID(binary.LittleEndian.Uint32(msg[syncRingOff:])),
			Seq: binary.LittleEndian.Uint64(msg[syncRingOff+4:]),
		},
	}
	if kind == SyncBarrier {
		return m, nil
	}
	if len(msg) < buildEntriesOff+4 {
		return SyncMessage{}, fmt.Errorf("service: sync service-build is %d bytes, its entry count ends at %d: %w",
			len(msg), buildEntriesOff+4, ErrMalformed)
	}
	n := int32(binary.LittleEndian.Uint32(msg[buildEntriesOff:]))
	if n < 0 || n > MaxSyncServices {
		return SyncMessage{}, fmt.Errorf("service: sync service-build entry count (offset %d) is %d, want 0 to %d: %w",
			buildEntriesOff, n, MaxSyncServices, ErrMalformed)
	}
	if end := buildListOff + 4*int(n); len(msg) < end {
		return SyncMessage{}, fmt.Errorf("service: sync service-build is %d bytes, its %d entries end at %d: %w",
			len(msg), n, end, ErrMalformed)
	}
	m.Services = make([]int32, n)
	for i := range m.Services {
		m.Services[i] = int32(binary.LittleEndian.Uint32(msg[buildListOff+4*i:]))
	}
	return m, nil
}
