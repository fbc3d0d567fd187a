package clm_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"testing"
	"time"

	"goais/client/clm"
	"goais/internal/svctest"
	"goais/ipc"
	"goais/service"
	clmsvc "goais/service/clm"
)

// deadline bounds every wait of these tests; nothing here is timed.
const deadline = 20 * time.Second

var boot = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func nodeInfo(id service.NodeID) clmsvc.NodeInfo {
	return clmsvc.NodeInfo{Address: netip.AddrFrom4([4]byte{127, 0, 0, byte(id)}), Name: fmt.Sprintf("node%d", id),
		BootTime: boot.Add(time.Duration(id) * time.Second)}
}

// newCluster starts n nodes running CLM; they were added one by one, so
// the view is n and node i joined in view i.
func newCluster(t *testing.T, n int) *svctest.Cluster {
	return svctest.New(t, n, func(self service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{clmsvc.New(env(service.CLM), clmsvc.Config{Self: nodeInfo(self)}, log)}
	}, svctest.Options{})
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	t.Cleanup(cancel)
	return ctx
}

// tracker records what a handle's callbacks receive; a goroutine runs
// Dispatch(DispatchBlocking) until the handle is finalized.
type tracker struct {
	h      *clm.Handle
	tracks chan trackEvent
	gets   chan getEvent
	done   chan error
}

type trackEvent struct {
	buf     clm.ClusterNotificationBuffer
	members uint32
	err     error
}

type getEvent struct {
	inv  clm.Invocation
	node clm.ClusterNode
	err  error
}

