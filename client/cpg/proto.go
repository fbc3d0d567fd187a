package cpg

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
)

// Service is the CPG's IPC service id (corosync's CPG_SERVICE, 2).
const Service uint16 = 2

// Request functions.
const (
	FnJoin          uint16 = 0 // body: JoinRequest; response: empty
	FnLeave         uint16 = 1 // body: group name; response: empty
	FnMcast         uint16 = 2 // body: McastRequest; response: McastResponse
	FnMembershipGet uint16 = 3 // body: group name; response: member list
	FnLocalGet      uint16 = 4 // body: empty; response: nodeid u32
	FnIteration     uint16 = 5 // body: empty; response: GroupList
	FnTotemGet      uint16 = 6 // body: empty; response: TotemConfchg
)

// Callback functions.
const (
	CbDeliver      uint16 = 0 // body: Delivery
	CbConfchg      uint16 = 1 // body: Confchg
	CbTotemConfchg uint16 = 2 // body: TotemConfchg
)

// NameMax is the longest group name, as corosync's CPG_MAX_NAME_LENGTH.
const NameMax = 128

// MaxMessage is the largest message one Mcast carries, as corosync's
// 1 MiB IPC limit.
const MaxMessage = 1 << 20

// Guarantee is libcpg's cpg_guarantee_t. Every message is delivered in
// agreed order whatever the guarantee, as corosync 3 does.
type Guarantee uint32

// Guarantees.
const (
	Unordered Guarantee = 0
	FIFO      Guarantee = 1
	Agreed    Guarantee = 2
	Safe      Guarantee = 3
)

// FlowControl is libcpg's cpg_flow_control_state_t.
type FlowControl uint32

const (
	// FlowControlDisabled: the sender may send.
	FlowControlDisabled FlowControl = 0
	// FlowControlEnabled: the sender should stop until it is disabled
	// again; further messages are likely to get try-again.
	FlowControlEnabled FlowControl = 1
)

func (f FlowControl) String() string {
	if f == FlowControlEnabled {
		return "enabled"
	}
	return "disabled"
}

// Reason says why a process appears in a configuration change, with
// libcpg's numbers (CPG_REASON_*); PROCLEAVE exec messages carry it on the
// wire too.
type Reason uint32

// The reasons of libcpg.
const (
	// ReasonUndefined marks the entries of a member list.
	ReasonUndefined Reason = 0
	// ReasonJoin: the process joined with cpg_join.
	ReasonJoin Reason = 1
	// ReasonLeave: the process left with cpg_leave.
	ReasonLeave Reason = 2
	// ReasonNodeDown: the process's node left the ring.
	ReasonNodeDown Reason = 3
	// ReasonNodeUp: the process was already in the group on a node that
	// just joined the ring.
	ReasonNodeUp Reason = 4
	// ReasonProcDown: the process exited without leaving, or no JOINLIST
	// mentioned it in a sync round.
	ReasonProcDown Reason = 5
)

func (r Reason) String() string {
	switch r {
	case ReasonUndefined:
		return "undefined"
	case ReasonJoin:
		return "join"
	case ReasonLeave:
		return "leave"
	case ReasonNodeDown:
		return "nodedown"
	case ReasonNodeUp:
		return "nodeup"
	case ReasonProcDown:
		return "procdown"
	}
	return "reason(" + strconv.FormatUint(uint64(r), 10) + ")"
}

// Address is one process in a membership list (struct cpg_address).
type Address struct {
	NodeID uint32
	PID    uint32
	Reason Reason
}

// JoinRequest is the body of FnJoin.
type JoinRequest struct {
	PID   uint32
	Group string
}

// McastRequest is the body of FnMcast.
type McastRequest struct {
	Guarantee Guarantee
	Msg       []byte
}

// McastResponse is the body of FnMcast's response.
type McastResponse struct {
	FlowControl FlowControl
}

// Delivery is the body of CbDeliver.
type Delivery struct {
	Group  string
	NodeID uint32
	PID    uint32
	Msg    []byte
}

// Confchg is the body of CbConfchg.
type Confchg struct {
	Group   string
	Members []Address
	Left    []Address
	Joined  []Address
}

// TotemConfchg is the body of CbTotemConfchg and of FnTotemGet's
// response: the ring and its members.
type TotemConfchg struct {
	RingRep uint32
	RingSeq uint64
	Members []uint32
}

// GroupMembers is one group of FnIteration's response.
type GroupMembers struct {
	Name    string
	Members []Address
}

// ErrMalformed is wrapped by every decoding error.
var ErrMalformed = errors.New("cpg: malformed body")

