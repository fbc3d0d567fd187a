package clm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"goais/ipc"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "|", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var sampleNode = ClusterNode{
	NodeID:            0x0a0b0c0d,
	NodeAddress:       NodeAddress{Family: AddressIPv4, Value: "10.0.0.1"},
	NodeName:          "n1",
	Member:            true,
	BootTimestamp:     time.Unix(0, 0x0102030405060708),
	InitialViewNumber: 9,
}

// The byte layouts of every body.
func TestLayouts(t *testing.T) {
	node := `0d 0c 0b 0a | 01 | 01 | 08 | 00 | 02 00 | 0000 | 00000000 |` +
		`08 07 06 05 04 03 02 01 | 09 00 00 00 00 00 00 00 |` + hex.EncodeToString([]byte("10.0.0.1n1"))
	mustNode := func(b []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	buf := ClusterNotificationBuffer{ViewNumber: 5, Notification: []ClusterNotification{{ClusterNode: sampleNode, ClusterChange: Joined}}}
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"track request", AppendTrackRequest(nil, TrackCurrent|TrackChanges, true), "03 01"},
		{"node get request", AppendNodeGetRequest(nil, 0x01020304), "04 03 02 01"},
		{"node get async request", AppendNodeGetAsyncRequest(nil, 0x1122, 7), "22 11 00 00 00 00 00 00 | 07 00 00 00"},
		{"node", mustNode(AppendNode(nil, sampleNode)), node},
		{"buffer", mustNode(AppendBuffer(nil, buf)), "05 00 00 00 00 00 00 00 | 01 00 00 00 | 00000000 | 02 00 00 00 |" + node},
		{"track callback", mustNode(AppendTrackCallback(nil, TrackCallback{Status: ipc.StatusOK, NumberOfMembers: 3, Buffer: buf})),
			"01 00 00 00 | 03 00 00 00 | 05 00 00 00 00 00 00 00 | 01 00 00 00 | 00000000 | 02 00 00 00 |" + node},
		{"track callback error", mustNode(AppendTrackCallback(nil, TrackCallback{Status: ipc.StatusNoMemory, NumberOfMembers: 3, Buffer: buf})),
			"08 00 00 00 | 03 00 00 00"},
		{"node get callback", mustNode(AppendNodeGetCallback(nil, NodeGetCallback{Invocation: 55, Status: ipc.StatusOK, Node: sampleNode})),
			"37 00 00 00 00 00 00 00 | 01 00 00 00 | 00000000 |" + node},
		{"node get callback error", mustNode(AppendNodeGetCallback(nil, NodeGetCallback{Invocation: 56, Status: ipc.StatusInvalidParam})),
			"38 00 00 00 00 00 00 00 | 07 00 00 00 | 00000000"},
	}
	for _, tt := range tests {
		if want := unhex(t, tt.want); !bytes.Equal(tt.got, want) {
			t.Errorf("%s:\n got %x\nwant %x", tt.name, tt.got, want)
		}
	}
}

