package executive

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	clientcpg "goais/client/cpg"
	"goais/ipc"
	"goais/totem"
)

// fakeConn is a library connection inside the executive's bubble: requests
// go in through the loop (Executive.do), callbacks are recorded.
type fakeConn struct {
	id  uint64
	pid uint32

	mu        sync.Mutex
	responses map[uint32]ipc.Status
	events    []string // "deliver N/P msg" and "confchg members=… left=… joined=…"
	msgs      []string // delivered message texts, in order
}

func (f *fakeConn) ID() uint64     { return f.id }
func (f *fakeConn) Cred() ipc.Cred { return ipc.Cred{PID: int(f.pid)} }
func (f *fakeConn) Backlog() int   { return 0 }
func (f *fakeConn) Respond(reqID uint32, _ uint16, st ipc.Status, _ []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.responses[reqID] = st
}

func (f *fakeConn) Callback(fn uint16, body []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch fn {
	case clientcpg.CbDeliver:
		d, err := clientcpg.DecodeDelivery(body)
		if err != nil {
			f.events = append(f.events, "bad delivery: "+err.Error())
			return
		}
		f.msgs = append(f.msgs, string(d.Msg))
	case clientcpg.CbConfchg:
		c, err := clientcpg.DecodeConfchg(body)
		if err != nil {
			f.events = append(f.events, "bad confchg: "+err.Error())
			return
		}
		f.events = append(f.events, fmt.Sprintf("members=%s left=%s joined=%s", addrText(c.Members), addrText(c.Left), addrText(c.Joined)))
	}
}

func addrText(l []clientcpg.Address) string {
	var parts []string
	for _, a := range l {
		s := fmt.Sprintf("%d/%d", a.NodeID, a.PID)
		if a.Reason != 0 {
			s += fmt.Sprintf("(%d)", a.Reason)
		}
		parts = append(parts, s)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (f *fakeConn) snapshot() ([]string, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.events), slices.Clone(f.msgs)
}

// cpgClient connects a fake library to node id's CPG.
func (c *cluster) cpgClient(id totem.NodeID, connID uint64, pid uint32) *fakeConn {
	c.t.Helper()
	f := &fakeConn{id: connID, pid: pid, responses: map[uint32]ipc.Status{}}
	if err := c.nodes[id].ex.do(context.Background(), func() {
		c.nodes[id].ex.library(clientcpg.Service).LibConnect(f)
	}); err != nil {
		c.t.Fatal(err)
	}
	return f
}

// request sends one request and retries it while the answer is
// TRY_AGAIN (sync in progress, queue full).
func (c *cluster) request(id totem.NodeID, f *fakeConn, fn uint16, body []byte) ipc.Status {
	c.t.Helper()
	for attempt := uint32(1); ; attempt++ {
		reqID := uint32(len(f.responses)) + attempt<<20
		if err := c.nodes[id].ex.do(context.Background(), func() {
			c.nodes[id].ex.library(clientcpg.Service).LibRequest(f, reqID, fn, body)
		}); err != nil {
			c.t.Fatal(err)
		}
		synctest.Wait()
		f.mu.Lock()
		st, ok := f.responses[reqID]
		f.mu.Unlock()
		if ok && st != ipc.StatusTryAgain {
			return st
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitEvent waits in virtual time until f has recorded an event
// containing want.
func (c *cluster) waitEvent(f *fakeConn, want string) {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		evs, _ := f.snapshot()
		for _, e := range evs {
			if strings.Contains(e, want) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	evs, _ := f.snapshot()
	c.t.Fatalf("conn %d: no event with %q; events:\n%s", f.id, want, strings.Join(evs, "\n"))
}

// Whole executives on the in-memory network: CPG clients on three nodes
// join one group, multicast in one order, and see PROCDOWN when a client
// goes and NODEDOWN when a node crashes.
func TestCPGOnWholeExecutives(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newCluster(t, 3)
		defer c.stopAll()
		c.waitRing(1, 2, 3)

		conns := map[totem.NodeID]*fakeConn{}
		for _, id := range []totem.NodeID{1, 2, 3} {
			conns[id] = c.cpgClient(id, uint64(id), uint32(100*id))
			if st := c.request(id, conns[id], clientcpg.FnJoin, clientcpg.AppendJoin(nil, clientcpg.JoinRequest{PID: uint32(100 * id), Group: "g"})); st != ipc.StatusOK {
				t.Fatalf("join on node %d: %v", id, st)
			}
		}
		for _, f := range conns {
			c.waitEvent(f, "members=[1/100 2/200 3/300]")
		}

		for k := range 50 {
			for _, id := range []totem.NodeID{1, 2, 3} {
				msg := clientcpg.AppendMcast(nil, clientcpg.McastRequest{Guarantee: clientcpg.Agreed, Msg: fmt.Appendf(nil, "%d:%d", id, k)})
				if st := c.request(id, conns[id], clientcpg.FnMcast, msg); st != ipc.StatusOK {
					t.Fatalf("mcast: %v", st)
				}
			}
		}
		deadline := time.Now().Add(time.Minute)
		for {
			done := true
			for _, f := range conns {
				if _, msgs := f.snapshot(); len(msgs) < 150 {
					done = false
				}
			}
			if done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("not every client got 150 messages within a minute")
			}
			time.Sleep(20 * time.Millisecond)
		}
		_, first := conns[1].snapshot()
		for id, f := range conns {
			if _, msgs := f.snapshot(); !slices.Equal(msgs, first) {
				t.Fatalf("node %d delivered another order", id)
			}
		}

		// The client on node 2 goes away without leaving: PROCDOWN.
		if err := c.nodes[2].ex.do(context.Background(), func() {
			c.nodes[2].ex.library(clientcpg.Service).LibDisconnect(conns[2])
		}); err != nil {
			t.Fatal(err)
		}
		c.waitEvent(conns[1], "left=[2/200(5)]")
		c.waitEvent(conns[3], "left=[2/200(5)]")

		// Node 3 crashes: NODEDOWN at node 1.
		c.crash(3)
		c.waitRing(1, 2)
		c.waitEvent(conns[1], "members=[1/100] left=[3/300(3)]")
	})
}
