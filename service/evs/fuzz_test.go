package evs

import (
	"encoding/binary"
	"reflect"
	"testing"

	api "goais/client/evs"
	"goais/internal/svcharness"
	"goais/ipc"
	"goais/service"
	"goais/totem"
)

// FuzzDecodeMcast: DecodeMcast never panics, and what it accepts encodes
// back to a message that decodes the same.
func FuzzDecodeMcast(f *testing.F) {
	f.Add(Message(FnMcast, Mcast{Groups: []api.Group{api.MustGroup("g")}, Msg: []byte("hello")}.Body()), false)
	f.Add(encodeMcast(binary.BigEndian, Mcast{Groups: []api.Group{{1}, {2}}, Msg: []byte{}}), true)
	f.Add(Message(FnMcast, Mcast{}.Body()), false)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeMcast(msg, be)
		if err != nil {
			return
		}
		again, err := DecodeMcast(Message(FnMcast, m.Body()), false)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !reflect.DeepEqual(again, m) {
			t.Fatalf("round trip: %+v, want %+v", again, m)
		}
	})
}

// sinkConn checks that every response and callback the service sends
// decodes.
type sinkConn struct {
	svcharness.Conn
	t *testing.T
}

func (s *sinkConn) Respond(_ uint32, fn uint16, status ipc.Status, body []byte) {
	if fn == api.FnMembershipGet && status == ipc.StatusOK {
		if _, _, err := api.DecodeMembership(body); err != nil {
			s.t.Fatalf("membership response: %v", err)
		}
	} else if len(body) != 0 {
		s.t.Fatalf("fn %d status %v: unexpected body %x", fn, status, body)
	}
}

func (s *sinkConn) Callback(fn uint16, body []byte) {
	var err error
	switch fn {
	case api.CallbackDeliver:
		_, err = api.DecodeDeliver(body)
	case api.CallbackConfChg:
		_, err = api.DecodeConfChg(body)
	default:
		s.t.Fatalf("callback fn %d", fn)
	}
	if err != nil {
		s.t.Fatalf("callback fn %d: %v", fn, err)
	}
}

// FuzzLive drives one EVS with arbitrary requests (raw bodies and
// well-formed ones), exec messages (raw and its own coming back),
// configuration changes, sync windows and a full queue, and checks that it
// never panics, that every response and callback decodes, and that each
// connection's groups stay consistent.
func FuzzLive(f *testing.F) {
	f.Add([]byte{0, 1, 2, 4, 0, 0, 0, 1, 7, 3, 1, 5, 1, 2, 9, 9, 6, 0})
	f.Add([]byte{5, 1, 4, 0, 2, 0, 1, 0, 0, 0, 103, 6, 1, 9, 0, 1})
	f.Add([]byte{2, 0, 16, 0, 0, 16, 0, 0, 0, 0, 0, 0, 40, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		// The node's multicasts wait in env.Sent until the input loops
		// them back.
		env := &svcharness.Env{ID: 1, Message: Message}
		e := New(env, nil)
		conns := map[uint64]*sinkConn{}
		conn := func(b byte) *sinkConn {
			id := uint64(b%4) + 1
			if conns[id] == nil {
				conns[id] = &sinkConn{svcharness.Conn{ConnID: id}, t}
			}
			return conns[id]
		}
		in := svcharness.NewInput(data)
		for steps := 0; in.Len() > 0 && steps < 300; steps++ {
			switch op := in.Byte() % 10; op {
			case 0: // a raw request
				c := conn(in.Byte())
				fn := uint16(in.Byte() % 6)
				e.LibRequest(c, 1, fn, in.Bytes(int(in.Byte())))
			case 1: // a join or leave of a few small groups
				c := conn(in.Byte())
				fn := api.FnJoin + uint16(in.Byte()%2)
				e.LibRequest(c, 1, fn, api.AppendGroups(nil, groups(in)))
			case 2: // a multicast
				c := conn(in.Byte())
				msg := in.Bytes(int(in.Byte()))
				if in.Byte()%2 == 0 {
					e.LibRequest(c, 1, api.FnMcastJoined, api.AppendMcastJoined(nil, api.Agreed, msg))
				} else {
					e.LibRequest(c, 1, api.FnMcastGroups, api.AppendMcastGroups(nil, api.Safe, groups(in), msg))
				}
			case 3: // a raw exec message from a peer
				fn := uint16(in.Byte() % 2)
				e.Deliver(service.NodeID(in.Byte()), fn, in.Bytes(int(in.Byte())), in.Byte()%2 == 1)
			case 4: // the own messages come back
				for _, m := range env.Sent {
					e.Deliver(1, FnMcast, m, false)
				}
				env.Sent = nil
			case 5:
				e.SetSyncing(in.Byte()%2 == 1)
			case 6:
				env.Full = !env.Full
			case 7:
				cc := totem.ConfigChange{Type: totem.Transitional + totem.ConfigType(in.Byte()%2)}
				for range in.Byte() % 5 {
					cc.Members = append(cc.Members, service.NodeID(in.Byte()))
				}
				e.ConfigChange(cc)
			case 8:
				if c := conn(in.Byte()); conns[c.ConnID] != nil {
					e.LibDisconnect(c)
					delete(conns, c.ConnID)
				}
			case 9:
				e.LibConnect(conn(in.Byte()))
			}
		}
		for _, cl := range e.clients {
			if len(cl.groups) != len(cl.set) || len(cl.groups) > api.MaxGroups {
				t.Fatalf("conn %d: %d groups listed, %d in the set", cl.conn.ID(), len(cl.groups), len(cl.set))
			}
			for _, g := range cl.groups {
				if _, ok := cl.set[g]; !ok {
					t.Fatalf("conn %d: group %v listed but not in the set", cl.conn.ID(), g)
				}
			}
		}
	})
}

// groups reads up to 3 groups from a small key space, so that joins,
// leaves and deliveries meet.
func groups(in *svcharness.Input) []api.Group {
	gs := make([]api.Group, in.Byte()%4)
	for i := range gs {
		gs[i][0] = in.Byte() % 5
	}
	return gs
}
