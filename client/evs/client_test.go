package evs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/client/evs"
	"goais/internal/svctest"
	"goais/ipc"
	"goais/service"
	svcevs "goais/service/evs"
)

// deadline bounds every wait; a test that reaches it has hung.
const deadline = 30 * time.Second

func newCluster(t *testing.T, n int, opt svctest.Options) *svctest.Cluster {
	t.Helper()
	return svctest.New(t, n, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{svcevs.New(env(service.EVS), log)}
	}, opt)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return c
}

func dial(t *testing.T, c *svctest.Cluster, node service.NodeID) *evs.Client {
	t.Helper()
	cl, err := evs.Dial(ctx(t), c.RunDir(node))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return cl
}

// next returns the client's next event.
func next(t *testing.T, cl *evs.Client) evs.Event {
	t.Helper()
	select {
	case ev, ok := <-cl.Events():
		if !ok {
			t.Fatalf("events closed: %v", cl.Err())
		}
		return ev
	case <-time.After(deadline):
		t.Fatal("no event")
	}
	return nil
}

func nextDelivery(t *testing.T, cl *evs.Client) evs.Delivery {
	t.Helper()
	ev := next(t, cl)
	d, ok := ev.(evs.Delivery)
	if !ok {
		t.Fatalf("got %#v, want a delivery", ev)
	}
	return d
}

func nextConfChg(t *testing.T, cl *evs.Client) evs.ConfChg {
	t.Helper()
	ev := next(t, cl)
	cc, ok := ev.(evs.ConfChg)
	if !ok {
		t.Fatalf("got %#v, want a configuration change", ev)
	}
	return cc
}

func groups(names ...string) []evs.Group {
	gs := make([]evs.Group, len(names))
	for i, n := range names {
		gs[i] = evs.MustGroup(n)
	}
	return gs
}

func TestJoinLeaveErrors(t *testing.T) {
	c := newCluster(t, 1, svctest.Options{})
	cl := dial(t, c, 1)
	cx := ctx(t)

	if err := cl.McastJoined(cx, evs.Agreed, []byte("x")); !errors.Is(err, evs.ErrNotExist) || !errors.Is(err, ipc.ErrNotExist) {
		t.Fatalf("mcast_joined before any join: %v", err)
	}
	if err := cl.Join(cx, groups("key1", "key2", "key3")...); err != nil {
		t.Fatal(err)
	}
	if err := cl.Leave(cx, groups("key1")...); err != nil {
		t.Fatal(err)
	}
	if err := cl.Leave(cx, groups("key1")...); !errors.Is(err, evs.ErrNotExist) {
		t.Fatalf("second leave: %v", err)
	}
	many := make([]evs.Group, evs.MaxGroupsPerCall+1)
	for i := range many {
		many[i] = evs.MustGroup(fmt.Sprintf("g%d", i))
	}
	err := cl.Join(cx, many...)
	if !errors.Is(err, evs.ErrTooManyGroups) || !strings.Contains(err.Error(), "EVS_ERR_TOO_MANY_GROUPS") {
		t.Fatalf("join of %d groups: %v", len(many), err)
	}
	if err := cl.Join(cx, many[:evs.MaxGroupsPerCall]...); err != nil {
		t.Fatalf("join of %d groups: %v", evs.MaxGroupsPerCall, err)
	}
	if err := cl.McastGroups(cx, evs.Agreed, nil, []byte("x")); !errors.Is(err, evs.ErrInvalidParam) {
		t.Fatalf("mcast_groups to no group: %v", err)
	}
	if err := cl.McastJoined(cx, evs.Guarantee(9), []byte("x")); !errors.Is(err, evs.ErrInvalidParam) {
		t.Fatalf("guarantee 9: %v", err)
	}
	// The refusals cost nothing: the connection goes on.
	if err := cl.McastJoined(cx, evs.Agreed, []byte("still")); err != nil {
		t.Fatal(err)
	}
	if d := nextDelivery(t, cl); string(d.Msg) != "still" || d.Sender != 1 {
		t.Fatalf("delivery %+v", d)
	}
}

