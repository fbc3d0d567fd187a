package evs

import (
	"encoding/binary"
	"errors"
	"fmt"

	"goais/service"
)

// Service is the EVS service id.
const Service = uint16(service.EVS)

// Request function ids; a response carries its request's fn. They follow
// openais's MESSAGE_REQ_EVS_* numbering.
const (
	FnJoin          uint16 = 0 // body: groups                  → empty
	FnLeave         uint16 = 1 // body: groups                  → empty
	FnMcastJoined   uint16 = 2 // body: mcast_joined            → empty
	FnMcastGroups   uint16 = 3 // body: mcast_groups            → empty
	FnMembershipGet uint16 = 4 // body: empty                   → membership
)

// Callback function ids.
const (
	CallbackDeliver uint16 = 0 // body: deliver
	CallbackConfChg uint16 = 1 // body: confchg
)

// Limits.
const (
	// GroupSize is the size of a group key.
	GroupSize = 32
	// MaxGroupsPerCall is the most groups one Join may name
	// (EVS_ERR_TOO_MANY_GROUPS past it, as in openais).
	MaxGroupsPerCall = 50
	// MaxGroups is the most groups one connection may have joined at
	// once, and the most one McastGroups may name. openais had no such
	// limit; it bounds what one client can make the executive hold and
	// put in every message.
	MaxGroups = 1024

	// ExecOverhead is what a multicast adds to its message on the ring,
	// besides 32 bytes per group: the 5-byte totempg header of group
	// "a", the 16-byte exec header and the 16-byte EVS header
	// (goais/service/evs wire.go).
	ExecOverhead = 5 + 16 + 16
	// maxTotempg is the largest totempg message (totem/pg.MaxMessageSize):
	// a multicast's whole exec message must fit in one.
	maxTotempg = 1 << 20
)

// MaxMessage is the largest message a multicast to that many groups can
// carry: 1 MiB less ExecOverhead and 32 bytes per group (1,048,507 bytes
// for one group). A longer one fails with ErrTooBig.
func MaxMessage(groups int) int { return maxTotempg - ExecOverhead - GroupSize*groups }

// Guarantee is a delivery guarantee (evs_guarantee_t). The executive
// delivers every message in agreed (total) order whatever the guarantee,
// as openais did: FIFO and Unordered are weaker than agreed, and Safe was
// not implemented by openais's library either.
type Guarantee uint32

// Guarantees.
const (
	Unordered Guarantee = 0
	FIFO      Guarantee = 1
	Agreed    Guarantee = 2
	Safe      Guarantee = 3
)

func (g Guarantee) String() string {
	switch g {
	case Unordered:
		return "unordered"
	case FIFO:
		return "fifo"
	case Agreed:
		return "agreed"
	case Safe:
		return "safe"
	}
	return fmt.Sprintf("Guarantee(%d)", uint32(g))
}

// ConfigType tells a transitional configuration change from a regular one;
// the values are totem's.
type ConfigType uint32

// Configuration types.
const (
	Transitional ConfigType = 1
	Regular      ConfigType = 2
)

func (t ConfigType) String() string {
	switch t {
	case Transitional:
		return "transitional"
	case Regular:
		return "regular"
	}
	return fmt.Sprintf("ConfigType(%d)", uint32(t))
}

// NodeID is a node id.
type NodeID = service.NodeID

// ErrMalformed is wrapped by every decoding error of this package.
var ErrMalformed = errors.New("evs: malformed body")

// DecodeError says why a body was rejected. It unwraps to ErrMalformed.
type DecodeError struct {
	Body   string // "join", "mcast_groups", "deliver", …
	Field  string // e.g. "msg_len" or "groups[3]"
	Offset int    // byte offset of Field in the body
	Detail string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("evs: %s body: %s at offset %d: %s", e.Body, e.Field, e.Offset, e.Detail)
}

// Unwrap makes errors.Is(err, ErrMalformed) true.
func (e *DecodeError) Unwrap() error { return ErrMalformed }

// Body layouts. All integers are u32 little-endian; a body is exactly as
// long as its fields say.
//
//	groups (join, leave):  0 count n | 4 n × 32-byte groups
//	mcast_joined:          0 guarantee | 4 msg_len | 8 msg
//	mcast_groups:          0 guarantee | 4 count n | 8 msg_len | 12 n × group | msg
//	membership (response): 0 local nodeid | 4 count n | 8 n × nodeid
//	deliver (callback):    0 sender nodeid | 4 msg_len | 8 msg
//	confchg (callback):    0 type | 4 members m | 8 left l | 12 joined j | 16 (m+l+j) × nodeid

// AppendGroups appends a join or leave request body.
func AppendGroups(dst []byte, groups []Group) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(groups)))
	for _, g := range groups {
		dst = append(dst, g[:]...)
	}
	return dst
}

// DecodeGroups decodes a join or leave request body; what names it in
// errors ("join", "leave").
func DecodeGroups(what string, b []byte) ([]Group, error) {
	r := reader{b: b, what: what}
	n := r.u32("count")
	groups := r.groups(n)
	if err := r.end(); err != nil {
		return nil, err
	}
	return groups, nil
}

// AppendMcastJoined appends an mcast_joined request body.
func AppendMcastJoined(dst []byte, g Guarantee, msg []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(g))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(msg)))
	return append(dst, msg...)
}

// DecodeMcastJoined decodes an mcast_joined request body. msg aliases b.
func DecodeMcastJoined(b []byte) (g Guarantee, msg []byte, err error) {
	r := reader{b: b, what: "mcast_joined"}
	g = r.guarantee()
	n := r.u32("msg_len")
	msg = r.bytes("msg", n)
	if err := r.end(); err != nil {
		return 0, nil, err
	}
	return g, msg, nil
}

