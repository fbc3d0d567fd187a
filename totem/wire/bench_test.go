package wire

import (
	"encoding/binary"
	"testing"
)

// Benchmark messages of realistic size: a token with a few retransmit
// requests, a full-size MCAST (1400-byte totempg frame), a join and a commit
// token for a 5-node ring.
func benchMessages() map[string]Message {
	ring := RingID{Rep: 1, Seq: 1000}
	rtr := make([]RTREntry, 4)
	for i := range rtr {
		rtr[i] = RTREntry{Ring: ring, Seq: uint32(100 + i)}
	}
	addr := []NodeID{1, 2, 3, 4, 5}
	memb := make([]MembEntry, len(addr))
	for i := range memb {
		memb[i] = MembEntry{Ring: RingID{Rep: 1, Seq: 996}, ARU: 50, HighDelivered: 50, ReceivedFlg: 1}
	}
	return map[string]Message{
		"Token":           &Token{Header: Header{NodeID: 2}, Seq: 120, TokenSeq: 7, ARU: 99, ARUAddr: 3, Ring: ring, RTR: rtr},
		"Mcast":           &Mcast{Header: Header{Encapsulated: NotEncapsulated, NodeID: 2}, SystemFrom: 2, Seq: 121, Ring: ring, Payload: make([]byte, 1400)},
		"MergeDetect":     &MergeDetect{Header: Header{NodeID: 1}, SystemFrom: 1, Ring: ring},
		"Join":            &Join{Header: Header{NodeID: 1}, SystemFrom: 1, RingSeq: 1000, ProcList: addr, FailedList: addr[3:]},
		"CommitToken":     &CommitToken{Header: Header{NodeID: 3}, TokenSeq: 3, Ring: ring, MembIndex: 3, Addr: addr, Memb: memb},
		"TokenHoldCancel": &TokenHoldCancel{Header: Header{NodeID: 4}, Ring: ring},
	}
}

func benchEncode(b *testing.B, m Message) {
	buf := make([]byte, 0, 2048)
	b.SetBytes(int64(encodedSize(m)))
	b.ReportAllocs()
	for b.Loop() {
		buf = appendAny(buf[:0], m)
	}
}

func benchDecode(b *testing.B, m Message, bigEndian bool) {
	data := appendAny(nil, m)
	if bigEndian {
		data = encodeSeq(binary.BigEndian, m)
	}
	dst := normalize(m) // reused, with capacity for the lists
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if err := decodeInto(data, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, name := range benchOrder {
		b.Run(name, func(b *testing.B) { benchEncode(b, benchMessages()[name]) })
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, name := range benchOrder {
		b.Run(name, func(b *testing.B) { benchDecode(b, benchMessages()[name], false) })
	}
}

func BenchmarkDecodeBigEndian(b *testing.B) {
	for _, name := range benchOrder {
		b.Run(name, func(b *testing.B) { benchDecode(b, benchMessages()[name], true) })
	}
}

func BenchmarkPutMcastHeader(b *testing.B) {
	m := benchMessages()["Mcast"].(*Mcast)
	buf := make([]byte, McastHeaderSize+len(m.Payload))
	b.ReportAllocs()
	for b.Loop() {
		PutMcastHeader(buf, m)
	}
}

func BenchmarkPeekHeader(b *testing.B) {
	data := appendAny(nil, benchMessages()["Token"])
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := PeekHeader(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeGeneric is the allocating tool path, for comparison.
func BenchmarkDecodeGeneric(b *testing.B) {
	data := appendAny(nil, benchMessages()["Token"])
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

var benchOrder = []string{"Token", "Mcast", "MergeDetect", "Join", "CommitToken", "TokenHoldCancel"}
