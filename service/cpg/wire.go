package cpg

import (
	"encoding/binary"
	"fmt"

	"goais/service"
)

// Exec message function ids of service 2 (reference §6.1).
const (
	FnProcJoin     uint16 = 0
	FnProcLeave    uint16 = 1
	FnJoinList     uint16 = 2
	FnMcast        uint16 = 3
	FnDownlistOld  uint16 = 4
	FnDownlist     uint16 = 5
	FnPartialMcast uint16 = 6

	// fnCount is corosync's exec_engine_count for cpg: higher fns are
	// dropped with a warning.
	fnCount = 7
)

// Sizes of the exec messages, the 16-byte header included. Every field of
// corosync's structs is aligned to 8 bytes, so the padding is part of the
// layout.
const (
	// NameMax is CPG_MAX_NAME_LENGTH: the longest group name.
	// A group name travels as mar_cpg_name_t: length u32 (+4 pad), then
	// value[NameMax], 136 bytes.
	NameMax = 128

	ProcJoinSize      = 168 // PROCJOIN and PROCLEAVE
	JoinListHeader    = service.ResponseHeaderSize
	JoinEntrySize     = 144 // pid u32 (+4 pad), group_name
	McastHeader       = 184 // MCAST without its message bytes
	PartialHeader     = 200 // PARTIAL_MCAST without its fragment bytes
	DownlistOldSize   = 1560
	DownlistSize      = 1568
	DownlistNodesMax  = 384 // PROCESSOR_COUNT_MAX: room in the nodeids array
	downlistOldNodes  = 24  // offset of nodeids in DOWNLIST_OLD
	downlistNodesBase = 32  // offset of nodeids in DOWNLIST
)

// FnName is the reference's name of an exec message of this service.
func FnName(fn uint16) string {
	switch fn {
	case FnProcJoin:
		return "PROCJOIN"
	case FnProcLeave:
		return "PROCLEAVE"
	case FnJoinList:
		return "JOINLIST"
	case FnMcast:
		return "MCAST"
	case FnDownlistOld:
		return "DOWNLIST_OLD"
	case FnDownlist:
		return "DOWNLIST"
	case FnPartialMcast:
		return "PARTIAL_MCAST"
	}
	return fmt.Sprintf("fn %d", fn)
}

// Message prepends the 16-byte exec header (service 2, fn, total size) to
// body, as Env.Mcast does on the way out: the result is what Deliver
// receives on every node. It serves tests and tools that play a peer.
func Message(fn uint16, body []byte) []byte {
	b := service.AppendHeader(make([]byte, 0, service.HeaderSize+len(body)), service.CPG, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// field is one fixed-offset field of a layout, its padding included. The
// tables only name the first field a truncated message lacks.
type field struct {
	name      string
	off, size int
}

// writer fills one message at the reference's offsets, which count from
// the start of the message (header included) so that code and tables read
// alike. Encoders return w.b[service.HeaderSize:], the body Env.Mcast
// wants; tests keep the header to play a foreign-endian peer.
type writer struct {
	b []byte
	o binary.ByteOrder
}

func newWriter(o binary.ByteOrder, fn uint16, size int) writer {
	w := writer{b: make([]byte, size), o: o}
	w.u32(0, uint32(service.CPG)<<16|uint32(fn))
	w.u32(8, uint32(size))
	return w
}

func (w writer) u32(off int, v uint32) { w.o.PutUint32(w.b[off:], v) }

// name writes a mar_cpg_name_t; the caller checked len(s) <= NameMax.
func (w writer) name(off int, s string) {
	w.u32(off, uint32(len(s)))
	copy(w.b[off+8:off+8+NameMax], s)
}

// source writes a mar_message_source_t: the nodeid, and conn (the
// sender's connection pointer in corosync) as 0.
func (w writer) source(off int, node service.NodeID) {
	w.u32(off, uint32(node))
}

func checkName(s string) error {
	if len(s) > NameMax {
		return fmt.Errorf("%w: %d bytes", ErrNameTooLong, len(s))
	}
	return nil
}

// reader reads one received message. msg is cut at the header's size
// field: bytes after it are ignored, as corosync's handlers ignore them.
type reader struct {
	msg  []byte
	o    binary.ByteOrder
	what string // message name for errors
}

// open checks the exec header of msg and that the layout fits in the
// header's size; bigEndian is the Totem endian flag of the delivery.
func open(what string, msg []byte, bigEndian bool, layout []field) (reader, error) {
	r := reader{msg: msg, o: binary.LittleEndian, what: what}
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

// u32 reads a field the caller has checked to be present.
func (r reader) u32(off int) uint32 { return r.o.Uint32(r.msg[off:]) }

// name reads a mar_cpg_name_t at off; prefix qualifies the field name in
// errors ("entries[2]." for a JOINLIST entry). A length above NameMax is
// malformed: corosync would read past the value array.
func (r reader) name(prefix string, off int) (string, error) {
	n := r.u32(off)
	if n > NameMax {
		return "", decodeErr(r.what, prefix+"group_name.length", off, "%d exceeds %d", n, NameMax)
	}
	return string(r.msg[off+8 : off+8+int(n)]), nil
}
