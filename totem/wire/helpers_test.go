package wire

import (
	"encoding/binary"
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
)

// unhex decodes hex written the way the reference writes it: bytes in any
// grouping, separated by spaces, newlines and '|'.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "\n", "", "\t", "", "|", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// seqEncoder writes fields one after the other in a chosen byte order. It is
// deliberately independent of the package's offset-based encoders: with
// little-endian it cross-checks them, with big-endian it produces what a
// big-endian corosync would send.
type seqEncoder struct {
	order binary.AppendByteOrder
	b     []byte
}

func (w *seqEncoder) u8(v uint8)   { w.b = append(w.b, v) }
func (w *seqEncoder) u32(v uint32) { w.b = w.order.AppendUint32(w.b, v) }
func (w *seqEncoder) u64(v uint64) { w.b = w.order.AppendUint64(w.b, v) }
func (w *seqEncoder) id(v NodeID)  { w.u32(uint32(v)) }
func (w *seqEncoder) ring(r RingID) {
	w.id(r.Rep)
	w.u64(r.Seq)
}

func (w *seqEncoder) header(typ MessageType, h Header) {
	w.b = w.order.AppendUint16(w.b, Magic)
	w.u8(Version)
	w.u8(uint8(typ))
	w.u8(h.Encapsulated)
	w.id(h.NodeID)
	w.id(h.TargetNodeID)
}

// encodeSeq encodes m in the given byte order, field by field.
func encodeSeq(order binary.AppendByteOrder, m Message) []byte {
	w := &seqEncoder{order: order}
	switch m := m.(type) {
	case *Token:
		w.header(TypeORFToken, m.Header)
		w.u32(m.Seq)
		w.u32(m.TokenSeq)
		w.u32(m.ARU)
		w.id(m.ARUAddr)
		w.ring(m.Ring)
		w.u32(m.Backlog)
		w.u32(m.FCC)
		w.u32(m.RetransFlg)
		w.u32(uint32(len(m.RTR)))
		for _, e := range m.RTR {
			w.ring(e.Ring)
			w.u32(e.Seq)
		}
	case *Mcast:
		w.header(TypeMcast, m.Header)
		w.id(m.SystemFrom)
		w.u32(m.Seq)
		w.u32(m.ThisSeqno)
		w.ring(m.Ring)
		w.u32(m.NodeIDPad)
		w.u32(m.Guarantee)
		w.b = append(w.b, m.Payload...)
	case *MergeDetect:
		w.header(TypeMergeDetect, m.Header)
		w.id(m.SystemFrom)
		w.ring(m.Ring)
	case *Join:
		w.header(TypeJoin, m.Header)
		w.id(m.SystemFrom)
		w.u32(uint32(len(m.ProcList)))
		w.u32(uint32(len(m.FailedList)))
		w.u64(m.RingSeq)
		for _, id := range m.ProcList {
			w.id(id)
		}
		for _, id := range m.FailedList {
			w.id(id)
		}
	case *CommitToken:
		w.header(TypeCommitToken, m.Header)
		w.u32(m.TokenSeq)
		w.ring(m.Ring)
		w.u32(m.RetransFlg)
		w.u32(m.MembIndex)
		w.u32(uint32(len(m.Addr)))
		for _, id := range m.Addr {
			w.id(id)
		}
		for _, e := range m.Memb {
			w.ring(e.Ring)
			w.u32(e.ARU)
			w.u32(e.HighDelivered)
			w.u32(e.ReceivedFlg)
		}
	case *TokenHoldCancel:
		w.header(TypeTokenHoldCancel, m.Header)
		w.ring(m.Ring)
	default:
		panic("encodeSeq: unknown message")
	}
	return w.b
}

// appendAny encodes m with the package's encoder for its type.
func appendAny(dst []byte, m Message) []byte {
	switch m := m.(type) {
	case *Token:
		return AppendToken(dst, m)
	case *Mcast:
		return AppendMcast(dst, m)
	case *MergeDetect:
		return AppendMergeDetect(dst, m)
	case *Join:
		return AppendJoin(dst, m)
	case *CommitToken:
		return AppendCommitToken(dst, m)
	case *TokenHoldCancel:
		return AppendTokenHoldCancel(dst, m)
	}
	panic("appendAny: unknown message")
}

// decoderFor returns the typed decoder for typ as a func over a fresh
// struct, so that table tests can call every decoder the same way.
func decoderFor(typ MessageType) func([]byte) (Message, error) {
	switch typ {
	case TypeORFToken:
		return func(b []byte) (Message, error) { m := new(Token); return m, DecodeToken(b, m) }
	case TypeMcast:
		return func(b []byte) (Message, error) { m := new(Mcast); return m, DecodeMcast(b, m) }
	case TypeMergeDetect:
		return func(b []byte) (Message, error) { m := new(MergeDetect); return m, DecodeMergeDetect(b, m) }
	case TypeJoin:
		return func(b []byte) (Message, error) { m := new(Join); return m, DecodeJoin(b, m) }
	case TypeCommitToken:
		return func(b []byte) (Message, error) { m := new(CommitToken); return m, DecodeCommitToken(b, m) }
	case TypeTokenHoldCancel:
		return func(b []byte) (Message, error) { m := new(TokenHoldCancel); return m, DecodeTokenHoldCancel(b, m) }
	}
	panic("decoderFor: unknown type")
}

