package clm

import (
	"encoding/binary"
	"fmt"
	"time"

	"goais/ipc"
	"goais/service"
)

// Service is the CLM service id the library names in its IPC hello.
const Service = uint16(service.CLM)

// Request function ids (frames of kind request; the response echoes the
// id).
const (
	// FnTrack is saClmClusterTrack. Request: TrackRequest. Response:
	// empty, or the notification buffer (AppendBuffer) when TrackCurrent
	// was asked with a buffer.
	FnTrack uint16 = 0
	// FnTrackStop is saClmClusterTrackStop. Request and response empty.
	FnTrackStop uint16 = 1
	// FnNodeGet is saClmClusterNodeGet. Request: node id. Response: the
	// node (AppendNode).
	FnNodeGet uint16 = 2
	// FnNodeGetAsync is saClmClusterNodeGetAsync. Request: invocation and
	// node id. Response: empty; the result follows as a CbNodeGet
	// callback.
	FnNodeGetAsync uint16 = 3
)

// Callback function ids (frames of kind callback).
const (
	// CbTrack is saClmClusterTrackCallback: TrackCallback.
	CbTrack uint16 = 0
	// CbNodeGet is saClmClusterNodeGetCallback: NodeGetCallback.
	CbNodeGet uint16 = 1
)

// Body layouts. Integers are little-endian; both ends are on one host.
//
//	TrackRequest (2 bytes):     flags u8 @0, want_buffer u8 @1 (0 or 1)
//	NodeGetRequest (4 bytes):   node_id u32 @0
//	NodeGetAsyncRequest (12):   invocation u64 @0, node_id u32 @8
//
//	node (32 bytes + address + name):
//	  node_id u32 @0, member u8 @4 (0 or 1), family u8 @5 (0 none,
//	  1 inet, 2 inet6), address_length u8 @6 (≤ AddressMax), reserved u8
//	  @7, name_length u16 @8 (≤ NameMax), reserved u16 @10, reserved u32
//	  @12, boot_timestamp i64 @16 (ns since the epoch, 0 unknown),
//	  initial_view u64 @24, then the printable address, then the name.
//
//	buffer (16 bytes + items):
//	  view_number u64 @0, number_of_items u32 @8, reserved u32 @12, then
//	  number_of_items items, each cluster_change u32 followed by a node.
//
//	TrackCallback:   status i32 @0, number_of_members u32 @4, buffer @8
//	                 (a status other than OK carries no buffer)
//	NodeGetCallback: invocation u64 @0, status i32 @8, reserved u32 @12,
//	                 then the node when status is OK
//
// Reserved bytes are written as zero and not checked; decoders refuse
// bytes after the last field.
const (
	TrackRequestSize        = 2
	NodeGetRequestSize      = 4
	NodeGetAsyncRequestSize = 12
	NodeHeaderSize          = 32
	BufferHeaderSize        = 16
	TrackCallbackHeader     = 8
	NodeGetCallbackHeader   = 16
)

var le = binary.LittleEndian