// Deliveries reach exactly the connections joined to one of a message's
// groups, on every node, in one order, the sender's own included.
func TestMcastDeliveryAndOrder(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{})
	cx := ctx(t)
	a, b, both, none := dial(t, c, 1), dial(t, c, 2), dial(t, c, 3), dial(t, c, 3)
	for _, j := range []struct {
		cl *evs.Client
		gs []evs.Group
	}{{a, groups("key1")}, {b, groups("key2")}, {both, groups("key1", "key2")}} {
		if err := j.cl.Join(cx, j.gs...); err != nil {
			t.Fatal(err)
		}
	}
	const n = 50
	var wg sync.WaitGroup
	send := func(cl *evs.Client, name string, f func(msg []byte) error) {
		defer wg.Done()
		for i := range n {
			msg := fmt.Appendf(nil, "%s %d", name, i)
			for {
				err := f(msg)
				if err == nil {
					break
				}
				if !errors.Is(err, evs.ErrTryAgain) {
					t.Error(err)
					return
				}
			}
		}
	}
	wg.Add(3)
	go send(a, "a", func(m []byte) error { return a.McastJoined(cx, evs.Agreed, m) })
	go send(b, "b", func(m []byte) error { return b.McastJoined(cx, evs.FIFO, m) })
	go send(none, "none", func(m []byte) error { return none.McastGroups(cx, evs.Safe, groups("key1"), m) })
	wg.Wait()

	collect := func(cl *evs.Client, count int) []string {
		var got []string
		for range count {
			d := nextDelivery(t, cl)
			got = append(got, fmt.Sprintf("%d:%s", d.Sender, d.Msg))
		}
		return got
	}
	gotA := collect(a, 2*n)       // its own and none's (key1)
	gotB := collect(b, n)         // its own (key2)
	gotBoth := collect(both, 3*n) // everything
	keep := func(l []string, prefixes ...string) []string {
		return slices.DeleteFunc(slices.Clone(l), func(s string) bool {
			for _, p := range prefixes {
				if strings.HasPrefix(s, p) {
					return false
				}
			}
			return true
		})
	}
	if want := keep(gotBoth, "1:a ", "3:none "); !reflect.DeepEqual(gotA, want) {
		t.Fatalf("key1 order differs:\n a:    %v\n both: %v", gotA, want)
	}
	if want := keep(gotBoth, "2:b "); !reflect.DeepEqual(gotB, want) {
		t.Fatalf("key2 order differs:\n b:    %v\n both: %v", gotB, want)
	}
	// Each sender's own messages arrive in the order sent.
	for _, s := range []string{"1:a ", "2:b ", "3:none "} {
		for i, m := range keep(gotBoth, s) {
			if want := fmt.Sprintf("%s%d", s, i); m != want {
				t.Fatalf("message %d from %q is %q", i, s, m)
			}
		}
	}
	// The connection that joined nothing got nothing: the first event it
	// sees is the one sent to a group it joins now.
	if err := none.Join(cx, groups("key3")...); err != nil {
		t.Fatal(err)
	}
	if err := a.McastGroups(cx, evs.Agreed, groups("key3"), []byte("marker")); err != nil {
		t.Fatal(err)
	}
	if d := nextDelivery(t, none); string(d.Msg) != "marker" || d.Sender != 1 {
		t.Fatalf("first delivery to the groupless connection: %+v", d)
	}
}