// normalize returns a deep copy of m with empty slices set to nil, so that
// reflect.DeepEqual compares contents only.
func normalize(m Message) Message {
	switch m := m.(type) {
	case *Token:
		c := *m
		c.RTR = nilIfEmpty(append([]RTREntry(nil), m.RTR...))
		return &c
	case *Mcast:
		c := *m
		c.Payload = nilIfEmpty(append([]byte(nil), m.Payload...))
		return &c
	case *MergeDetect:
		c := *m
		return &c
	case *Join:
		c := *m
		c.ProcList = nilIfEmpty(append([]NodeID(nil), m.ProcList...))
		c.FailedList = nilIfEmpty(append([]NodeID(nil), m.FailedList...))
		return &c
	case *CommitToken:
		c := *m
		c.Addr = nilIfEmpty(append([]NodeID(nil), m.Addr...))
		c.Memb = nilIfEmpty(append([]MembEntry(nil), m.Memb...))
		return &c
	case *TokenHoldCancel:
		c := *m
		return &c
	}
	panic("normalize: unknown message")
}

func nilIfEmpty[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return s
}

func equalMsg(a, b Message) bool {
	return reflect.DeepEqual(normalize(a), normalize(b))
}

// samples returns valid messages of every type, with empty, small and
// maximal lists and values that show byte-order mistakes.
func samples() []Message {
	ring := RingID{Rep: 0x01020304, Seq: 0x1112131415161718}
	hdr := func(typ MessageType, enc uint8) Header {
		return Header{Type: typ, Encapsulated: enc, NodeID: 0x0a0b0c0d, TargetNodeID: 0}
	}
	rtr := make([]RTREntry, RetransmitEntriesMax)
	for i := range rtr {
		rtr[i] = RTREntry{Ring: RingID{Rep: NodeID(i + 1), Seq: uint64(i) << 33}, Seq: 0xFFFF0000 + uint32(i)}
	}
	many := make([]NodeID, ProcessorsMax)
	memb := make([]MembEntry, ProcessorsMax)
	for i := range many {
		many[i] = NodeID(i + 1)
		memb[i] = MembEntry{Ring: RingID{Rep: NodeID(i % 3), Seq: uint64(i)}, ARU: uint32(i), HighDelivered: uint32(i * 2), ReceivedFlg: uint32(i & 1)}
	}
	return []Message{
		&Token{Header: hdr(TypeORFToken, 0), Seq: 0x21222324, TokenSeq: 0xFFFFFFFF, ARU: 7, ARUAddr: 3, Ring: ring, Backlog: 9, FCC: 10, RetransFlg: 1},
		&Token{Header: hdr(TypeORFToken, 0), Seq: 5, Ring: ring, RTR: rtr[:3]},
		&Token{Header: hdr(TypeORFToken, 0), Seq: 5, Ring: ring, RTR: rtr},
		&Mcast{Header: hdr(TypeMcast, NotEncapsulated), SystemFrom: 0x0a0b0c0d, Seq: 0x31323334, ThisSeqno: 1, Ring: ring, Guarantee: 1},
		&Mcast{Header: hdr(TypeMcast, Encapsulated), SystemFrom: 2, Seq: 8, Ring: ring, Payload: []byte{0x12, 0x34, 0x56, 0x78, 0x9a}},
		&MergeDetect{Header: hdr(TypeMergeDetect, 0), SystemFrom: 0x41424344, Ring: ring},
		&Join{Header: hdr(TypeJoin, 0), SystemFrom: 0x0a0b0c0d, RingSeq: 0x5152535455565758},
		&Join{Header: hdr(TypeJoin, 0), SystemFrom: 1, RingSeq: 10, ProcList: []NodeID{3, 1, 0x01000000}, FailedList: []NodeID{2}},
		&Join{Header: Header{Type: TypeJoin}, SystemFrom: 1, RingSeq: 10, ProcList: many[1:2], FailedList: many[:1]}, // LEAVE
		&Join{Header: hdr(TypeJoin, 0), SystemFrom: 1, ProcList: many, FailedList: many},
		&CommitToken{Header: hdr(TypeCommitToken, 0), TokenSeq: 1, Ring: ring, MembIndex: 0},
		&CommitToken{Header: hdr(TypeCommitToken, 0), TokenSeq: 3, Ring: ring, RetransFlg: 0, MembIndex: 1,
			Addr: []NodeID{1, 2, 3}, Memb: []MembEntry{{Ring: ring, ARU: 4, HighDelivered: 5, ReceivedFlg: 1}, {}, {}}},
		&CommitToken{Header: hdr(TypeCommitToken, 0), Ring: ring, MembIndex: ProcessorsMax, Addr: many, Memb: memb},
		&TokenHoldCancel{Header: hdr(TypeTokenHoldCancel, 0), Ring: ring},
	}
}

// encodedSize is the size the reference gives for m (§2.2–§2.7).
func encodedSize(m Message) int {
	switch m := m.(type) {
	case *Token:
		return 57 + 16*len(m.RTR)
	case *Mcast:
		return 45 + len(m.Payload)
	case *MergeDetect:
		return 29
	case *Join:
		return 33 + 4*(len(m.ProcList)+len(m.FailedList))
	case *CommitToken:
		return 41 + 28*len(m.Addr)
	case *TokenHoldCancel:
		return 25
	}
	panic("encodedSize: unknown message")
}
