package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// Each fuzz target checks, for its input b:
//
//  1. decoding never panics, and a failure is a *DecodeError wrapping a
//     sentinel;
//  2. if decoding succeeds: decode(encode(m)) == m; the generic Decode agrees;
//     and b starts with the exact encoding of m in the sender's byte order
//     (for a little-endian b that is encode(m) itself). No field is
//     normalised: TargetNodeID and Encapsulated are carried as they are.
//     Only trailing bytes after the message are dropped (for an MCAST they
//     are the payload);
//  3. for a message built from b's bytes, decode(encode(m)) == m, both for
//     our little-endian encoding and a big-endian one.
//
// Structs are compared with equalMsg, which treats nil and empty slices
// alike.

func FuzzToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTyped(t, b, DecodeToken, AppendToken, buildToken) })
}

func FuzzMcast(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTyped(t, b, DecodeMcast, AppendMcast, buildMcast) })
}

func FuzzMergeDetect(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTyped(t, b, DecodeMergeDetect, AppendMergeDetect, buildMergeDetect) })
}

func FuzzJoin(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTyped(t, b, DecodeJoin, AppendJoin, buildJoin) })
}

func FuzzCommitToken(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) { fuzzTyped(t, b, DecodeCommitToken, AppendCommitToken, buildCommitToken) })
}

func FuzzTokenHoldCancel(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		fuzzTyped(t, b, DecodeTokenHoldCancel, AppendTokenHoldCancel, buildTokenHoldCancel)
	})
}

func FuzzDecode(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			checkFuzzError(t, err)
			if m != nil {
				t.Fatalf("Decode returned %T with an error", m)
			}
		} else {
			checkDecoded(t, b, m)
		}
		if len(b) == 0 {
			return
		}
		builders := []func(*source) Message{
			func(s *source) Message { return buildToken(s) },
			func(s *source) Message { return buildMcast(s) },
			func(s *source) Message { return buildMergeDetect(s) },
			func(s *source) Message { return buildJoin(s) },
			func(s *source) Message { return buildCommitToken(s) },
			func(s *source) Message { return buildTokenHoldCancel(s) },
		}
		built := builders[int(b[0])%len(builders)](&source{b: b[1:]})
		for _, e := range [][]byte{appendAny(nil, built), encodeSeq(binary.BigEndian, built)} {
			got, err := Decode(e)
			if err != nil || !equalMsg(got, built) {
				t.Fatalf("Decode(encode(%+v)) = %+v, %v", built, got, err)
			}
		}
	})
}

func fuzzTyped[T any, P interface {
	*T
	Message
}](t *testing.T, b []byte, dec func([]byte, P) error, enc func([]byte, P) []byte, build func(*source) P) {
	var m T
	if err := dec(b, &m); err != nil {
		checkFuzzError(t, err)
	} else {
		checkDecoded(t, b, P(&m))
	}

	built := build(&source{b: b})
	for _, e := range [][]byte{enc(nil, built), encodeSeq(binary.BigEndian, built)} {
		var got T
		if err := dec(e, &got); err != nil {
			t.Fatalf("decode(encode(%+v)): %v", built, err)
		}
		if !equalMsg(P(&got), built) {
			t.Fatalf("decode(encode(m)) = %+v\nm = %+v", &got, built)
		}
	}
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is %T, not *DecodeError", err, err)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return
		}
	}
	t.Fatalf("error %v wraps no sentinel", err)
}

