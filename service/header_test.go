package service_test

import (
	"bytes"
	"errors"
	"testing"

	"goais/service"
)

func TestAppendHeaderLayout(t *testing.T) {
	got := service.AppendHeader([]byte{0xee}, service.CPG, 3, 200)
	want := []byte{
		0xee,                   // dst is kept
		0x03, 0x00, 0x02, 0x00, // id = 2<<16 | 3, i32 LE
		0, 0, 0, 0, // padding
		0xc8, 0x00, 0x00, 0x00, // size 200
		0, 0, 0, 0, // padding
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendHeader = % x\nwant          % x", got, want)
	}
}

func TestAppendResponseHeaderLayout(t *testing.T) {
	got := service.AppendResponseHeader(nil, service.CPG, 2, 24+144, -2)
	want := []byte{
		0x02, 0x00, 0x02, 0x00, 0, 0, 0, 0, // id = 2<<16 | 2 (JOINLIST)
		0xa8, 0x00, 0x00, 0x00, 0, 0, 0, 0, // size 168
		0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0, // error -2
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendResponseHeader = % x\nwant                  % x", got, want)
	}
}

func TestDecodeHeader(t *testing.T) {
	msg := service.AppendHeader(nil, service.Votequorum, 1, 20)
	msg = append(msg, 1, 2, 3, 4, 5) // one byte beyond size is allowed
	id, fn, size, err := service.DecodeHeader(msg, false)
	if err != nil || id != service.Votequorum || fn != 1 || size != 20 {
		t.Fatalf("DecodeHeader = %d, %d, %d, %v; want 5, 1, 20, nil", id, fn, size, err)
	}

	// A big-endian sender: both fields swapped.
	be := []byte{0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0}
	id, fn, size, err = service.DecodeHeader(be, true)
	if err != nil || id != service.CPG || fn != 4 || size != 16 {
		t.Fatalf("DecodeHeader(big-endian) = %d, %d, %d, %v; want 2, 4, 16, nil", id, fn, size, err)
	}

	// The id's high bit set: service ids above 0x7fff survive the i32.
	msg = service.AppendHeader(nil, 0xfffe, 0xffff, 16)
	if id, fn, _, err = service.DecodeHeader(msg, false); err != nil || id != 0xfffe || fn != 0xffff {
		t.Fatalf("DecodeHeader(high id) = %#x, %#x, %v", id, fn, err)
	}
}

func TestDecodeHeaderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"short", make([]byte, 15), "message is 15 bytes, the header needs 16"},
		{"size below header", service.AppendHeader(nil, 2, 0, 15), "size field (offset 8) is 15, want 16 to 16"},
		{"size past end", service.AppendHeader(nil, 2, 0, 17), "size field (offset 8) is 17, want 16 to 16"},
		{"negative size", service.AppendHeader(nil, 2, 0, -1), "size field (offset 8) is -1"},
	} {
		_, _, _, err := service.DecodeHeader(tc.msg, false)
		if err == nil || !errors.Is(err, service.ErrMalformed) || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) {
			t.Errorf("%s: err = %v, want one wrapping ErrMalformed saying %q", tc.name, err, tc.want)
		}
	}
}

func TestDecodeResponseHeader(t *testing.T) {
	msg := service.AppendResponseHeader(nil, service.CPG, 2, 24, 6)
	id, fn, size, code, err := service.DecodeResponseHeader(msg, false)
	if err != nil || id != service.CPG || fn != 2 || size != 24 || code != 6 {
		t.Fatalf("DecodeResponseHeader = %d, %d, %d, %d, %v", id, fn, size, code, err)
	}
	// A 16-byte request header is too short for a response header.
	if _, _, _, _, err := service.DecodeResponseHeader(service.AppendHeader(nil, 2, 2, 16), false); !errors.Is(err, service.ErrMalformed) {
		t.Fatalf("short response header: err = %v", err)
	}
	// size 20 covers the request header but not the response header.
	msg = service.AppendResponseHeader(nil, service.CPG, 2, 20, 0)
	if _, _, _, _, err := service.DecodeResponseHeader(msg, false); !errors.Is(err, service.ErrMalformed) {
		t.Fatalf("size 20: err = %v", err)
	}
}