func newTracker(t *testing.T, c *svctest.Cluster, id service.NodeID) *tracker {
	tr := &tracker{tracks: make(chan trackEvent, 64), gets: make(chan getEvent, 64), done: make(chan error, 1)}
	h, err := clm.Initialize(ctxT(t), c.RunDir(id), clm.Callbacks{
		ClusterTrack: func(n clm.ClusterNotificationBuffer, members uint32, err error) {
			tr.tracks <- trackEvent{n, members, err}
		},
		ClusterNodeGet: func(inv clm.Invocation, node clm.ClusterNode, err error) {
			tr.gets <- getEvent{inv, node, err}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	tr.h = h
	go func() { tr.done <- h.Dispatch(context.Background(), clm.DispatchBlocking) }()
	t.Cleanup(func() { _ = h.Finalize() })
	return tr
}

func (tr *tracker) track(t *testing.T) trackEvent {
	t.Helper()
	select {
	case ev := <-tr.tracks:
		return ev
	case <-time.After(deadline):
		t.Fatal("no track callback")
	}
	return trackEvent{}
}

func (tr *tracker) get(t *testing.T) getEvent {
	t.Helper()
	select {
	case ev := <-tr.gets:
		return ev
	case <-time.After(deadline):
		t.Fatal("no node get callback")
	}
	return getEvent{}
}

// summary renders a notification buffer as "view 4: 1 NO_CHANGE, 3 LEFT-".
func summary(buf clm.ClusterNotificationBuffer) string {
	s := fmt.Sprintf("view %d:", buf.ViewNumber)
	for _, it := range buf.Notification {
		s += fmt.Sprintf(" %d %v", it.ClusterNode.NodeID, it.ClusterChange)
		if !it.ClusterNode.Member {
			s += "-"
		}
	}
	return s
}

func wantNode(t *testing.T, got clm.ClusterNode, id service.NodeID, initialView uint64) {
	t.Helper()
	info := nodeInfo(id)
	want := clm.ClusterNode{
		NodeID:            clm.NodeID(id),
		NodeAddress:       clm.NodeAddress{Family: clm.AddressIPv4, Value: info.Address.String()},
		NodeName:          info.Name,
		Member:            true,
		BootTimestamp:     info.BootTime,
		InitialViewNumber: initialView,
	}
	if got.NodeID != want.NodeID || got.NodeAddress != want.NodeAddress || got.NodeName != want.NodeName ||
		got.Member != want.Member || !got.BootTimestamp.Equal(want.BootTimestamp) || got.InitialViewNumber != want.InitialViewNumber {
		t.Fatalf("node:\n got %+v\nwant %+v", got, want)
	}
}

func TestClusterNodeGet(t *testing.T) {
	c := newCluster(t, 3)
	ctx := ctxT(t)
	h, err := clm.Initialize(ctx, c.RunDir(2), clm.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Finalize()
	n, err := h.ClusterNodeGet(ctx, clm.LocalNodeID, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	wantNode(t, n, 2, 2)
	n, err = h.ClusterNodeGet(ctx, 3, clm.TimeEnd)
	if err != nil {
		t.Fatal(err)
	}
	wantNode(t, n, 3, 3)
	if _, err := h.ClusterNodeGet(ctx, 9, time.Second); !errors.Is(err, clm.ErrNotExist) {
		t.Fatalf("unknown node: %v", err)
	}
	if _, err := h.ClusterNodeGet(ctx, 1, 0); !errors.Is(err, clm.ErrTimeout) || clm.StatusOf(err) != ipc.StatusTimeout {
		t.Fatalf("zero timeout: %v", err)
	}
	// The caller's own context stays the caller's.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := h.ClusterNodeGet(cctx, 1, time.Second); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
}

func TestClusterNodeGetAsync(t *testing.T) {
	c := newCluster(t, 3)
	ctx := ctxT(t)
	tr := newTracker(t, c, 1)
	for inv, id := range map[clm.Invocation]clm.NodeID{55: clm.LocalNodeID, 56: 3, 57: 9} {
		if err := tr.h.ClusterNodeGetAsync(ctx, inv, id); err != nil {
			t.Fatal(err)
		}
	}
	got := make(map[clm.Invocation]getEvent)
	for range 3 {
		ev := tr.get(t)
		got[ev.inv] = ev
	}
	wantNode(t, got[55].node, 1, 1)
	wantNode(t, got[56].node, 3, 3)
	if !errors.Is(got[57].err, clm.ErrInvalidParam) {
		t.Fatalf("unknown node: %+v", got[57])
	}
	// Without the callback, ErrInit.
	h, err := clm.Initialize(ctx, c.RunDir(1), clm.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Finalize()
	if err := h.ClusterNodeGetAsync(ctx, 1, 1); !errors.Is(err, clm.ErrInit) {
		t.Fatalf("no callback: %v", err)
	}
}

func TestTrackCurrent(t *testing.T) {
	c := newCluster(t, 3)
	ctx := ctxT(t)
	tr := newTracker(t, c, 3)
	var buf clm.ClusterNotificationBuffer
	if err := tr.h.ClusterTrack(ctx, clm.TrackCurrent, &buf); err != nil {
		t.Fatal(err)
	}
	if s := summary(buf); s != "view 3: 1 NO_CHANGE 2 NO_CHANGE 3 NO_CHANGE" {
		t.Fatal(s)
	}
	for i, it := range buf.Notification {
		wantNode(t, it.ClusterNode, service.NodeID(i+1), uint64(i+1))
	}
	// Without a buffer the answer comes through the callback.
	if err := tr.h.ClusterTrack(ctx, clm.TrackCurrent, nil); err != nil {
		t.Fatal(err)
	}
	ev := tr.track(t)
	if s := summary(ev.buf); s != "view 3: 1 NO_CHANGE 2 NO_CHANGE 3 NO_CHANGE" || ev.members != 3 || ev.err != nil {
		t.Fatalf("%s members=%d err=%v", s, ev.members, ev.err)
	}
	// CURRENT alone does not track.
	if err := tr.h.ClusterTrackStop(ctx); !errors.Is(err, clm.ErrNotExist) {
		t.Fatalf("track stop: %v", err)
	}
}

func TestTrackFlagRules(t *testing.T) {
	c := newCluster(t, 1)
	ctx := ctxT(t)
	tr := newTracker(t, c, 1)
	for _, f := range []clm.TrackFlags{0, 8, 0x80 | clm.TrackCurrent, clm.TrackChanges | clm.TrackChangesOnly,
		clm.TrackCurrent | clm.TrackChanges | clm.TrackChangesOnly} {
		if err := tr.h.ClusterTrack(ctx, f, nil); !errors.Is(err, clm.ErrBadFlags) {
			t.Errorf("flags %#x: %v", f, err)
		}
	}
	// A handle without a track callback can only ask for CURRENT into a
	// buffer.
	h, err := clm.Initialize(ctx, c.RunDir(1), clm.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Finalize()
	var buf clm.ClusterNotificationBuffer
	for _, tc := range []struct {
		flags clm.TrackFlags
		buf   *clm.ClusterNotificationBuffer
	}{{clm.TrackChanges, nil}, {clm.TrackChangesOnly, &buf}, {clm.TrackCurrent, nil}, {clm.TrackCurrent | clm.TrackChanges, &buf}} {
		if err := h.ClusterTrack(ctx, tc.flags, tc.buf); !errors.Is(err, clm.ErrInit) {
			t.Errorf("flags %#x without callback: %v", tc.flags, err)
		}
	}
	if err := h.ClusterTrack(ctx, clm.TrackCurrent, &buf); err != nil || summary(buf) != "view 1: 1 NO_CHANGE" {
		t.Fatalf("current into a buffer: %v %s", err, summary(buf))
	}
	// The executive applies the rules too, whatever a library sends.
	raw, err := ipc.Dial(ctx, ipc.SocketPath(c.RunDir(1)), clm.Service)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Call(ctx, clm.FnTrack, clm.AppendTrackRequest(nil, clm.TrackChanges|clm.TrackChangesOnly, false)); !errors.Is(err, ipc.ErrBadFlags) {
		t.Fatalf("raw bad flags: %v", err)
	}
	if _, err := raw.Call(ctx, clm.FnTrack, []byte{1}); !errors.Is(err, ipc.ErrInvalidParam) {
		t.Fatalf("raw short body: %v", err)
	}
	if _, err := raw.Call(ctx, clm.FnNodeGet, clm.AppendNodeGetRequest(nil, 1)); err != nil {
		t.Fatalf("the connection must survive a bad request: %v", err)
	}
}

// Crash and add, tracked with CHANGES on node 1 and CHANGES_ONLY on node
// 2: both hear of every change at the new view number, the first with the
// whole membership.
func TestTrackChanges(t *testing.T) {
	c := newCluster(t, 3)
	ctx := ctxT(t)
	full, delta := newTracker(t, c, 1), newTracker(t, c, 2)
	var buf clm.ClusterNotificationBuffer
	if err := full.h.ClusterTrack(ctx, clm.TrackCurrent|clm.TrackChanges, &buf); err != nil {
		t.Fatal(err)
	}
	if s := summary(buf); s != "view 3: 1 NO_CHANGE 2 NO_CHANGE 3 NO_CHANGE" {
		t.Fatal(s)
	}
	if err := delta.h.ClusterTrack(ctx, clm.TrackChangesOnly, nil); err != nil {
		t.Fatal(err)
	}

	c.Crash(3)
	ev := full.track(t)
	if s := summary(ev.buf); s != "view 4: 1 NO_CHANGE 2 NO_CHANGE 3 LEFT-" || ev.members != 2 {
		t.Fatalf("CHANGES after crash: %s members=%d", s, ev.members)
	}
	left := ev.buf.Notification[2].ClusterNode
	if left.NodeName != "node3" || left.InitialViewNumber != 3 {
		t.Fatalf("the left node keeps its record: %+v", left)
	}
	ev = delta.track(t)
	if s := summary(ev.buf); s != "view 4: 3 LEFT-" || ev.members != 2 {
		t.Fatalf("CHANGES_ONLY after crash: %s members=%d", s, ev.members)
	}

	c.Add(4)
	ev = full.track(t)
	if s := summary(ev.buf); s != "view 5: 1 NO_CHANGE 2 NO_CHANGE 4 JOINED" || ev.members != 3 {
		t.Fatalf("CHANGES after add: %s members=%d", s, ev.members)
	}
	wantNode(t, ev.buf.Notification[2].ClusterNode, 4, 5)
	ev = delta.track(t)
	if s := summary(ev.buf); s != "view 5: 4 JOINED" || ev.members != 3 {
		t.Fatalf("CHANGES_ONLY after add: %s members=%d", s, ev.members)
	}
	// The newcomer sees the others with the views they joined in.
	h4 := newTracker(t, c, 4)
	if err := h4.h.ClusterTrack(ctx, clm.TrackCurrent, &buf); err != nil {
		t.Fatal(err)
	}
	for i, id := range []service.NodeID{1, 2, 4} {
		wantNode(t, buf.Notification[i].ClusterNode, id, []uint64{1, 2, 5}[i])
	}
}

// After ClusterTrackStop no change is reported. Callbacks are ordered on
// the connection, so a CURRENT answered through the callback after the
// change proves that no change callback came before it.
func TestTrackStop(t *testing.T) {
	c := newCluster(t, 3)
	ctx := ctxT(t)
	tr := newTracker(t, c, 1)
	if err := tr.h.ClusterTrackStop(ctx); !errors.Is(err, clm.ErrNotExist) {
		t.Fatalf("stop without tracking: %v", err)
	}
	if err := tr.h.ClusterTrack(ctx, clm.TrackChanges, nil); err != nil {
		t.Fatal(err)
	}
	if err := tr.h.ClusterTrackStop(ctx); err != nil {
		t.Fatal(err)
	}
	c.Crash(2)
	for {
		if err := tr.h.ClusterTrack(ctx, clm.TrackCurrent, nil); err != nil {
			t.Fatal(err)
		}
		ev := tr.track(t)
		for _, it := range ev.buf.Notification {
			if it.ClusterChange != clm.NoChange {
				t.Fatalf("a change after track stop: %s", summary(ev.buf))
			}
		}
		if ev.buf.ViewNumber == 4 {
			break
		}
	}
	if err := tr.h.ClusterTrackStop(ctx); !errors.Is(err, clm.ErrNotExist) {
		t.Fatalf("second stop: %v", err)
	}
}

func TestDispatchFlags(t *testing.T) {
	c := newCluster(t, 1)
	ctx := ctxT(t)
	var mu sync.Mutex
	count := 0
	h, err := clm.Initialize(ctx, c.RunDir(1), clm.Callbacks{
		ClusterNodeGet: func(clm.Invocation, clm.ClusterNode, error) { mu.Lock(); count++; mu.Unlock() },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Finalize()
	if err := h.Dispatch(ctx, 7); !errors.Is(err, clm.ErrInvalidParam) {
		t.Fatalf("bad flags: %v", err)
	}
	// Nothing pending: ONE and ALL return at once.
	if err := h.Dispatch(ctx, clm.DispatchOne); err != nil {
		t.Fatal(err)
	}
	if err := h.Dispatch(ctx, clm.DispatchAll); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := h.ClusterNodeGetAsync(ctx, clm.Invocation(i), clm.LocalNodeID); err != nil {
			t.Fatal(err)
		}
	}
	ready, err := h.SelectionObjectGet()
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; n < 3; {
		select {
		case <-ready:
		case <-ctx.Done():
			t.Fatal("selection object never ready")
		}
		if err := h.Dispatch(ctx, clm.DispatchOne); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		got := count
		mu.Unlock()
		if got > n+1 {
			t.Fatalf("DispatchOne ran %d callbacks", got-n)
		}
		n = got
	}
	// A blocking dispatch with a context returns when the context ends.
	bctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := h.Dispatch(bctx, clm.DispatchBlocking); !errors.Is(err, context.Canceled) {
		t.Fatalf("blocking with a cancelled context: %v", err)
	}
}

func TestFinalize(t *testing.T) {
	c := newCluster(t, 1)
	ctx := ctxT(t)
	inside := make(chan struct{}, 1)
	h, err := clm.Initialize(ctx, c.RunDir(1), clm.Callbacks{ClusterTrack: func(clm.ClusterNotificationBuffer, uint32, error) {
		inside <- struct{}{}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.ClusterTrack(ctx, clm.TrackCurrent|clm.TrackChanges, nil); err != nil {
		t.Fatal(err)
	}
	ready, err := h.SelectionObjectGet()
	if err != nil {
		t.Fatal(err)
	}
	// The CURRENT callback shows that the blocking Dispatch runs before
	// Finalize is called.
	blocked := make(chan error, 1)
	go func() { blocked <- h.Dispatch(context.Background(), clm.DispatchBlocking) }()
	select {
	case <-inside:
	case <-time.After(deadline):
		t.Fatal("no callback")
	}
	if err := h.Finalize(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-blocked:
		if err != nil {
			t.Fatalf("blocking dispatch ended with %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("blocking dispatch did not return after Finalize")
	}
	select {
	case <-ready: // closed: a select loop wakes
	case <-time.After(deadline):
		t.Fatal("selection object not closed")
	}
	var buf clm.ClusterNotificationBuffer
	calls := map[string]error{
		"finalize":         h.Finalize(),
		"dispatch":         h.Dispatch(ctx, clm.DispatchAll),
		"track":            h.ClusterTrack(ctx, clm.TrackCurrent, &buf),
		"track stop":       h.ClusterTrackStop(ctx),
		"node get async":   h.ClusterNodeGetAsync(ctx, 1, 1),
		"node get":         second(h.ClusterNodeGet(ctx, 1, time.Second)),
		"selection object": second(h.SelectionObjectGet()),
		"track, bad flags": h.ClusterTrack(ctx, 0, nil),
	}
	for name, err := range calls {
		if !errors.Is(err, clm.ErrBadHandle) || clm.StatusOf(err) != ipc.StatusBadHandle {
			t.Errorf("%s after finalize: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// The executive going away is reported at once to every kind of call.
func TestExecutiveGone(t *testing.T) {
	c := newCluster(t, 2)
	ctx := ctxT(t)
	tr := newTracker(t, c, 2)
	if err := tr.h.ClusterTrack(ctx, clm.TrackChanges, nil); err != nil {
		t.Fatal(err)
	}
	ready, err := tr.h.SelectionObjectGet()
	if err != nil {
		t.Fatal(err)
	}
	c.Crash(2)
	select {
	case err := <-tr.done:
		if !errors.Is(err, clm.ErrLibrary) || !errors.Is(err, ipc.ErrDisconnected) {
			t.Fatalf("blocking dispatch: %v", err)
		}
	case <-time.After(deadline):
		t.Fatal("blocking dispatch did not notice the executive leaving")
	}
	select {
	case <-ready:
	case <-time.After(deadline):
		t.Fatal("selection object not closed")
	}
	var buf clm.ClusterNotificationBuffer
	for name, err := range map[string]error{
		"dispatch":   tr.h.Dispatch(ctx, clm.DispatchAll),
		"track":      tr.h.ClusterTrack(ctx, clm.TrackCurrent, &buf),
		"track stop": tr.h.ClusterTrackStop(ctx),
		"node get":   second(tr.h.ClusterNodeGet(ctx, 1, time.Second)),
	} {
		if !errors.Is(err, clm.ErrLibrary) || clm.StatusOf(err) != ipc.StatusLibrary {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := tr.h.Finalize(); err != nil {
		t.Fatalf("finalize after the loss: %v", err)
	}
	// No executive at all.
	if _, err := clm.Initialize(ctx, t.TempDir(), clm.Callbacks{}); !errors.Is(err, clm.ErrLibrary) || !errors.Is(err, ipc.ErrNoExecutive) {
		t.Fatalf("initialize without an executive: %v", err)
	}
}

// An executive without the CLM service refuses the handle.
func TestNoService(t *testing.T) {
	c := svctest.New(t, 1, func(service.NodeID, func(service.ID) service.Env, *slog.Logger) []service.Service { return nil }, svctest.Options{})
	if _, err := clm.Initialize(ctxT(t), c.RunDir(1), clm.Callbacks{}); !errors.Is(err, clm.ErrNotSupported) {
		t.Fatalf("got %v", err)
	}
}