// AppendMcastGroups appends an mcast_groups request body.
func AppendMcastGroups(dst []byte, g Guarantee, groups []Group, msg []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(g))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(groups)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(msg)))
	for _, gr := range groups {
		dst = append(dst, gr[:]...)
	}
	return append(dst, msg...)
}

// DecodeMcastGroups decodes an mcast_groups request body. msg aliases b.
func DecodeMcastGroups(b []byte) (g Guarantee, groups []Group, msg []byte, err error) {
	r := reader{b: b, what: "mcast_groups"}
	g = r.guarantee()
	n := r.u32("count")
	ml := r.u32("msg_len")
	groups = r.groups(n)
	msg = r.bytes("msg", ml)
	if err := r.end(); err != nil {
		return 0, nil, nil, err
	}
	return g, groups, msg, nil
}

// AppendMembership appends a membership_get response body.
func AppendMembership(dst []byte, local NodeID, members []NodeID) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(local))
	return appendNodes(dst, members)
}

// DecodeMembership decodes a membership_get response body.
func DecodeMembership(b []byte) (local NodeID, members []NodeID, err error) {
	r := reader{b: b, what: "membership"}
	local = NodeID(r.u32("local_nodeid"))
	n := r.u32("count")
	members = r.nodes("members", n)
	if err := r.end(); err != nil {
		return 0, nil, err
	}
	return local, members, nil
}

// AppendDeliver appends a delivery callback body.
func AppendDeliver(dst []byte, sender NodeID, msg []byte) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(sender))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(msg)))
	return append(dst, msg...)
}

// DecodeDeliver decodes a delivery callback body. Msg aliases b.
func DecodeDeliver(b []byte) (Delivery, error) {
	r := reader{b: b, what: "deliver"}
	var d Delivery
	d.Sender = NodeID(r.u32("sender"))
	n := r.u32("msg_len")
	d.Msg = r.bytes("msg", n)
	if err := r.end(); err != nil {
		return Delivery{}, err
	}
	return d, nil
}

// AppendConfChg appends a configuration change callback body.
func AppendConfChg(dst []byte, c ConfChg) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(c.Type))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(c.Members)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(c.Left)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(c.Joined)))
	for _, l := range [][]NodeID{c.Members, c.Left, c.Joined} {
		for _, id := range l {
			dst = binary.LittleEndian.AppendUint32(dst, uint32(id))
		}
	}
	return dst
}

// DecodeConfChg decodes a configuration change callback body.
func DecodeConfChg(b []byte) (ConfChg, error) {
	r := reader{b: b, what: "confchg"}
	var c ConfChg
	c.Type = ConfigType(r.u32("type"))
	if r.err == nil && c.Type != Transitional && c.Type != Regular {
		r.fail("type", 0, "%d is neither transitional (1) nor regular (2)", uint32(c.Type))
	}
	m, l, j := r.u32("members"), r.u32("left"), r.u32("joined")
	c.Members = r.nodes("member_list", m)
	c.Left = r.nodes("left_list", l)
	c.Joined = r.nodes("joined_list", j)
	if err := r.end(); err != nil {
		return ConfChg{}, err
	}
	return c, nil
}

func appendNodes(dst []byte, ids []NodeID) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(ids)))
	for _, id := range ids {
		dst = binary.LittleEndian.AppendUint32(dst, uint32(id))
	}
	return dst
}

// reader decodes a body front to back. After the first error every read
// returns zero values and the error sticks, so decoders read straight
// through and check once at the end.
type reader struct {
	b    []byte
	off  int
	what string
	err  error
}

func (r *reader) fail(field string, off int, format string, args ...any) {
	if r.err == nil {
		r.err = &DecodeError{Body: r.what, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
	}
}

// need reports whether n more bytes are present, failing on field if not.
func (r *reader) need(field string, n uint64) bool {
	if r.err != nil {
		return false
	}
	if rest := uint64(len(r.b) - r.off); n > rest {
		r.fail(field, r.off, "need %d bytes, have %d", n, rest)
		return false
	}
	return true
}

func (r *reader) u32(field string) uint32 {
	if !r.need(field, 4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v
}

func (r *reader) guarantee() Guarantee {
	off := r.off
	g := Guarantee(r.u32("guarantee"))
	if r.err == nil && g > Safe {
		r.fail("guarantee", off, "%d is not a guarantee (0 to 3)", uint32(g))
	}
	return g
}

func (r *reader) bytes(field string, n uint32) []byte {
	if !r.need(field, uint64(n)) {
		return nil
	}
	v := r.b[r.off : r.off+int(n) : r.off+int(n)]
	r.off += int(n)
	return v
}

func (r *reader) groups(n uint32) []Group {
	// Check the whole array before allocating for it.
	if !r.need("groups", uint64(n)*GroupSize) {
		return nil
	}
	gs := make([]Group, n)
	for i := range gs {
		copy(gs[i][:], r.b[r.off:])
		r.off += GroupSize
	}
	return gs
}

func (r *reader) nodes(field string, n uint32) []NodeID {
	if !r.need(field, uint64(n)*4) {
		return nil
	}
	ids := make([]NodeID, n)
	for i := range ids {
		ids[i] = NodeID(binary.LittleEndian.Uint32(r.b[r.off:]))
		r.off += 4
	}
	return ids
}

// end fails if bytes are left over and returns the first error.
func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("end", r.off, "%d bytes left over", len(r.b)-r.off)
	}
	return r.err
}
