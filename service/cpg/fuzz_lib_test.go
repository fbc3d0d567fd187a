package cpg

import (
	"testing"

	clientcpg "goais/client/cpg"
	"goais/internal/svcharness"
	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// libConnFake records what a Library answers one connection.
type libConnFake struct {
	svcharness.Conn
	answered map[uint32]int
}

func newLibConn(id uint64) *libConnFake {
	return &libConnFake{svcharness.Conn{ConnID: id, PID: int(id)}, map[uint32]int{}}
}

func (c *libConnFake) Respond(reqID uint32, _ uint16, _ ipc.Status, _ []byte) {
	c.answered[reqID]++
}

// FuzzLibrary sends a Library arbitrary requests (well-formed and not)
// from three connections while the ring fills, empties, syncs and delivers
// the node's own messages back. It must never panic, answer every request
// exactly once, and, once the ring has room and sync is over, hold
// nothing.
func FuzzLibrary(f *testing.F) {
	join := clientcpg.AppendJoin(nil, clientcpg.JoinRequest{PID: 5, Group: "grpA"})
	mcast := clientcpg.AppendMcast(nil, clientcpg.McastRequest{Guarantee: clientcpg.Agreed, Msg: []byte("hi")})
	seed := []byte{0, 0, byte(len(join))}
	seed = append(seed, join...)
	seed = append(seed, 0, 2, byte(len(mcast)))
	seed = append(seed, mcast...)
	seed = append(seed, 5, 0, 2, byte(len(mcast)))
	seed = append(seed, mcast...)
	seed = append(seed, 6, 7)
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		node := newFuzzNode()
		l := NewLibrary(node, nil)
		l.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: totem.RingID{Rep: 1, Seq: 4}, Members: []service.NodeID{1}})
		l.SyncInit([]service.NodeID{1}, []service.NodeID{1}, totem.RingID{Rep: 1, Seq: 4})
		conns := []*libConnFake{newLibConn(1), newLibConn(2), newLibConn(3)}
		for _, c := range conns {
			l.LibConnect(c)
		}
		deliver := func() {
			q := node.Sent
			node.Sent = nil
			for _, m := range q {
				_, fn, _, err := service.DecodeHeader(m, false)
				if err == nil {
					l.Deliver(1, fn, m, false)
				}
			}
		}
		sync := func() {
			for !l.SyncProcess() {
				node.Full = false
			}
			deliver()
			l.SyncActivate()
			l.SetSyncing(false)
		}
		sync()
		in := svcharness.NewInput(data)
		var reqID uint32
		sentBy := map[uint32]int{} // request → connection index
		gone := map[int]bool{}
		for in.Len() > 0 {
			switch op := in.Byte() % 8; op {
			case 0, 1, 2, 3: // a request
				ci := int(in.Byte()) % len(conns)
				fn := uint16(in.Byte() % 8)
				body := in.Bytes(int(in.Byte()))
				if op == 3 { // a well-formed mcast
					fn, body = clientcpg.FnMcast, clientcpg.AppendMcast(nil, clientcpg.McastRequest{Msg: body})
				}
				if gone[ci] {
					continue
				}
				reqID++
				sentBy[reqID] = ci
				l.LibRequest(conns[ci], reqID, fn, append([]byte(nil), body...))
			case 4:
				deliver()
			case 5:
				node.Full = true
			case 6:
				node.Full = false
				_ = l.Flush()
			case 7:
				ci := int(in.Byte()) % len(conns)
				if !gone[ci] {
					gone[ci] = true
					l.LibDisconnect(conns[ci])
				}
			}
		}
		node.Full = false
		for l.Pending() {
			if err := l.Flush(); err != nil {
				t.Fatalf("flush with room: %v", err)
			}
			deliver()
		}
		deliver()
		for id, ci := range sentBy {
			n := conns[ci].answered[id]
			if n > 1 || (n == 0 && !gone[ci]) {
				t.Fatalf("request %d of connection %d answered %d times", id, ci+1, n)
			}
		}
	})
}
