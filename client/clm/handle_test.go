package clm

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"goais/ipc"
)

// fakeExecutive serves the CLM socket with a handler of our own, to play
// an executive that answers strangely.
func fakeExecutive(t *testing.T, handle func(ev ipc.Event)) string {
	t.Helper()
	dir := t.TempDir()
	srv, err := ipc.Listen(ipc.ServerConfig{Path: ipc.SocketPath(dir), AllowedGID: -1, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range srv.Events() {
			handle(ev)
		}
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return dir
}

// Callbacks and responses that do not decode reach the application as
// ErrLibrary errors naming the fault, never silence or a panic.
func TestMalformedFromExecutive(t *testing.T) {
	dir := fakeExecutive(t, func(ev ipc.Event) {
		if ev.Kind != ipc.EventRequest {
			return
		}
		switch ev.Fn {
		case FnTrack:
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusOK, []byte{1, 2, 3}) // not a buffer
			ev.Conn.Callback(CbTrack, []byte{1, 0, 0, 0, 0})                // truncated
			ev.Conn.Callback(CbTrack, []byte{6, 0, 0, 0, 2, 0, 0, 0})       // TRY_AGAIN, no buffer
			ev.Conn.Callback(99, nil)                                       // unknown: ignored
		case FnNodeGet:
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusOK, []byte{9})
		case FnNodeGetAsync:
			ev.Conn.Respond(ev.ReqID, ev.Fn, ipc.StatusOK, nil)
			ev.Conn.Callback(CbNodeGet, []byte{7, 0, 0, 0, 0, 0, 0, 0, 1}) // invocation 7, cut
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type track struct {
		members uint32
		err     error
	}
	tracks := make(chan track, 8)
	gets := make(chan Invocation, 8)
	var getErr error
	h, err := Initialize(ctx, dir, Callbacks{
		ClusterTrack: func(_ ClusterNotificationBuffer, members uint32, err error) { tracks <- track{members, err} },
		ClusterNodeGet: func(inv Invocation, _ ClusterNode, err error) {
			getErr = err
			gets <- inv
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Finalize()
	var buf ClusterNotificationBuffer
	if err := h.ClusterTrack(ctx, TrackCurrent|TrackChanges, &buf); !errors.Is(err, ErrLibrary) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("bad buffer: %v", err)
	}
	if _, err := h.ClusterNodeGet(ctx, 1, time.Second); !errors.Is(err, ErrLibrary) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("bad node: %v", err)
	}
	if err := h.ClusterNodeGetAsync(ctx, 7, 1); err != nil {
		t.Fatal(err)
	}
	for len(gets) == 0 {
		if err := h.Dispatch(ctx, DispatchOne); err != nil {
			t.Fatal(err)
		}
		ready, _ := h.SelectionObjectGet()
		if len(gets) == 0 {
			select {
			case <-ready:
			case <-ctx.Done():
				t.Fatal("no node get callback")
			}
		}
	}
	if inv := <-gets; inv != 7 || !errors.Is(getErr, ErrLibrary) || !errors.Is(getErr, ErrMalformed) {
		t.Fatalf("node get callback: inv %d, %v", inv, getErr)
	}
	// The track callbacks came before the node get callback on the
	// connection, so DispatchOne ran them first.
	var got []track
	for len(got) < 2 {
		select {
		case tr := <-tracks:
			got = append(got, tr)
		default:
			t.Fatalf("%d track callbacks ran before the node get callback, want 2", len(got))
		}
	}
	if !errors.Is(got[0].err, ErrMalformed) || !errors.Is(got[0].err, ErrLibrary) {
		t.Fatalf("truncated track callback: %v", got[0].err)
	}
	if !errors.Is(got[1].err, ErrTryAgain) || got[1].members != 2 {
		t.Fatalf("failed track callback: %+v", got[1])
	}
}

func TestAddressOf(t *testing.T) {
	for _, tc := range []struct {
		in   netip.Addr
		want NodeAddress
	}{
		{netip.Addr{}, NodeAddress{}},
		{netip.MustParseAddr("10.1.2.3"), NodeAddress{AddressIPv4, "10.1.2.3"}},
		{netip.MustParseAddr("::ffff:10.1.2.3"), NodeAddress{AddressIPv4, "10.1.2.3"}},
		{netip.MustParseAddr("fe80::1%eth0"), NodeAddress{AddressIPv6, "fe80::1"}},
	} {
		got := AddressOf(tc.in)
		if got != tc.want {
			t.Errorf("%v: got %+v, want %+v", tc.in, got, tc.want)
		}
		if got.Addr() != tc.in.Unmap().WithZone("") {
			t.Errorf("%v: Addr() = %v", tc.in, got.Addr())
		}
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{NoChange.String(), "NO_CHANGE"},
		{Reconfigured.String(), "RECONFIGURED"},
		{ClusterChange(9).String(), "ClusterChange(9)"},
		{AddressIPv6.String(), "INET6"},
		{AddressNone.String(), "NONE"},
		{AddressFamily(5).String(), "AddressFamily(5)"},
		{SupportedVersion.String(), "B.1.1"},
		{(&DecodeError{Msg: "node", Field: "name", Offset: 40, Detail: "short"}).Error(), "clm: node: name at offset 40: short"},
		{(&opError{op: "dispatch", code: ErrBadHandle}).Error(), "clm: dispatch: ipc: SA_AIS_ERR_BAD_HANDLE"},
		{(&opError{op: "initialize", code: ErrLibrary, err: errors.New("boom")}).Error(), "clm: initialize: boom"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
