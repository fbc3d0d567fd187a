package cpg

import (
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
	"goais/totem"
)

// fuzzNode is node 1 for the fuzz targets and unit tests: its sends queue
// up in Sent and come back to it when the test says so; its Clients drop
// every callback.
type fuzzNode struct{ svcharness.Env }

func newFuzzNode() *fuzzNode { return &fuzzNode{svcharness.Env{ID: 1, Message: Message}} }

func (f *fuzzNode) Confchg(ClientID, string, []Member, []Member, []Member)   {}
func (f *fuzzNode) Deliver(ClientID, string, service.NodeID, uint32, []byte) {}
func (f *fuzzNode) TotemConfchg(ClientID, service.RingID, []service.NodeID)  {}

var fuzzGroups = []string{"a", "grpA", "grpB"}

// FuzzDeliver drives one CPG with arbitrary exec messages (well-formed and
// not), local requests, its own messages coming back and sync rounds, and
// checks that it never panics and that the process list stays sorted,
// unique and consistent with its index.
func FuzzDeliver(f *testing.F) {
	f.Add([]byte{20, 1, 0, 0, 40, 0, 10, 2, 5, 1, 13, 2, 5, 1, 30, 7, 7})
	f.Add([]byte{30, 3, 3, 20, 2, 1, 1, 40, 0, 12, 3, 9, 2, 14, 3, 9, 1, 1, 10, 14, 3, 9, 1, 3, 10, 30, 1, 1})
	f.Add([]byte{3, 200, 0, 1, 2, 3, 6, 16, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		env := newFuzzNode()
		c := New(env, env, nil)
		in := svcharness.NewInput(data)
		for steps := 0; in.Len() > 0 && steps < 200; steps++ {
			op := in.Byte()
			sender := service.NodeID(1 + in.Byte()%4)
			group := fuzzGroups[int(in.Byte())%len(fuzzGroups)]
			pid := uint32(in.Byte() % 8)
			switch {
			case op < fnCount+1: // raw bytes as fn op
				n := int(in.Byte())
				msg := in.Bytes(n)
				if len(msg) >= 8 && op%2 == 0 {
					// Give the header a plausible size so decoders get past it.
					msg = slices.Clone(msg)
					msg = append(msg, make([]byte, 16)...)
					binary.LittleEndian.PutUint32(msg[8:], uint32(len(msg)))
				}
				c.Deliver(sender, uint16(op), msg, op%3 == 0)
			case op < 20:
				var msg []byte
				var fn uint16
				switch op % 5 {
				case 0:
					fn, msg = FnProcJoin, fuzzEncode(ProcJoin{Group: group, PID: pid, Reason: ReasonJoin}.encode(binary.LittleEndian, FnProcJoin))
				case 1:
					fn, msg = FnProcLeave, fuzzEncode(ProcJoin{Group: group, PID: pid, Reason: Reason(in.Byte() % 6)}.encode(binary.BigEndian, FnProcLeave))
				case 2:
					fn, msg = FnJoinList, fuzzEncode(encodeJoinList(binary.LittleEndian, []JoinEntry{{PID: pid, Group: group}, {PID: pid + 1, Group: "a"}}))
				case 3:
					fn, msg = FnMcast, fuzzEncode(Mcast{Group: group, PID: pid, Msg: in.Bytes(3)}.encode(binary.LittleEndian))
				case 4:
					fn, msg = FnPartialMcast, fuzzEncode(PartialMcast{Group: group, PID: pid, Type: FragType(in.Byte() % 5),
						MsgLen: uint32(in.Byte() % 8), Fragment: in.Bytes(int(in.Byte() % 5))}.encode(binary.LittleEndian))
				}
				c.Deliver(sender, fn, msg, op%5 == 1)
			case op < 30:
				client := ClientID(in.Byte() % 4)
				switch op % 5 {
				case 0:
					_ = c.Join(client, pid, group)
				case 1:
					_ = c.Leave(client, group)
				case 2:
					_ = c.Mcast(client, group, in.Bytes(4))
				case 3:
					c.ClientGone(client)
				case 4:
					c.Connect(client)
				}
			case op < 40:
				members := []service.NodeID{1}
				trans := []service.NodeID{1}
				mask := in.Byte()
				for id := service.NodeID(2); id <= 4; id++ {
					if mask&(1<<id) != 0 {
						members = append(members, id)
						if mask&(16<<id) != 0 {
							trans = append(trans, id)
						}
					}
				}
				c.ConfigChange(fuzzConfig(trans, members))
				c.SyncInit(trans, members, service.RingID{Rep: 1, Seq: uint64(steps)})
				for range 3 {
					if c.SyncProcess() {
						break
					}
				}
				if op%3 == 0 {
					c.SyncAbort()
				} else {
					loopback(t, c, env)
					c.SyncActivate()
				}
			case op < 45:
				env.Full = op%2 == 0
				_ = c.Flush()
			default:
				loopback(t, c, env)
			}
			if err := checkInvariants(c); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func fuzzConfig(trans, members []service.NodeID) totem.ConfigChange {
	return totem.ConfigChange{Type: totem.Regular, Members: members, Joined: slices.DeleteFunc(slices.Clone(members),
		func(id service.NodeID) bool { return slices.Contains(trans, id) })}
}

func fuzzEncode(b []byte, err error) []byte {
	if err != nil {
		panic(err) // the fuzz generator only uses short names
	}
	return b
}

// loopback delivers node 1's own messages back to it, as the ring does.
func loopback(t *testing.T, c *CPG, env *fuzzNode) {
	q := env.Sent
	env.Sent = nil
	for _, m := range q {
		_, fn, _, err := service.DecodeHeader(m, false)
		if err != nil {
			t.Fatalf("own message does not decode: %v", err)
		}
		c.Deliver(1, fn, m, false)
	}
}

func checkInvariants(c *CPG) error {
	count := make(map[groupNode]int)
	for i, p := range c.procs {
		if i > 0 {
			q := c.procs[i-1]
			if q.node > p.node || (q.node == p.node && q.pid > p.pid) {
				return fmt.Errorf("process list not sorted at %d: %+v", i, c.procs)
			}
		}
		if c.find(p.node, p.pid, p.group) != i {
			return fmt.Errorf("duplicate process %+v", p)
		}
		count[groupNode{p.group, p.node}]++
	}
	if len(count) != len(c.present) {
		return fmt.Errorf("present index has %d keys, want %d", len(c.present), len(count))
	}
	for k, n := range count {
		if c.present[k] != n {
			return fmt.Errorf("present[%v] = %d, want %d", k, c.present[k], n)
		}
	}
	for g, list := range c.byGroup {
		for _, cl := range list {
			if cl.group != g || cl.state == unjoined {
				return fmt.Errorf("client %d indexed under %q is in %q, state %d", cl.id, g, cl.group, cl.state)
			}
		}
	}
	return nil
}