func TestMembershipAndConfChg(t *testing.T) {
	c := newCluster(t, 3, svctest.Options{})
	cx := ctx(t)
	cl := dial(t, c, 1)
	local, members, err := cl.MembershipGet(cx)
	if err != nil || local != 1 || !reflect.DeepEqual(members, []evs.NodeID{1, 2, 3}) {
		t.Fatalf("membership_get: %v %v %v", local, members, err)
	}

	c.Crash(3)
	want := []evs.ConfChg{
		{Type: evs.Transitional, Members: []evs.NodeID{1, 2}, Left: []evs.NodeID{3}, Joined: []evs.NodeID{}},
		{Type: evs.Regular, Members: []evs.NodeID{1, 2}, Left: []evs.NodeID{}, Joined: []evs.NodeID{}},
	}
	for _, w := range want {
		if cc := nextConfChg(t, cl); !reflect.DeepEqual(cc, w) {
			t.Fatalf("after the crash: %+v, want %+v", cc, w)
		}
	}
	if _, members, _ := cl.MembershipGet(cx); !reflect.DeepEqual(members, []evs.NodeID{1, 2}) {
		t.Fatalf("members after the crash: %v", members)
	}

	c.Add(3)
	want = []evs.ConfChg{
		{Type: evs.Transitional, Members: []evs.NodeID{1, 2}, Left: []evs.NodeID{}, Joined: []evs.NodeID{}},
		{Type: evs.Regular, Members: []evs.NodeID{1, 2, 3}, Left: []evs.NodeID{}, Joined: []evs.NodeID{3}},
	}
	for _, w := range want {
		if cc := nextConfChg(t, cl); !reflect.DeepEqual(cc, w) {
			t.Fatalf("after the add: %+v, want %+v", cc, w)
		}
	}
	back := dial(t, c, 3)
	local, members, err = back.MembershipGet(cx)
	if err != nil || local != 3 || !reflect.DeepEqual(members, []evs.NodeID{1, 2, 3}) {
		t.Fatalf("membership_get on the returned node: %v %v %v", local, members, err)
	}
	// Configuration changes are in order with the messages: one sent
	// after the change arrives after it.
	if err := back.McastGroups(cx, evs.Agreed, groups("k"), []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := cl.Join(cx, groups("k")...); err != nil {
		t.Fatal(err)
	}
	if err := back.McastGroups(cx, evs.Agreed, groups("k"), []byte("again")); err != nil {
		t.Fatal(err)
	}
	if d := nextDelivery(t, cl); string(d.Msg) != "again" || d.Sender != 3 {
		t.Fatalf("delivery %+v", d)
	}
}

func TestTryAgain(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{QueueLimit: 3})
	cx := ctx(t)
	cl := dial(t, c, 1)
	if err := cl.Join(cx, groups("g")...); err != nil {
		t.Fatal(err)
	}

	// A held stream fills the queue.
	c.Hold()
	var sent int
	for ; sent < 10; sent++ {
		err := cl.McastJoined(cx, evs.Agreed, fmt.Appendf(nil, "m%d", sent))
		if errors.Is(err, evs.ErrTryAgain) && errors.Is(err, ipc.ErrTryAgain) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if sent != 3 {
		t.Fatalf("%d messages queued before TRY_AGAIN, want the queue limit 3", sent)
	}
	c.Release()
	for i := range sent {
		if d := nextDelivery(t, cl); string(d.Msg) != fmt.Sprintf("m%d", i) {
			t.Fatalf("delivery %d: %q", i, d.Msg)
		}
	}

	// A sync round in progress: a node joins while the stream is held, so
	// the round cannot complete.
	c.Hold()
	c.Add(3)
	if !c.Syncing(1) {
		t.Fatal("node 1 is not syncing")
	}
	if err := cl.McastJoined(cx, evs.Agreed, []byte("during sync")); !errors.Is(err, evs.ErrTryAgain) {
		t.Fatalf("mcast during sync: %v", err)
	}
	c.Release()
	if c.Syncing(1) {
		t.Fatal("node 1 still syncing after the release")
	}
	if err := cl.McastJoined(cx, evs.Agreed, []byte("after sync")); err != nil {
		t.Fatal(err)
	}
	for {
		if d, ok := next(t, cl).(evs.Delivery); ok {
			if string(d.Msg) != "after sync" {
				t.Fatalf("delivery %q", d.Msg)
			}
			break
		}
	}
}

func TestDaemonGone(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{})
	cx := ctx(t)
	cl := dial(t, c, 2)
	if err := cl.Join(cx, groups("g")...); err != nil {
		t.Fatal(err)
	}
	c.Crash(2)
	timeout := time.After(deadline)
	for open := true; open; {
		select {
		case _, open = <-cl.Events():
		case <-timeout:
			t.Fatal("events not closed after the executive went away")
		}
	}
	if err := cl.Err(); !errors.Is(err, evs.ErrDisconnected) {
		t.Fatalf("Err: %v", err)
	}
	if err := cl.McastJoined(cx, evs.Agreed, []byte("x")); !errors.Is(err, ipc.ErrDisconnected) {
		t.Fatalf("mcast after the loss: %v", err)
	}
	if _, _, err := cl.MembershipGet(cx); !errors.Is(err, evs.ErrDisconnected) {
		t.Fatalf("membership_get after the loss: %v", err)
	}
	if err := cl.Dispatch(cx, evs.DispatchBlocking, evs.Callbacks{}); !errors.Is(err, evs.ErrDisconnected) {
		t.Fatalf("dispatch after the loss: %v", err)
	}
}