func TestRoundTrips(t *testing.T) {
	f, wb, err := DecodeTrackRequest(AppendTrackRequest(nil, TrackChangesOnly, false))
	if err != nil || f != TrackChangesOnly || wb {
		t.Fatalf("track request: %v %v %v", f, wb, err)
	}
	id, err := DecodeNodeGetRequest(AppendNodeGetRequest(nil, 42))
	if err != nil || id != 42 {
		t.Fatalf("node get: %v %v", id, err)
	}
	inv, id, err := DecodeNodeGetAsyncRequest(AppendNodeGetAsyncRequest(nil, 1<<60, 43))
	if err != nil || inv != 1<<60 || id != 43 {
		t.Fatalf("node get async: %v %v %v", inv, id, err)
	}
	if err := DecodeTrackStopRequest(nil); err != nil {
		t.Fatal(err)
	}
	nodes := []ClusterNode{
		sampleNode,
		{NodeID: 2},
		{NodeID: 3, NodeAddress: NodeAddress{Family: AddressIPv6, Value: strings.Repeat("f", AddressMax)},
			NodeName: strings.Repeat("é", NameMax/2), InitialViewNumber: 1<<64 - 1},
	}
	for _, n := range nodes {
		b, err := AppendNode(nil, n)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeNode(b)
		if err != nil || !reflect.DeepEqual(got, n) {
			t.Fatalf("node: got %+v, %v; want %+v", got, err, n)
		}
	}
	buf := ClusterNotificationBuffer{ViewNumber: 77}
	for i, n := range nodes {
		buf.Notification = append(buf.Notification, ClusterNotification{ClusterNode: n, ClusterChange: ClusterChange(1 + i)})
	}
	cb := TrackCallback{Status: ipc.StatusOK, NumberOfMembers: 2, Buffer: buf}
	b, err := AppendTrackCallback(nil, cb)
	if err != nil {
		t.Fatal(err)
	}
	gotcb, err := DecodeTrackCallback(b)
	if err != nil || !reflect.DeepEqual(gotcb, cb) {
		t.Fatalf("track callback: got %+v, %v", gotcb, err)
	}
	ncb := NodeGetCallback{Invocation: 3, Status: ipc.StatusOK, Node: nodes[2]}
	b, err = AppendNodeGetCallback(nil, ncb)
	if err != nil {
		t.Fatal(err)
	}
	gotncb, err := DecodeNodeGetCallback(b)
	if err != nil || !reflect.DeepEqual(gotncb, ncb) {
		t.Fatalf("node get callback: got %+v, %v", gotncb, err)
	}
	// An empty buffer decodes with a nil slice.
	b, _ = AppendBuffer(nil, ClusterNotificationBuffer{ViewNumber: 1})
	if got, err := DecodeBuffer(b); err != nil || got.ViewNumber != 1 || got.Notification != nil {
		t.Fatalf("empty buffer: %+v %v", got, err)
	}
}