// DecodeError says why a body was rejected: which message, which field,
// at which offset. It unwraps to ErrMalformed.
type DecodeError struct {
	Msg    string // "track request", "node", …
	Field  string // "flags", "items[2].node.name_length", …
	Offset int    // from the start of the body
	Detail string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("clm: %s: %s at offset %d: %s", e.Msg, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// body reads one body; field names carry prefix, offsets base.
type body struct {
	b      []byte
	msg    string
	prefix string
	base   int
}

func (d body) fail(field string, off int, format string, args ...any) error {
	return &DecodeError{Msg: d.msg, Field: d.prefix + field, Offset: d.base + off, Detail: fmt.Sprintf(format, args...)}
}

// need checks that n bytes are there at off; field names the first of
// them.
func (d body) need(field string, off, n int) error {
	if off+n > len(d.b) {
		return d.fail(field, off, "need %d bytes, have %d", n, max(len(d.b)-off, 0))
	}
	return nil
}

// exact checks that nothing follows the last field at end.
func (d body) exact(end int) error {
	if len(d.b) > end {
		return d.fail("end", end, "%d unexpected bytes after the last field", len(d.b)-end)
	}
	return nil
}

func (d body) boolean(field string, off int) (bool, error) {
	switch d.b[off] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, d.fail(field, off, "%d is not 0 or 1", d.b[off])
}

// AppendTrackRequest appends the body of an FnTrack request.
func AppendTrackRequest(dst []byte, flags TrackFlags, wantBuffer bool) []byte {
	return append(dst, byte(flags), b2u(wantBuffer))
}

// DecodeTrackRequest reads an FnTrack request body. It does not apply the
// flag rules (TrackFlags.Check does).
func DecodeTrackRequest(b []byte) (flags TrackFlags, wantBuffer bool, err error) {
	d := body{b: b, msg: "track request"}
	if err := d.need("flags", 0, TrackRequestSize); err != nil {
		return 0, false, err
	}
	if wantBuffer, err = d.boolean("want_buffer", 1); err != nil {
		return 0, false, err
	}
	return TrackFlags(b[0]), wantBuffer, d.exact(TrackRequestSize)
}

// DecodeTrackStopRequest checks that an FnTrackStop request body is empty.
func DecodeTrackStopRequest(b []byte) error {
	return body{b: b, msg: "track stop request"}.exact(0)
}

// AppendNodeGetRequest appends the body of an FnNodeGet request.
func AppendNodeGetRequest(dst []byte, id NodeID) []byte {
	return le.AppendUint32(dst, uint32(id))
}

// DecodeNodeGetRequest reads an FnNodeGet request body.
func DecodeNodeGetRequest(b []byte) (NodeID, error) {
	d := body{b: b, msg: "node get request"}
	if err := d.need("node_id", 0, NodeGetRequestSize); err != nil {
		return 0, err
	}
	return NodeID(le.Uint32(b)), d.exact(NodeGetRequestSize)
}

// AppendNodeGetAsyncRequest appends the body of an FnNodeGetAsync request.
func AppendNodeGetAsyncRequest(dst []byte, inv Invocation, id NodeID) []byte {
	dst = le.AppendUint64(dst, uint64(inv))
	return le.AppendUint32(dst, uint32(id))
}

// DecodeNodeGetAsyncRequest reads an FnNodeGetAsync request body.
func DecodeNodeGetAsyncRequest(b []byte) (Invocation, NodeID, error) {
	d := body{b: b, msg: "node get async request"}
	if err := d.need("invocation", 0, 8); err != nil {
		return 0, 0, err
	}
	if err := d.need("node_id", 8, 4); err != nil {
		return 0, 0, err
	}
	return Invocation(le.Uint64(b)), NodeID(le.Uint32(b[8:])), d.exact(NodeGetAsyncRequestSize)
}

// AppendNode appends a node. It fails for a family outside the three
// known ones, an address longer than AddressMax or a name longer than
// NameMax.
func AppendNode(dst []byte, n ClusterNode) ([]byte, error) {
	if n.NodeAddress.Family > AddressIPv6 {
		return dst, fmt.Errorf("clm: node %d: unknown address family %d", n.NodeID, n.NodeAddress.Family)
	}
	if len(n.NodeAddress.Value) > AddressMax {
		return dst, fmt.Errorf("clm: node %d: address of %d bytes exceeds %d", n.NodeID, len(n.NodeAddress.Value), AddressMax)
	}
	if len(n.NodeName) > NameMax {
		return dst, fmt.Errorf("clm: node %d: name of %d bytes exceeds %d", n.NodeID, len(n.NodeName), NameMax)
	}
	var h [NodeHeaderSize]byte
	le.PutUint32(h[0:], uint32(n.NodeID))
	h[4] = b2u(n.Member)
	h[5] = byte(n.NodeAddress.Family)
	h[6] = byte(len(n.NodeAddress.Value))
	le.PutUint16(h[8:], uint16(len(n.NodeName)))
	le.PutUint64(h[16:], uint64(TimeToNS(n.BootTimestamp)))
	le.PutUint64(h[24:], n.InitialViewNumber)
	dst = append(dst, h[:]...)
	dst = append(dst, n.NodeAddress.Value...)
	return append(dst, n.NodeName...), nil
}

// decodeNode reads a node at the start of d.b and returns it with its
// length.
func decodeNode(d body) (ClusterNode, int, error) {
	if err := d.need("node_id", 0, NodeHeaderSize); err != nil {
		return ClusterNode{}, 0, err
	}
	b := d.b
	member, err := d.boolean("member", 4)
	if err != nil {
		return ClusterNode{}, 0, err
	}
	fam := AddressFamily(b[5])
	if fam > AddressIPv6 {
		return ClusterNode{}, 0, d.fail("family", 5, "unknown address family %d", fam)
	}
	alen, nlen := int(b[6]), int(le.Uint16(b[8:]))
	if alen > AddressMax {
		return ClusterNode{}, 0, d.fail("address_length", 6, "%d exceeds %d", alen, AddressMax)
	}
	if fam == AddressNone && alen != 0 {
		return ClusterNode{}, 0, d.fail("address_length", 6, "%d for family NONE, want 0", alen)
	}
	if nlen > NameMax {
		return ClusterNode{}, 0, d.fail("name_length", 8, "%d exceeds %d", nlen, NameMax)
	}
	if err := d.need("address", NodeHeaderSize, alen); err != nil {
		return ClusterNode{}, 0, err
	}
	if err := d.need("name", NodeHeaderSize+alen, nlen); err != nil {
		return ClusterNode{}, 0, err
	}
	n := ClusterNode{
		NodeID:            NodeID(le.Uint32(b[0:])),
		NodeAddress:       NodeAddress{Family: fam, Value: string(b[NodeHeaderSize : NodeHeaderSize+alen])},
		NodeName:          string(b[NodeHeaderSize+alen : NodeHeaderSize+alen+nlen]),
		Member:            member,
		BootTimestamp:     NSToTime(int64(le.Uint64(b[16:]))),
		InitialViewNumber: le.Uint64(b[24:]),
	}
	return n, NodeHeaderSize + alen + nlen, nil
}

// DecodeNode reads the body of an FnNodeGet response: one node.
func DecodeNode(b []byte) (ClusterNode, error) {
	d := body{b: b, msg: "node"}
	n, size, err := decodeNode(d)
	if err != nil {
		return ClusterNode{}, err
	}
	return n, d.exact(size)
}

// AppendBuffer appends a notification buffer.
func AppendBuffer(dst []byte, buf ClusterNotificationBuffer) ([]byte, error) {
	var h [BufferHeaderSize]byte
	le.PutUint64(h[0:], buf.ViewNumber)
	le.PutUint32(h[8:], uint32(len(buf.Notification)))
	dst = append(dst, h[:]...)
	for _, it := range buf.Notification {
		dst = le.AppendUint32(dst, uint32(it.ClusterChange))
		var err error
		if dst, err = AppendNode(dst, it.ClusterNode); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// decodeBuffer reads a buffer at the start of d.b and returns its length.
func decodeBuffer(d body) (ClusterNotificationBuffer, int, error) {
	if err := d.need("view_number", 0, BufferHeaderSize); err != nil {
		return ClusterNotificationBuffer{}, 0, err
	}
	buf := ClusterNotificationBuffer{ViewNumber: le.Uint64(d.b)}
	count := int(le.Uint32(d.b[8:]))
	// Each item takes at least 36 bytes: refuse a count the body cannot
	// hold before allocating for it.
	if count > (len(d.b)-BufferHeaderSize)/(4+NodeHeaderSize) {
		return buf, 0, d.fail("number_of_items", 8, "%d items cannot fit in %d bytes", count, len(d.b))
	}
	if count > 0 {
		buf.Notification = make([]ClusterNotification, 0, count)
	}
	off := BufferHeaderSize
	for i := range count {
		item := fmt.Sprintf("items[%d].", i)
		if err := d.need(item+"cluster_change", off, 4); err != nil {
			return buf, 0, err
		}
		ch := le.Uint32(d.b[off:])
		if ch < uint32(NoChange) || ch > uint32(Reconfigured) {
			return buf, 0, d.fail(item+"cluster_change", off, "unknown change %d", ch)
		}
		off += 4
		n, size, err := decodeNode(body{b: d.b[off:], msg: d.msg, prefix: d.prefix + item + "node.", base: d.base + off})
		if err != nil {
			return buf, 0, err
		}
		buf.Notification = append(buf.Notification, ClusterNotification{ClusterNode: n, ClusterChange: ClusterChange(ch)})
		off += size
	}
	return buf, off, nil
}

// DecodeBuffer reads the body of an FnTrack response that carries the
// current membership.
func DecodeBuffer(b []byte) (ClusterNotificationBuffer, error) {
	d := body{b: b, msg: "notification buffer"}
	buf, size, err := decodeBuffer(d)
	if err != nil {
		return ClusterNotificationBuffer{}, err
	}
	return buf, d.exact(size)
}

// TrackCallback is the body of a CbTrack callback.
type TrackCallback struct {
	Status          ipc.Status
	NumberOfMembers uint32
	Buffer          ClusterNotificationBuffer // empty unless Status is OK
}

// AppendTrackCallback appends a CbTrack body.
func AppendTrackCallback(dst []byte, cb TrackCallback) ([]byte, error) {
	dst = le.AppendUint32(dst, uint32(cb.Status))
	dst = le.AppendUint32(dst, cb.NumberOfMembers)
	if cb.Status != ipc.StatusOK {
		return dst, nil
	}
	return AppendBuffer(dst, cb.Buffer)
}

// DecodeTrackCallback reads a CbTrack body.
func DecodeTrackCallback(b []byte) (TrackCallback, error) {
	d := body{b: b, msg: "track callback"}
	if err := d.need("status", 0, TrackCallbackHeader); err != nil {
		return TrackCallback{}, err
	}
	cb := TrackCallback{Status: ipc.Status(int32(le.Uint32(b))), NumberOfMembers: le.Uint32(b[4:])}
	if cb.Status != ipc.StatusOK {
		return cb, d.exact(TrackCallbackHeader)
	}
	buf, size, err := decodeBuffer(body{b: b[TrackCallbackHeader:], msg: d.msg, prefix: "buffer.", base: TrackCallbackHeader})
	if err != nil {
		return TrackCallback{}, err
	}
	cb.Buffer = buf
	return cb, d.exact(TrackCallbackHeader + size)
}

// NodeGetCallback is the body of a CbNodeGet callback.
type NodeGetCallback struct {
	Invocation Invocation
	Status     ipc.Status
	Node       ClusterNode // zero unless Status is OK
}

// AppendNodeGetCallback appends a CbNodeGet body.
func AppendNodeGetCallback(dst []byte, cb NodeGetCallback) ([]byte, error) {
	dst = le.AppendUint64(dst, uint64(cb.Invocation))
	dst = le.AppendUint32(dst, uint32(cb.Status))
	dst = le.AppendUint32(dst, 0)
	if cb.Status != ipc.StatusOK {
		return dst, nil
	}
	return AppendNode(dst, cb.Node)
}

// DecodeNodeGetCallback reads a CbNodeGet body. On a decoding error the
// invocation is still returned if its bytes were there, so that the
// library can hand the failure to the right caller.
func DecodeNodeGetCallback(b []byte) (NodeGetCallback, error) {
	d := body{b: b, msg: "node get callback"}
	var cb NodeGetCallback
	if len(b) >= 8 {
		cb.Invocation = Invocation(le.Uint64(b))
	}
	if err := d.need("invocation", 0, NodeGetCallbackHeader); err != nil {
		return cb, err
	}
	cb.Status = ipc.Status(int32(le.Uint32(b[8:])))
	if cb.Status != ipc.StatusOK {
		return cb, d.exact(NodeGetCallbackHeader)
	}
	n, size, err := decodeNode(body{b: b[NodeGetCallbackHeader:], msg: d.msg, prefix: "node.", base: NodeGetCallbackHeader})
	if err != nil {
		return cb, err
	}
	cb.Node = n
	return cb, d.exact(NodeGetCallbackHeader + size)
}

// TimeToNS is SaTimeT for a boot timestamp: nanoseconds since the epoch,
// 0 for the zero Time.
func TimeToNS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// NSToTime is the inverse of TimeToNS.
func NSToTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func b2u(v bool) byte {
	if v {
		return 1
	}
	return 0
}
