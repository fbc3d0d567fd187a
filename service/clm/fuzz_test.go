package clm

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"slices"
	"testing"
	"time"

	clmapi "goais/client/clm"
	"goais/internal/svcharness"
	"goais/ipc"
	"goais/service"
)

func FuzzDecodeNodeJoin(f *testing.F) {
	svcharness.Seeds(f, 16,
		Node{ID: 2, Address: netip.MustParseAddr("10.0.0.2"), Name: "node2", BootTime: time.Unix(1, 2), InitialView: 3}.encode,
		Node{ID: 3, Address: netip.MustParseAddr("fe80::3")}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if n, err := DecodeNodeJoin(msg, be); err == nil {
			svcharness.RoundTrip(t, n, be, Node.encode, DecodeNodeJoin, nodesEqual)
		}
	})
}

// fuzzConn checks every response and callback the service sends: each
// must decode.
type fuzzConn struct {
	svcharness.Conn
	t *testing.T
}

func (c *fuzzConn) Respond(_ uint32, fn uint16, status ipc.Status, body []byte) {
	if status != ipc.StatusOK && len(body) > 0 {
		c.t.Fatalf("fn %d: %v with a body", fn, status)
	}
	if len(body) == 0 {
		return
	}
	var err error
	switch fn {
	case clmapi.FnTrack:
		_, err = clmapi.DecodeBuffer(body)
	case clmapi.FnNodeGet:
		_, err = clmapi.DecodeNode(body)
	default:
		c.t.Fatalf("fn %d answered with a body", fn)
	}
	if err != nil {
		c.t.Fatalf("fn %d: response does not decode: %v", fn, err)
	}
}

func (c *fuzzConn) Callback(fn uint16, body []byte) {
	var err error
	switch fn {
	case clmapi.CbTrack:
		_, err = clmapi.DecodeTrackCallback(body)
	case clmapi.CbNodeGet:
		_, err = clmapi.DecodeNodeGetCallback(body)
	default:
		c.t.Fatalf("unknown callback %d", fn)
	}
	if err != nil {
		c.t.Fatalf("callback %d does not decode: %v", fn, err)
	}
}

// FuzzCLM drives one CLM with arbitrary exec messages (well-formed and
// not, from members and others), library requests with arbitrary bodies,
// its own messages coming back and sync rounds in any order, and checks
// that it never panics, that everything it sends decodes, and that its
// view always lists exactly the last activated round's members.
func FuzzCLM(f *testing.F) {
	f.Add([]byte{0, 3, 1, 2, 3, 1, 2, 4, 6, 0, 2, 1, 2, 3, 5, 0, 3, 0, 1, 0, 2})
	f.Add([]byte{0, 2, 1, 2, 2, 7, 9, 0, 4, 2, 9, 4, 0, 0, 0, 0, 1, 8, 3, 0, 2, 1, 1, 0})
	f.Add([]byte{6, 0, 2, 1, 2, 3, 2, 1, 5, 1, 0, 200, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		env := &svcharness.Env{ID: 1, Message: Message}
		c := New(env, Config{
			Self:   NodeInfo{Address: netip.MustParseAddr("10.0.0.1"), Name: "n1", BootTime: time.Unix(100, 0)},
			Lookup: func(id service.NodeID) (NodeInfo, bool) { return NodeInfo{Name: "cfg"}, id%2 == 0 },
		}, nil)
		in := svcharness.NewInput(data)
		var seq uint64
		var members []service.NodeID
		var activated []service.NodeID
		conns := []*fuzzConn{{svcharness.Conn{ConnID: 1}, t}, {svcharness.Conn{ConnID: 2}, t}, {svcharness.Conn{ConnID: 3}, t}}
		for steps := 0; in.Len() > 0 && steps < 300; steps++ {
			switch in.Byte() % 8 {
			case 0: // a new ring: members 1 and some of 2..5
				mask := in.Byte()
				members = []service.NodeID{1}
				for i := range 4 {
					if mask&(1<<i) != 0 {
						members = append(members, service.NodeID(2+i))
					}
				}
				var trans []service.NodeID
				for _, id := range members {
					if in.Byte()%2 == 0 || id == 1 {
						trans = append(trans, id)
					}
				}
				seq += 4
				c.SyncInit(trans, members, service.RingID{Rep: 1, Seq: seq})
			case 1:
				c.SyncProcess()
			case 2:
				before := c.round.open
				c.SyncActivate()
				if before {
					activated = slices.Clone(members)
				}
			case 3:
				c.SyncAbort()
			case 4: // our own queued messages come back
				for _, m := range env.Sent {
					c.Deliver(1, FnNodeJoin, m, false)
				}
				env.Sent = nil
			case 5: // a record from another node, maybe someone else's
				sender := service.NodeID(1 + in.Byte()%6)
				n := Node{ID: service.NodeID(in.Byte() % 7), Name: string(in.Bytes(int(in.Byte() % 8))),
					InitialView: uint64(in.Byte()), BootTime: time.Unix(int64(in.Byte()), 0)}
				if in.Byte()%2 == 0 {
					n.Address = netip.AddrFrom4([4]byte{10, 0, 0, byte(n.ID)})
				}
				be := in.Byte()%2 == 0
				msg, err := n.encode(svcharness.Order(be))
				if err != nil {
					t.Fatal(err)
				}
				c.Deliver(sender, FnNodeJoin, msg, be)
			case 6: // raw bytes as an exec message
				sender := service.NodeID(1 + in.Byte()%6)
				fn := uint16(in.Byte() % 3)
				msg := bytes.Clone(in.Bytes(int(in.Byte())))
				if len(msg) >= 16 && in.Byte()%2 == 0 {
					binary.LittleEndian.PutUint32(msg[8:], uint32(len(msg)))
				}
				c.Deliver(sender, fn, msg, in.Byte()%2 == 0)
			case 7: // a library request with an arbitrary body
				conn := conns[int(in.Byte())%len(conns)]
				switch in.Byte() % 4 {
				case 0:
					c.LibConnect(conn)
				case 1:
					c.LibDisconnect(conn)
				default:
					fn := uint16(in.Byte() % 5)
					c.LibRequest(conn, 1, fn, bytes.Clone(in.Bytes(int(in.Byte()%24))))
				}
				env.Full = in.Byte()%4 == 0
			}
			if view, nodes, ok := c.View(); ok {
				var ids []service.NodeID
				for _, n := range nodes {
					ids = append(ids, n.ID)
				}
				if !slices.Equal(ids, activated) {
					t.Fatalf("view %d lists %v, the activated round had %v", view, ids, activated)
				}
			}
		}
	})
}