// DecodeError names what is wrong in a body and where.
type DecodeError struct {
	What   string // the body: "join request", "delivery", …
	Field  string
	Offset int
	Detail string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("cpg: %s: %s at offset %d: %s", e.What, e.Field, e.Offset, e.Detail)
}

func (e *DecodeError) Unwrap() error { return ErrMalformed }

var le = binary.LittleEndian

// AppendJoin encodes r: pid u32, group name.
func AppendJoin(dst []byte, r JoinRequest) []byte {
	dst = le.AppendUint32(dst, r.PID)
	return appendName(dst, r.Group)
}

// DecodeJoin decodes a FnJoin body.
func DecodeJoin(b []byte) (JoinRequest, error) {
	d := decoder{what: "join request", b: b}
	r := JoinRequest{PID: d.u32("pid"), Group: d.name("group")}
	return r, d.end()
}

// AppendName encodes a group name alone (FnLeave, FnMembershipGet).
func AppendName(dst []byte, group string) []byte { return appendName(dst, group) }

// DecodeName decodes a body that is a group name alone.
func DecodeName(b []byte) (string, error) {
	d := decoder{what: "group name", b: b}
	s := d.name("group")
	return s, d.end()
}

// AppendMcast encodes r: guarantee u32, message length u32, message.
func AppendMcast(dst []byte, r McastRequest) []byte {
	dst = le.AppendUint32(dst, uint32(r.Guarantee))
	dst = le.AppendUint32(dst, uint32(len(r.Msg)))
	return append(dst, r.Msg...)
}

// DecodeMcast decodes a FnMcast body; Msg aliases b.
func DecodeMcast(b []byte) (McastRequest, error) {
	d := decoder{what: "mcast request", b: b}
	r := McastRequest{Guarantee: Guarantee(d.u32("guarantee"))}
	r.Msg = d.bytes("msg", MaxMessage)
	if d.err == nil && r.Guarantee > Safe {
		d.fail("guarantee", 0, "unknown guarantee %d", uint32(r.Guarantee))
	}
	return r, d.end()
}

// AppendMcastResponse encodes r.
func AppendMcastResponse(dst []byte, r McastResponse) []byte {
	return le.AppendUint32(dst, uint32(r.FlowControl))
}

// DecodeMcastResponse decodes FnMcast's response.
func DecodeMcastResponse(b []byte) (McastResponse, error) {
	d := decoder{what: "mcast response", b: b}
	r := McastResponse{FlowControl: FlowControl(d.u32("flow_control"))}
	return r, d.end()
}

// AppendDelivery encodes a delivery: nodeid, pid, group, message.
func AppendDelivery(dst []byte, group string, nodeid, pid uint32, msg []byte) []byte {
	dst = le.AppendUint32(dst, nodeid)
	dst = le.AppendUint32(dst, pid)
	dst = appendName(dst, group)
	dst = le.AppendUint32(dst, uint32(len(msg)))
	return append(dst, msg...)
}

// DecodeDelivery decodes a CbDeliver body; Msg aliases b.
func DecodeDelivery(b []byte) (Delivery, error) {
	d := decoder{what: "delivery", b: b}
	r := Delivery{NodeID: d.u32("nodeid"), PID: d.u32("pid"), Group: d.name("group")}
	r.Msg = d.bytes("msg", MaxMessage)
	return r, d.end()
}

// AppendConfchg encodes a configuration change: group, then the member,
// left and joined lists.
func AppendConfchg(dst []byte, c Confchg) []byte {
	dst = appendName(dst, c.Group)
	for _, l := range [][]Address{c.Members, c.Left, c.Joined} {
		dst = appendAddrs(dst, l)
	}
	return dst
}

// DecodeConfchg decodes a CbConfchg body.
func DecodeConfchg(b []byte) (Confchg, error) {
	d := decoder{what: "confchg", b: b}
	c := Confchg{Group: d.name("group")}
	c.Members = d.addrs("members")
	c.Left = d.addrs("left")
	c.Joined = d.addrs("joined")
	return c, d.end()
}

// AppendTotemConfchg encodes the ring id and members.
func AppendTotemConfchg(dst []byte, t TotemConfchg) []byte {
	dst = le.AppendUint32(dst, t.RingRep)
	dst = le.AppendUint64(dst, t.RingSeq)
	dst = le.AppendUint32(dst, uint32(len(t.Members)))
	for _, m := range t.Members {
		dst = le.AppendUint32(dst, m)
	}
	return dst
}

