package ipc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestHeaderRoundTrip(t *testing.T) {
	for _, h := range []Header{
		{Length: HeaderSize, Kind: KindHello},
		{Length: HeaderSize, Kind: KindHelloReply, Status: StatusAccess},
		{Length: 100, Kind: KindRequest, Fn: 7, ReqID: 0xfffffffe},
		{Length: MaxFrame, Kind: KindResponse, Fn: 0xffff, ReqID: 1, Status: StatusTryAgain},
		{Length: 20, Kind: KindCallback, Fn: 3},
		{Length: 20, Kind: KindResponse, ReqID: 9, Status: -5}, // unknown statuses pass through
	} {
		b := AppendHeader([]byte("prefix"), h)
		if len(b) != len("prefix")+HeaderSize {
			t.Fatalf("AppendHeader(%+v) appended %d bytes, want %d", h, len(b)-6, HeaderSize)
		}
		got, err := DecodeHeader(b[6:])
		if err != nil {
			t.Fatalf("DecodeHeader(AppendHeader(%+v)): %v", h, err)
		}
		if got != h {
			t.Errorf("round trip: got %+v, want %+v", got, h)
		}
	}
}

func TestHeaderLayout(t *testing.T) {
	b := AppendFrame(nil, Header{Kind: KindResponse, Fn: 0x0102, ReqID: 0x03040506, Status: StatusNoSections}, []byte("xy"))
	want := []byte{
		18, 0, 0, 0, // length
		4, 0, // kind, reserved
		0x02, 0x01, // fn
		0x06, 0x05, 0x04, 0x03, // request id
		27, 0, 0, 0, // status
		'x', 'y',
	}
	if string(b) != string(want) {
		t.Errorf("AppendFrame = % x, want % x", b, want)
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	valid := func(mod func(b []byte)) []byte {
		b := AppendHeader(nil, Header{Length: 32, Kind: KindRequest, Fn: 1, ReqID: 2})
		mod(b)
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", make([]byte, 15), "header needs 16 bytes, have 15"},
		{"length below header", valid(func(b []byte) { binary.LittleEndian.PutUint32(b, 15) }), "length 15 at offset 0"},
		{"length zero", valid(func(b []byte) { binary.LittleEndian.PutUint32(b, 0) }), "length 0 at offset 0"},
		{"length above max", valid(func(b []byte) { binary.LittleEndian.PutUint32(b, MaxFrame+1) }), fmt.Sprintf("length %d at offset 0", MaxFrame+1)},
		{"kind zero", valid(func(b []byte) { b[4] = 0 }), "kind 0 at offset 4"},
		{"kind six", valid(func(b []byte) { b[4] = 6 }), "kind 6 at offset 4"},
		{"reserved", valid(func(b []byte) { b[5] = 0x80 }), "reserved byte at offset 5 is 0x80"},
		{"status on request", valid(func(b []byte) { b[12] = 1 }), "status 1 at offset 12 must be 0 on a request frame"},
		{"status on callback", valid(func(b []byte) { b[4] = byte(KindCallback); b[8] = 0; b[12] = 2 }), "status 2 at offset 12 must be 0 on a callback frame"},
		{"request id on callback", valid(func(b []byte) { b[4] = byte(KindCallback) }), "request id 2 at offset 8 must be 0 on a callback frame"},
		{"request id on hello", valid(func(b []byte) { b[4] = byte(KindHello) }), "request id 2 at offset 8 must be 0 on a hello frame"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeHeader(tc.b)
			if err == nil {
				t.Fatalf("DecodeHeader(% x) succeeded", tc.b)
			}
			if !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestHello(t *testing.T) {
	h := Hello{Service: 0xbeef, PID: 123456}
	b := AppendHello(nil, h)
	if len(b) != HelloSize {
		t.Fatalf("AppendHello gave %d bytes, want %d", len(b), HelloSize)
	}
	got, err := DecodeHello(b)
	if err != nil || got != h {
		t.Fatalf("DecodeHello(AppendHello(%+v)) = %+v, %v", h, got, err)
	}
	for _, tc := range []struct {
		b    []byte
		want string
	}{
		{b[:7], "hello body is 7 bytes, want 8"},
		{append(b[:8:8], 0), "hello body is 9 bytes, want 8"},
		{[]byte{1, 0, 1, 0, 0, 0, 0, 0}, "reserved field at body offset 2 is 0x0001"},
	} {
		_, err := DecodeHello(tc.b)
		if err == nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeHello(% x) = %v, want error wrapping ErrMalformed saying %q", tc.b, err, tc.want)
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{KindHello: "hello", KindHelloReply: "hello-reply", KindRequest: "request",
		KindResponse: "response", KindCallback: "callback", 9: "Kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", uint8(k), got, want)
		}
	}
}
