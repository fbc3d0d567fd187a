package clm

import (
	"bytes"
	"reflect"
	"testing"

	"goais/ipc"
)

// Every decoder must not panic, and what it accepts must encode back to
// the same bytes.

func FuzzDecodeTrackRequest(f *testing.F) {
	f.Add([]byte{3, 1})
	f.Add([]byte{7, 2})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		flags, wb, err := DecodeTrackRequest(b)
		if err != nil {
			return
		}
		if again := AppendTrackRequest(nil, flags, wb); !bytes.Equal(again, b) {
			t.Fatalf("%x -> %x", b, again)
		}
	})
}

func FuzzDecodeTrackStopRequest(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := DecodeTrackStopRequest(b); (err == nil) != (len(b) == 0) {
			t.Fatalf("%x: %v", b, err)
		}
	})
}

func FuzzDecodeNodeGetRequest(f *testing.F) {
	f.Add(AppendNodeGetRequest(nil, 3))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		id, err := DecodeNodeGetRequest(b)
		if err != nil {
			return
		}
		if again := AppendNodeGetRequest(nil, id); !bytes.Equal(again, b) {
			t.Fatalf("%x -> %x", b, again)
		}
	})
}

func FuzzDecodeNodeGetAsyncRequest(f *testing.F) {
	f.Add(AppendNodeGetAsyncRequest(nil, 55, 3))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		inv, id, err := DecodeNodeGetAsyncRequest(b)
		if err != nil {
			return
		}
		if again := AppendNodeGetAsyncRequest(nil, inv, id); !bytes.Equal(again, b) {
			t.Fatalf("%x -> %x", b, again)
		}
	})
}

// reencode checks that a decoded value encodes to bytes that decode to
// the same value. Reserved bytes are not checked on the way in, so the
// bytes themselves may differ.
func reencode[T any](t *testing.T, v T, enc func([]byte, T) ([]byte, error), dec func([]byte) (T, error)) {
	t.Helper()
	b, err := enc(nil, v)
	if err != nil {
		t.Fatalf("re-encode %+v: %v", v, err)
	}
	v2, err := dec(b)
	if err != nil || !reflect.DeepEqual(v, v2) {
		t.Fatalf("round trip: %+v -> %+v, %v", v, v2, err)
	}
}

func FuzzDecodeNode(f *testing.F) {
	b, _ := AppendNode(nil, sampleNode)
	f.Add(b)
	f.Add(b[:33])
	b, _ = AppendNode(nil, ClusterNode{NodeID: 1})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := DecodeNode(b)
		if err != nil {
			return
		}
		reencode(t, n, AppendNode, DecodeNode)
	})
}

func sampleBuffer() ClusterNotificationBuffer {
	return ClusterNotificationBuffer{ViewNumber: 4, Notification: []ClusterNotification{
		{ClusterNode: sampleNode, ClusterChange: NoChange},
		{ClusterNode: ClusterNode{NodeID: 2, NodeName: "two"}, ClusterChange: Left},
	}}
}

func FuzzDecodeBuffer(f *testing.F) {
	b, _ := AppendBuffer(nil, sampleBuffer())
	f.Add(b)
	f.Add(b[:40])
	b, _ = AppendBuffer(nil, ClusterNotificationBuffer{})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		buf, err := DecodeBuffer(b)
		if err != nil {
			return
		}
		reencode(t, buf, AppendBuffer, DecodeBuffer)
	})
}

func FuzzDecodeTrackCallback(f *testing.F) {
	b, _ := AppendTrackCallback(nil, TrackCallback{Status: ipc.StatusOK, NumberOfMembers: 1, Buffer: sampleBuffer()})
	f.Add(b)
	b, _ = AppendTrackCallback(nil, TrackCallback{Status: ipc.StatusTryAgain})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := DecodeTrackCallback(b)
		if err != nil {
			return
		}
		reencode(t, cb, AppendTrackCallback, DecodeTrackCallback)
	})
}

func FuzzDecodeNodeGetCallback(f *testing.F) {
	b, _ := AppendNodeGetCallback(nil, NodeGetCallback{Invocation: 5, Status: ipc.StatusOK, Node: sampleNode})
	f.Add(b)
	b, _ = AppendNodeGetCallback(nil, NodeGetCallback{Invocation: 6, Status: ipc.StatusInvalidParam})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		cb, err := DecodeNodeGetCallback(b)
		if err != nil {
			return
		}
		reencode(t, cb, AppendNodeGetCallback, DecodeNodeGetCallback)
	})
}
