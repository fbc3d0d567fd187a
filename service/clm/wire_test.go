package clm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"goais/service"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.NewReplacer(" ", "", "|", "", "\n", "", "\t", "").Replace(s)
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The byte layout of NODEJOIN, field by field.
func TestNodeJoinLayout(t *testing.T) {
	n := Node{
		ID:          0x01020304,
		Address:     netip.MustParseAddr("192.168.1.10"),
		Name:        "alpha",
		BootTime:    time.Unix(0, 0x1122334455667788),
		InitialView: 7,
	}
	body, err := n.Body()
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, `00 00 11 00 00000000 3d 00 00 00 00000000 |`+ // header: 17<<16|0, size 61
		`04 03 02 01 | 01 | 04 | 05 00 |`+ // node id, family inet, length 4, name length 5
		`88 77 66 55 44 33 22 11 | 07 00 00 00 00 00 00 00 |`+ // boot, initial view
		`c0 a8 01 0a 00000000 00000000 00000000 |`+ // address, padded to 16
		hex.EncodeToString([]byte("alpha")))
	if got := Message(FnNodeJoin, body); !bytes.Equal(got, want) {
		t.Fatalf("NODEJOIN:\n got %x\nwant %x", got, want)
	}
	got, err := DecodeNodeJoin(want, false)
	if err != nil {
		t.Fatal(err)
	}
	if !nodesEqual(got, n) {
		t.Fatalf("decoded %+v, want %+v", got, n)
	}
}

func nodesEqual(a, b Node) bool {
	return sameAttrs(a, b) && a.InitialView == b.InitialView
}

// Records round-trip in both byte orders, for every address family.
func TestNodeJoinRoundTrip(t *testing.T) {
	nodes := []Node{
		{ID: 1},
		{ID: 2, Address: netip.MustParseAddr("10.0.0.2"), Name: "node2", BootTime: time.Unix(1700000000, 5), InitialView: 3},
		{ID: 3, Address: netip.MustParseAddr("fe80::1:2"), Name: strings.Repeat("x", 256), InitialView: 1 << 40},
		{ID: 0xffffffff, Address: netip.MustParseAddr("::ffff:1.2.3.4"), BootTime: time.Unix(-5, 0)},
	}
	for _, n := range nodes {
		for _, be := range []bool{false, true} {
			var o binary.ByteOrder = binary.LittleEndian
			if be {
				o = binary.BigEndian
			}
			msg, err := n.encode(o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeNodeJoin(msg, be)
			if err != nil {
				t.Fatalf("%+v be=%v: %v", n, be, err)
			}
			want := n
			want.Address = n.Address.Unmap() // a mapped address travels as IPv4
			if !nodesEqual(got, want) {
				t.Fatalf("be=%v: got %+v, want %+v", be, got, want)
			}
		}
	}
	if _, err := (Node{ID: 1, Name: strings.Repeat("x", 257)}).Body(); err == nil {
		t.Fatal("a 257-byte name encoded")
	}
}

// Bytes after the name, within the header's size, are ignored (room for
// later fields); bytes after the size too.
func TestNodeJoinTrailing(t *testing.T) {
	msg, err := Node{ID: 4, Name: "n"}.encode(binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	longer := append(append([]byte(nil), msg...), 1, 2, 3)
	binary.LittleEndian.PutUint32(longer[8:], uint32(len(longer)))
	for _, m := range [][]byte{longer, append(append([]byte(nil), msg...), 9, 9)} {
		n, err := DecodeNodeJoin(m, false)
		if err != nil || n.Name != "n" || n.ID != 4 {
			t.Fatalf("got %+v, %v", n, err)
		}
	}
}

func TestNodeJoinErrors(t *testing.T) {
	good, err := Node{ID: 5, Address: netip.MustParseAddr("10.1.1.1"), Name: "abc"}.encode(binary.LittleEndian)
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	tests := []struct {
		name  string
		msg   []byte
		field string
		off   int
	}{
		{"empty", nil, "header", 0},
		{"short header", good[:10], "header", 0},
		{"size too small", edit(func(b []byte) []byte { b[8] = 8; return b }), "header.size", 8},
		{"size too large", edit(func(b []byte) []byte { b[8] = 200; return b }), "header.size", 8},
		{"no node id", edit(func(b []byte) []byte { b[8] = 18; return b }), "node_id", 16},
		{"no address", edit(func(b []byte) []byte { b[8] = 50; return b }), "address", 40},
		{"unknown family", edit(func(b []byte) []byte { b[20] = 3; return b }), "address_family", 20},
		{"length for inet6", edit(func(b []byte) []byte { b[21] = 16; return b }), "address_length", 21},
		{"address for none", edit(func(b []byte) []byte { b[20] = 0; return b }), "address_length", 21},
		{"name too long", edit(func(b []byte) []byte { b[22], b[23] = 0x01, 0x01; return b }), "name_length", 22},
		{"name past size", edit(func(b []byte) []byte { b[22] = 4; return b }), "name", 56},
	}
	for _, tt := range tests {
		_, err := DecodeNodeJoin(tt.msg, false)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: got %v, want a *DecodeError", tt.name, err)
			continue
		}
		if !errors.Is(err, service.ErrMalformed) {
			t.Errorf("%s: %v does not wrap service.ErrMalformed", tt.name, err)
		}
		if de.Msg != "NODEJOIN" || de.Field != tt.field || de.Offset != tt.off {
			t.Errorf("%s: got field %q at %d (%v), want %q at %d", tt.name, de.Field, de.Offset, err, tt.field, tt.off)
		}
	}
}