// DecodeTotemConfchg decodes a CbTotemConfchg body.
func DecodeTotemConfchg(b []byte) (TotemConfchg, error) {
	d := decoder{what: "totem confchg", b: b}
	t := TotemConfchg{RingRep: d.u32("ring.rep"), RingSeq: d.u64("ring.seq")}
	n := d.count("members", 4)
	for range n {
		t.Members = append(t.Members, d.u32("members[]"))
	}
	return t, d.end()
}

// AppendGroups encodes FnIteration's response.
func AppendGroups(dst []byte, groups []GroupMembers) []byte {
	dst = le.AppendUint32(dst, uint32(len(groups)))
	for _, g := range groups {
		dst = appendName(dst, g.Name)
		dst = appendAddrs(dst, g.Members)
	}
	return dst
}

// DecodeGroups decodes FnIteration's response.
func DecodeGroups(b []byte) ([]GroupMembers, error) {
	d := decoder{what: "group list", b: b}
	n := d.count("groups", 8)
	var out []GroupMembers
	for range n {
		g := GroupMembers{Name: d.name("groups[].name")}
		g.Members = d.addrs("groups[].members")
		out = append(out, g)
	}
	return out, d.end()
}

// AppendAddrs encodes a member list (FnMembershipGet's response).
func AppendAddrs(dst []byte, l []Address) []byte { return appendAddrs(dst, l) }

// DecodeAddrs decodes a member list.
func DecodeAddrs(b []byte) ([]Address, error) {
	d := decoder{what: "member list", b: b}
	l := d.addrs("members")
	return l, d.end()
}

func appendName(dst []byte, s string) []byte {
	dst = le.AppendUint32(dst, uint32(len(s)))
	return append(dst, s...)
}

func appendAddrs(dst []byte, l []Address) []byte {
	dst = le.AppendUint32(dst, uint32(len(l)))
	for _, a := range l {
		dst = le.AppendUint32(dst, a.NodeID)
		dst = le.AppendUint32(dst, a.PID)
		dst = le.AppendUint32(dst, uint32(a.Reason))
	}
	return dst
}

// decoder reads a body front to back; the first problem sticks.
type decoder struct {
	what string
	b    []byte
	off  int
	err  error
}

func (d *decoder) fail(field string, off int, format string, args ...any) {
	if d.err == nil {
		d.err = &DecodeError{What: d.what, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
	}
}

func (d *decoder) take(field string, n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b)-d.off < n {
		d.fail(field, d.off, "need %d bytes, have %d", n, len(d.b)-d.off)
		return nil
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

func (d *decoder) u32(field string) uint32 {
	if p := d.take(field, 4); p != nil {
		return le.Uint32(p)
	}
	return 0
}

func (d *decoder) u64(field string) uint64 {
	if p := d.take(field, 8); p != nil {
		return le.Uint64(p)
	}
	return 0
}

// count reads an element count and checks that many elements of at least
// minSize bytes can follow, so a forged count cannot make us allocate.
func (d *decoder) count(field string, minSize int) int {
	off := d.off
	n := d.u32(field + ".count")
	if d.err != nil {
		return 0
	}
	if rest := len(d.b) - d.off; uint64(n)*uint64(minSize) > uint64(rest) {
		d.fail(field+".count", off, "%d entries cannot fit in the %d bytes left", n, rest)
		return 0
	}
	return int(n)
}

func (d *decoder) name(field string) string {
	off := d.off
	n := d.u32(field + ".length")
	if d.err != nil {
		return ""
	}
	if n > NameMax {
		d.fail(field+".length", off, "name of %d bytes, max %d", n, NameMax)
		return ""
	}
	return string(d.take(field, int(n)))
}

func (d *decoder) bytes(field string, limit int) []byte {
	off := d.off
	n := d.u32(field + ".length")
	if d.err != nil {
		return nil
	}
	if n > uint32(limit) {
		d.fail(field+".length", off, "%d bytes, max %d", n, limit)
		return nil
	}
	return d.take(field, int(n))
}

func (d *decoder) addrs(field string) []Address {
	n := d.count(field, 12)
	if n == 0 {
		return nil
	}
	out := make([]Address, 0, n)
	for range n {
		out = append(out, Address{NodeID: d.u32(field + "[].nodeid"), PID: d.u32(field + "[].pid"), Reason: Reason(d.u32(field + "[].reason"))})
	}
	return out
}

// end reports the first error, or trailing bytes.
func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("end", d.off, "%d trailing bytes", len(d.b)-d.off)
	}
	return d.err
}
