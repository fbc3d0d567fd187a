package cpg

import (
	"encoding/binary"
	"testing"

	"goais/service"
)

// benchNode is an Env and Clients that discards everything.
type benchNode struct{ delivered int }

func (b *benchNode) NodeID() service.NodeID                                 { return 1 }
func (b *benchNode) Mcast(uint16, []byte) error                             { return nil }
func (b *benchNode) Confchg(ClientID, string, []Member, []Member, []Member) {}
func (b *benchNode) Deliver(ClientID, string, service.NodeID, uint32, []byte) {
	b.delivered++
}
func (b *benchNode) TotemConfchg(ClientID, service.RingID, []service.NodeID) {}

// benchCPG returns a synced CPG with three local members in grpA and a
// process of node 2 in it.
func benchCPG(b *testing.B) (*CPG, *benchNode) {
	n := &benchNode{}
	c := New(n, n, nil)
	c.SyncInit([]service.NodeID{1}, []service.NodeID{1, 2}, service.RingID{Rep: 1, Seq: 4})
	c.SyncProcess()
	c.SyncActivate()
	for i := range 3 {
		if err := c.Join(ClientID(i), uint32(100+i), "grpA"); err != nil {
			b.Fatal(err)
		}
		pj, _ := ProcJoin{Group: "grpA", PID: uint32(100 + i), Reason: ReasonJoin}.encode(binary.LittleEndian, FnProcJoin)
		c.Deliver(1, FnProcJoin, pj, false)
	}
	pj, _ := ProcJoin{Group: "grpA", PID: 200, Reason: ReasonJoin}.encode(binary.LittleEndian, FnProcJoin)
	c.Deliver(2, FnProcJoin, pj, false)
	return c, n
}

// BenchmarkDeliverMcast is the receive hot path: decode a 1 KiB MCAST and
// hand it to three local members.
func BenchmarkDeliverMcast(b *testing.B) {
	c, n := benchCPG(b)
	msg, _ := Mcast{Group: "grpA", PID: 200, Source: 2, Msg: make([]byte, 1024)}.encode(binary.LittleEndian)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		c.Deliver(2, FnMcast, msg, false)
	}
	if n.delivered == 0 {
		b.Fatal("nothing delivered")
	}
}

// BenchmarkMcastSend is the send path of a 1 KiB message: checks and
// encoding.
func BenchmarkMcastSend(b *testing.B) {
	c, _ := benchCPG(b)
	payload := make([]byte, 1024)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if err := c.Mcast(0, "grpA", payload); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeJoinList decodes a JOINLIST of 100 processes.
func BenchmarkDecodeJoinList(b *testing.B) {
	es := make([]JoinEntry, 100)
	for i := range es {
		es[i] = JoinEntry{PID: uint32(i), Group: "group-name"}
	}
	msg, _ := encodeJoinList(binary.LittleEndian, es)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeJoinList(msg, false); err != nil {
			b.Fatal(err)
		}
	}
}