// checkDecoded checks a message m that was successfully decoded from b.
func checkDecoded(t *testing.T, b []byte, m Message) {
	t.Helper()
	e := appendAny(nil, m)
	again, err := decoderFor(m.MessageType())(e)
	if err != nil {
		t.Fatalf("re-decoding %x: %v", e, err)
	}
	if !equalMsg(again, m) {
		t.Fatalf("decode(encode(decode(b))) = %+v\n decode(b) = %+v", again, m)
	}
	if len(e) > len(b) {
		t.Fatalf("encoding of %+v is %d bytes, longer than the %d decoded", m, len(e), len(b))
	}
	if b[0] == 0x70 { // little-endian sender: we must reproduce its bytes
		if !bytes.Equal(e, b[:len(e)]) {
			t.Fatalf("encode(decode(b)) differs from b:\n got %x\nwant %x", e, b[:len(e)])
		}
	} else if be := encodeSeq(binary.BigEndian, m); !bytes.Equal(be, b[:len(be)]) {
		t.Fatalf("big-endian encoding of decode(b) differs from b:\n got %x\nwant %x", be, b[:len(be)])
	}
	if g, err := Decode(b); err != nil || !equalMsg(g, m) {
		t.Fatalf("Decode(b) = %+v, %v; typed decoder gave %+v", g, err, m)
	}
}

// source turns fuzz bytes into field values; once the bytes run out every
// value is 0.
type source struct{ b []byte }

func (s *source) u8() uint8 {
	if len(s.b) == 0 {
		return 0
	}
	v := s.b[0]
	s.b = s.b[1:]
	return v
}

func (s *source) u32() uint32 {
	var v uint32
	for i := range 4 {
		v |= uint32(s.u8()) << (8 * i)
	}
	return v
}

func (s *source) u64() uint64  { return uint64(s.u32()) | uint64(s.u32())<<32 }
func (s *source) id() NodeID   { return NodeID(s.u32()) }
func (s *source) ring() RingID { return RingID{Rep: s.id(), Seq: s.u64()} }
func (s *source) count(limit int) int {
	return int(uint16(s.u8())|uint16(s.u8())<<8) % (limit + 1)
}

func (s *source) header(typ MessageType) Header {
	return Header{Type: typ, Encapsulated: s.u8(), NodeID: s.id(), TargetNodeID: s.id()}
}

func (s *source) ids(limit int) []NodeID {
	ids := make([]NodeID, s.count(limit))
	for i := range ids {
		ids[i] = s.id()
	}
	return ids
}

func buildToken(s *source) *Token {
	t := &Token{Header: s.header(TypeORFToken), Seq: s.u32(), TokenSeq: s.u32(), ARU: s.u32(),
		ARUAddr: s.id(), Ring: s.ring(), Backlog: s.u32(), FCC: s.u32(), RetransFlg: s.u32()}
	t.RTR = make([]RTREntry, s.count(RetransmitEntriesMax))
	for i := range t.RTR {
		t.RTR[i] = RTREntry{Ring: s.ring(), Seq: s.u32()}
	}
	return t
}

func buildMcast(s *source) *Mcast {
	m := &Mcast{Header: s.header(TypeMcast), SystemFrom: s.id(), Seq: s.u32(), ThisSeqno: s.u32(),
		Ring: s.ring(), NodeIDPad: s.u32(), Guarantee: s.u32()}
	m.Payload = make([]byte, s.count(1500))
	for i := range m.Payload {
		m.Payload[i] = s.u8()
	}
	return m
}

func buildMergeDetect(s *source) *MergeDetect {
	return &MergeDetect{Header: s.header(TypeMergeDetect), SystemFrom: s.id(), Ring: s.ring()}
}

func buildJoin(s *source) *Join {
	return &Join{Header: s.header(TypeJoin), SystemFrom: s.id(), RingSeq: s.u64(),
		ProcList: s.ids(ProcessorsMax), FailedList: s.ids(ProcessorsMax)}
}

func buildCommitToken(s *source) *CommitToken {
	c := &CommitToken{Header: s.header(TypeCommitToken), TokenSeq: s.u32(), Ring: s.ring(),
		RetransFlg: s.u32(), MembIndex: s.u32(), Addr: s.ids(ProcessorsMax)}
	c.Memb = make([]MembEntry, len(c.Addr))
	for i := range c.Memb {
		c.Memb[i] = MembEntry{Ring: s.ring(), ARU: s.u32(), HighDelivered: s.u32(), ReceivedFlg: s.u32()}
	}
	return c
}

func buildTokenHoldCancel(s *source) *TokenHoldCancel {
	return &TokenHoldCancel{Header: s.header(TypeTokenHoldCancel), Ring: s.ring()}
}
