package cpg_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"testing"
	"time"

	"goais/client/cpg"
	"goais/internal/svctest"
	"goais/service"
	servicecpg "goais/service/cpg"
)

func newCluster(t *testing.T, n int, opt svctest.Options) *svctest.Cluster {
	return svctest.New(t, n, func(self service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{servicecpg.NewLibrary(env(service.CPG), log)}
	}, opt)
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func dial(t *testing.T, c *svctest.Cluster, node service.NodeID, pid uint32) *cpg.Client {
	t.Helper()
	cl, err := cpg.Dial(ctxT(t), cpg.Options{RunDir: c.RunDir(node), PID: pid})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// nextConfchg skips to the next configuration change.
func nextConfchg(t *testing.T, cl *cpg.Client) *cpg.Confchg {
	t.Helper()
	for {
		ev, err := cl.Next(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if cc, ok := ev.(*cpg.Confchg); ok {
			return cc
		}
	}
}

func nextDelivery(t *testing.T, cl *cpg.Client) *cpg.Delivery {
	t.Helper()
	for {
		ev, err := cl.Next(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := ev.(*cpg.Delivery); ok {
			return d
		}
	}
}

func mcastRetry(t *testing.T, cl *cpg.Client, msg []byte) {
	t.Helper()
	for {
		err := cl.Mcast(ctxT(t), cpg.Agreed, msg)
		if err == nil {
			return
		}
		if !errors.Is(err, cpg.ErrTryAgain) {
			t.Fatal(err)
		}
		if err := cl.Flush(ctxT(t)); err != nil && !errors.Is(err, cpg.ErrTryAgain) {
			t.Fatal(err)
		}
	}
}

func addrs(l []cpg.Address) string {
	var b bytes.Buffer
	for i, a := range l {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%d/%d", a.NodeID, a.PID)
		if a.Reason != cpg.ReasonUndefined {
			fmt.Fprintf(&b, "(%v)", a.Reason)
		}
	}
	return b.String()
}

func TestJoinMcastOrderAndLeave(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{})
	var clients []*cpg.Client
	for i := 1; i <= 3; i++ {
		cl := dial(t, c, service.NodeID(i), uint32(100+i))
		if err := cl.Join(ctxT(t), "g"); err != nil {
			t.Fatal(err)
		}
		cc := nextConfchg(t, cl)
		if got, want := addrs(cc.Joined), fmt.Sprintf("%d/%d(join)", i, 100+i); got != want {
			t.Fatalf("client %d joined list %q, want %q", i, got, want)
		}
		clients = append(clients, cl)
	}
	// Everyone sees the later joins.
	for i, cl := range clients[:2] {
		for j := i + 1; j < 3; j++ {
			cc := nextConfchg(t, cl)
			if len(cc.Members) != j+1 {
				t.Fatalf("client %d: members %s after join %d", i, addrs(cc.Members), j)
			}
		}
	}
	if id, err := clients[1].LocalGet(ctxT(t)); err != nil || id != 2 {
		t.Fatalf("LocalGet = %d, %v", id, err)
	}
	ms, err := clients[0].MembershipGet(ctxT(t), "g")
	if err != nil || addrs(ms) != "1/101 2/102 3/103" {
		t.Fatalf("MembershipGet = %s, %v", addrs(ms), err)
	}
	gs, err := clients[2].Groups(ctxT(t))
	if err != nil || len(gs) != 1 || gs[0].Name != "g" || len(gs[0].Members) != 3 {
		t.Fatalf("Groups = %+v, %v", gs, err)
	}

	// Deliveries are read while sending: a client that does not read
	// them stops hearing its answers too.
	const per = 200
	var orders [3][]string
	done := make(chan int)
	for i, cl := range clients {
		go func() {
			for range 3 * per {
				ev, ok := <-cl.Events()
				if !ok {
					break
				}
				if d, ok := ev.(*cpg.Delivery); ok && d.Group == "g" && d.PID == 100+d.NodeID {
					orders[i] = append(orders[i], string(d.Msg))
				}
			}
			done <- i
		}()
	}
	for k := range per {
		for i, cl := range clients {
			mcastRetry(t, cl, fmt.Appendf(nil, "%d:%d", i+1, k))
		}
	}
	for range clients {
		<-done
	}
	for i := range 3 {
		if len(orders[i]) != 3*per {
			t.Fatalf("client %d got %d deliveries, want %d", i+1, len(orders[i]), 3*per)
		}
	}
	for i := 1; i < 3; i++ {
		if !slices.Equal(orders[0], orders[i]) {
			t.Fatalf("client %d saw another order", i+1)
		}
	}
	// Each sender's messages in its own order.
	next := map[byte]int{}
	for _, m := range orders[0] {
		var s, k int
		fmt.Sscanf(m, "%d:%d", &s, &k)
		if k != next[byte(s)] {
			t.Fatalf("sender %d: message %d after %d", s, k, next[byte(s)]-1)
		}
		next[byte(s)]++
	}

	if err := clients[2].Leave(ctxT(t), "g"); err != nil {
		t.Fatal(err)
	}
	for i, cl := range clients {
		var cc *cpg.Confchg
		for cc == nil {
			cc, _ = (<-cl.Events()).(*cpg.Confchg)
		}
		if addrs(cc.Left) != "3/103(leave)" {
			t.Fatalf("client %d: left %s", i+1, addrs(cc.Left))
		}
	}
	if err := clients[2].Mcast(ctxT(t), cpg.Agreed, []byte("x")); !errors.Is(err, cpg.ErrNotExist) {
		t.Fatalf("mcast after leave: %v", err)
	}
	if err := clients[2].Leave(ctxT(t), "g"); !errors.Is(err, cpg.ErrNotExist) {
		t.Fatalf("second leave: %v", err)
	}
	if err := clients[0].Join(ctxT(t), "other"); !errors.Is(err, cpg.ErrExist) {
		t.Fatalf("second join: %v", err)
	}
}

func TestProcDownAndNodeDown(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{})
	a := dial(t, c, 1, 11)
	b := dial(t, c, 2, 22)
	d := dial(t, c, 3, 33)
	for _, cl := range []*cpg.Client{a, b, d} {
		if err := cl.Join(ctxT(t), "g"); err != nil {
			t.Fatal(err)
		}
	}
	for _, cl := range []*cpg.Client{a, b, d} {
		for {
			if cc := nextConfchg(t, cl); len(cc.Members) == 3 {
				break
			}
		}
	}
	// A client that goes away without leaving: PROCDOWN everywhere.
	b.Close()
	for _, cl := range []*cpg.Client{a, d} {
		cc := nextConfchg(t, cl)
		if addrs(cc.Left) != "2/22(procdown)" || len(cc.Members) != 2 {
			t.Fatalf("after close: left %s members %s", addrs(cc.Left), addrs(cc.Members))
		}
	}
	// A node that fails: NODEDOWN at the survivors; its client loses the
	// connection.
	c.Crash(3)
	cc := nextConfchg(t, a)
	if addrs(cc.Left) != "3/33(nodedown)" || addrs(cc.Members) != "1/11" {
		t.Fatalf("after crash: left %s members %s", addrs(cc.Left), addrs(cc.Members))
	}
	for {
		if _, err := d.Next(ctxT(t)); err != nil {
			if !errors.Is(err, cpg.ErrDisconnected) {
				t.Fatalf("client of the crashed node: %v", err)
			}
			break
		}
	}
	if err := d.Join(ctxT(t), "h"); !errors.Is(err, cpg.ErrDisconnected) {
		t.Fatalf("call after the daemon went: %v", err)
	}
	// A node that comes back with a member: NODEUP.
	c.Add(3)
	e := dial(t, c, 3, 44)
	if err := e.Join(ctxT(t), "g"); err != nil {
		t.Fatal(err)
	}
	cc = nextConfchg(t, a)
	if addrs(cc.Joined) != "3/44(join)" {
		t.Fatalf("rejoin: joined %s", addrs(cc.Joined))
	}
}

func TestLargeMessage(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{})
	a := dial(t, c, 1, 1)
	b := dial(t, c, 2, 2)
	for _, cl := range []*cpg.Client{a, b} {
		if err := cl.Join(ctxT(t), "big"); err != nil {
			t.Fatal(err)
		}
	}
	msg := make([]byte, cpg.MaxMessage)
	for i := range msg {
		msg[i] = byte(i * 7)
	}
	mcastRetry(t, a, msg)
	for _, cl := range []*cpg.Client{a, b} {
		if d := nextDelivery(t, cl); !bytes.Equal(d.Msg, msg) {
			t.Fatalf("1 MiB message arrived with %d bytes, different", len(d.Msg))
		}
	}
	if err := a.Mcast(ctxT(t), cpg.Agreed, make([]byte, cpg.MaxMessage+1)); !errors.Is(err, cpg.ErrTooBig) {
		t.Fatalf("oversized mcast: %v", err)
	}
}

// A client sending faster than the ring takes gets try-again, and its
// messages still arrive once, in order.
func TestFloodGetsTryAgain(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{QueueLimit: 50})
	a := dial(t, c, 1, 1)
	b := dial(t, c, 2, 2)
	for _, cl := range []*cpg.Client{a, b} {
		if err := cl.Join(ctxT(t), "f"); err != nil {
			t.Fatal(err)
		}
	}
	got := make(chan string, 1000)
	go func() {
		for ev := range b.Events() {
			if d, ok := ev.(*cpg.Delivery); ok {
				got <- string(d.Msg)
			}
		}
	}()
	go func() {
		for range a.Events() { // a reads its own deliveries too
		}
	}()
	c.Hold()
	// Send until try-again with flow control on: the first try-again can
	// come while answers for messages the stream took are still on their
	// way; once they are in, the window holds only messages the executive
	// keeps for the held ring, and flow control must say so.
	sent, tryAgain := 0, 0
	deadline := time.Now().Add(30 * time.Second)
	for tryAgain == 0 || a.FlowControlState() != cpg.FlowControlEnabled {
		if time.Now().After(deadline) {
			t.Fatalf("flow control still disabled after %d messages and %d try-agains against a held ring", sent, tryAgain)
		}
		err := a.Mcast(ctxT(t), cpg.Agreed, fmt.Appendf(nil, "%d", sent))
		switch {
		case err == nil:
			sent++
		case errors.Is(err, cpg.ErrTryAgain):
			tryAgain++
			runtime.Gosched()
		default:
			t.Fatal(err)
		}
	}
	// The stream takes QueueLimit messages, then the executive holds a
	// window's worth: never more.
	if sent > 50+cpg.DefaultWindow {
		t.Fatalf("%d messages accepted before try-again, more than the queue and the window", sent)
	}
	c.Release()
	if err := a.Flush(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for k := range sent {
		if m := <-got; m != fmt.Sprint(k) {
			t.Fatalf("message %d arrived as %q", k, m)
		}
	}
}