func TestEncodeLimits(t *testing.T) {
	for _, n := range []ClusterNode{
		{NodeName: strings.Repeat("x", NameMax+1)},
		{NodeAddress: NodeAddress{Family: AddressIPv4, Value: strings.Repeat("1", AddressMax+1)}},
		{NodeAddress: NodeAddress{Family: 3}},
	} {
		if _, err := AppendNode(nil, n); err == nil {
			t.Errorf("%+v encoded", n)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	node, _ := AppendNode(nil, sampleNode)
	edit := func(b []byte, f func(b []byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	buf, _ := AppendBuffer(nil, ClusterNotificationBuffer{Notification: []ClusterNotification{{ClusterNode: sampleNode, ClusterChange: Left}}})
	tests := []struct {
		name  string
		err   error
		field string
		off   int
	}{
		{"track short", second(DecodeTrackRequest([]byte{1})), "flags", 0},
		{"track want_buffer", second(DecodeTrackRequest([]byte{1, 2})), "want_buffer", 1},
		{"track long", second(DecodeTrackRequest([]byte{1, 0, 0})), "end", 2},
		{"stop long", DecodeTrackStopRequest([]byte{0}), "end", 0},
		{"get short", first(DecodeNodeGetRequest([]byte{1, 2, 3})), "node_id", 0},
		{"get long", first(DecodeNodeGetRequest(make([]byte, 5))), "end", 4},
		{"async short", asyncErr(make([]byte, 7)), "invocation", 0},
		{"async no id", asyncErr(make([]byte, 10)), "node_id", 8},
		{"node short", first(DecodeNode(node[:20])), "node_id", 0},
		{"node member", first(DecodeNode(edit(node, func(b []byte) { b[4] = 2 }))), "member", 4},
		{"node family", first(DecodeNode(edit(node, func(b []byte) { b[5] = 3 }))), "family", 5},
		{"node address length", first(DecodeNode(edit(node, func(b []byte) { b[6] = 65 }))), "address_length", 6},
		{"node address for none", first(DecodeNode(edit(node, func(b []byte) { b[5] = 0 }))), "address_length", 6},
		{"node name length", first(DecodeNode(edit(node, func(b []byte) { b[9] = 2 }))), "name_length", 8},
		{"node address cut", first(DecodeNode(node[:35])), "address", 32},
		{"node name cut", first(DecodeNode(node[:len(node)-1])), "name", 40},
		{"node trailing", first(DecodeNode(append(bytes.Clone(node), 0))), "end", len(node)},
		{"buffer short", first(DecodeBuffer(buf[:10])), "view_number", 0},
		{"buffer count", first(DecodeBuffer(edit(buf, func(b []byte) { b[8] = 2 }))), "number_of_items", 8},
		{"buffer change", first(DecodeBuffer(edit(buf, func(b []byte) { b[16] = 5 }))), "items[0].cluster_change", 16},
		{"buffer node", first(DecodeBuffer(edit(buf, func(b []byte) { b[24] = 9 }))), "items[0].node.member", 24},
		{"track callback short", first(DecodeTrackCallback([]byte{1, 0, 0})), "status", 0},
		{"track callback node", first(DecodeTrackCallback(append([]byte{1, 0, 0, 0, 0, 0, 0, 0}, edit(buf, func(b []byte) { b[25] = 7 })...))),
			"buffer.items[0].node.family", 33},
		{"track callback error body", first(DecodeTrackCallback([]byte{7, 0, 0, 0, 0, 0, 0, 0, 1})), "end", 8},
		{"node get callback short", first(DecodeNodeGetCallback(make([]byte, 12))), "invocation", 0},
		{"node get callback node", first(DecodeNodeGetCallback(append([]byte{1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, node[:8]...))),
			"node.node_id", 16},
	}
	for _, tt := range tests {
		de, ok := errors.AsType[*DecodeError](tt.err)
		if !ok {
			t.Errorf("%s: got %v, want a *DecodeError", tt.name, tt.err)
			continue
		}
		if !errors.Is(tt.err, ErrMalformed) {
			t.Errorf("%s: does not wrap ErrMalformed", tt.name)
		}
		if de.Field != tt.field || de.Offset != tt.off {
			t.Errorf("%s: got %q at %d (%v), want %q at %d", tt.name, de.Field, de.Offset, tt.err, tt.field, tt.off)
		}
	}
	// A failed node get callback still names its invocation.
	cb, err := DecodeNodeGetCallback(append([]byte{9, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}, 1))
	if err == nil || cb.Invocation != 9 {
		t.Fatalf("got %+v, %v", cb, err)
	}
}

func first[T any](_ T, err error) error { return err }

func second[A, B any](_ A, _ B, err error) error { return err }

func asyncErr(b []byte) error {
	_, _, err := DecodeNodeGetAsyncRequest(b)
	return err
}

func TestTrackFlagsCheck(t *testing.T) {
	for f := range 256 {
		flags := TrackFlags(f)
		valid := flags != 0 && flags&^7 == 0 && flags&6 != 6
		err := flags.Check()
		if valid != (err == nil) {
			t.Errorf("flags %#x: %v", f, err)
		}
		if err != nil && !errors.Is(err, ErrBadFlags) {
			t.Errorf("flags %#x: %v does not wrap ErrBadFlags", f, err)
		}
	}
}

func TestStatusOf(t *testing.T) {
	if s := StatusOf(nil); s != ipc.StatusOK {
		t.Fatal(s)
	}
	if s := StatusOf(callError("x", ipc.ErrNotExist)); s != ipc.StatusNotExist {
		t.Fatal(s)
	}
	if s := StatusOf(callError("x", ipc.ErrClosed)); s != ipc.StatusBadHandle {
		t.Fatal(s)
	}
	if s := StatusOf(callError("x", ipc.ErrDisconnected)); s != ipc.StatusLibrary {
		t.Fatal(s)
	}
	if s := StatusOf(errors.New("other")); s != ipc.StatusLibrary {
		t.Fatal(s)
	}
}