func TestLargeMessage(t *testing.T) {
	c := newCluster(t, 2, svctest.Options{})
	cx := ctx(t)
	sender, receiver := dial(t, c, 1), dial(t, c, 2)
	if err := receiver.Join(cx, groups("big")...); err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, evs.MaxMessage(1))
	for i := range msg {
		msg[i] = byte(i * 31 >> 3)
	}
	if err := sender.McastGroups(cx, evs.Agreed, groups("big"), msg); err != nil {
		t.Fatal(err)
	}
	if d := nextDelivery(t, receiver); !bytes.Equal(d.Msg, msg) || d.Sender != 1 {
		t.Fatalf("delivered %d bytes from %d, want the %d sent from 1", len(d.Msg), d.Sender, len(msg))
	}
	for _, n := range []int{evs.MaxMessage(1) + 1, 1 << 20, ipc.MaxBody} {
		err := sender.McastGroups(cx, evs.Agreed, groups("big"), make([]byte, n))
		if !errors.Is(err, evs.ErrTooBig) {
			t.Fatalf("%d bytes: %v", n, err)
		}
	}
	// The connection survives a refusal by the library as well as by the
	// executive.
	if err := sender.McastGroups(cx, evs.Agreed, groups("big"), []byte("small")); err != nil {
		t.Fatal(err)
	}
	if d := nextDelivery(t, receiver); string(d.Msg) != "small" {
		t.Fatalf("delivery %q", d.Msg)
	}
}

func TestDispatch(t *testing.T) {
	c := newCluster(t, 1, svctest.Options{})
	cx := ctx(t)
	cl := dial(t, c, 1)
	if err := cl.Join(cx, groups("g")...); err != nil {
		t.Fatal(err)
	}
	var got []string
	cb := evs.Callbacks{Deliver: func(d evs.Delivery) { got = append(got, string(d.Msg)) }}

	// ALL with nothing pending returns at once.
	if err := cl.Dispatch(cx, evs.DispatchAll, cb); err != nil || len(got) != 0 {
		t.Fatalf("dispatch all: %v %v", err, got)
	}
	// ONE waits for the delivery.
	if err := cl.McastJoined(cx, evs.Agreed, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := cl.Dispatch(cx, evs.DispatchOne, cb); err != nil || !slices.Equal(got, []string{"one"}) {
		t.Fatalf("dispatch one: %v %v", err, got)
	}
	// BLOCKING runs until its context ends.
	bctx, cancel := context.WithCancel(cx)
	cb.Deliver = func(d evs.Delivery) {
		got = append(got, string(d.Msg))
		if len(got) == 3 {
			cancel()
		}
	}
	for _, m := range []string{"two", "three"} {
		if err := cl.McastJoined(cx, evs.Agreed, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cl.Dispatch(bctx, evs.DispatchBlocking, cb); !errors.Is(err, context.Canceled) || !slices.Equal(got, []string{"one", "two", "three"}) {
		t.Fatalf("dispatch blocking: %v %v", err, got)
	}
	if err := cl.Dispatch(cx, evs.DispatchFlags(7), cb); !errors.Is(err, evs.ErrInvalidParam) {
		t.Fatalf("bad flags: %v", err)
	}
	// After Close: ErrClosed everywhere, and Close again is fine.
	cl.Close()
	if err := cl.Dispatch(cx, evs.DispatchBlocking, cb); !errors.Is(err, evs.ErrClosed) {
		t.Fatalf("dispatch after close: %v", err)
	}
	if err := cl.Join(cx, groups("h")...); !errors.Is(err, evs.ErrClosed) {
		t.Fatalf("join after close: %v", err)
	}
	if err := cl.Close(); err != nil {
		t.Fatal(err)
	}
}

// A callback that does not decode means the executive speaks another
// protocol: the client stops and says so.
func TestMalformedCallback(t *testing.T) {
	dir := t.TempDir()
	srv, err := ipc.Listen(ipc.ServerConfig{Path: ipc.SocketPath(dir), AllowedGID: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	go func() {
		for ev := range srv.Events() {
			if ev.Kind == ipc.EventConnected {
				ev.Conn.Callback(evs.CallbackDeliver, []byte{1, 2, 3})
			}
		}
	}()
	cl, err := evs.Dial(ctx(t), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	select {
	case ev, ok := <-cl.Events():
		if ok {
			t.Fatalf("event %#v from a malformed callback", ev)
		}
	case <-time.After(deadline):
		t.Fatal("events not closed")
	}
	if err := cl.Err(); !errors.Is(err, evs.ErrMalformed) || !errors.Is(err, evs.ErrDisconnected) {
		t.Fatalf("Err: %v", err)
	}
	if err := cl.Join(ctx(t), groups("g")...); !errors.Is(err, evs.ErrMalformed) {
		t.Fatalf("join: %v", err)
	}
}

func TestDialNoExecutive(t *testing.T) {
	_, err := evs.Dial(ctx(t), filepath.Join(t.TempDir(), "nothing"))
	if !errors.Is(err, ipc.ErrNoExecutive) {
		t.Fatalf("dial: %v", err)
	}
}
