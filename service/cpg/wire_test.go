package cpg

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"goais/service"
)

// unhex decodes a hex dump; spaces, '|' and quoted ASCII are allowed, so
// the reference's captures can be pasted as they are.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for len(s) > 0 {
		switch {
		case s[0] == ' ' || s[0] == '|' || s[0] == '\n' || s[0] == '\t':
			s = s[1:]
		case s[0] == '"':
			end := strings.IndexByte(s[1:], '"')
			out = append(out, s[1:1+end]...)
			s = s[2+end:]
		default:
			end := strings.IndexAny(s, " |\n\t\"")
			if end < 0 {
				end = len(s)
			}
			b, err := hex.DecodeString(s[:end])
			if err != nil {
				t.Fatalf("bad hex %q: %v", s[:end], err)
			}
			out = append(out, b...)
			s = s[end:]
		}
	}
	return out
}

// The PROCJOIN captured from a real corosync 3.1.7 node (reference §6.1):
// node 2, pid 14307, group "grpA".
func TestProcJoinCapture(t *testing.T) {
	want := unhex(t, `00 00 02 00 00000000 a8 00 00 00 00000000 | 04 00 00 00 00000000 | "grpA"`+
		strings.Repeat(" 00", 124)+` | e3 37 00 00 00000000 | 01 00 00 00 00000000`)
	if len(want) != ProcJoinSize {
		t.Fatalf("capture is %d bytes, want %d", len(want), ProcJoinSize)
	}
	body, err := ProcJoin{Group: "grpA", PID: 14307, Reason: ReasonJoin}.Body()
	if err != nil {
		t.Fatal(err)
	}
	if got := Message(FnProcJoin, body); !bytes.Equal(got, want) {
		t.Fatalf("encoded PROCJOIN differs from the capture:\n got %x\nwant %x", got, want)
	}
	m, err := DecodeProcJoin(want, false)
	if err != nil {
		t.Fatal(err)
	}
	if m != (ProcJoin{Group: "grpA", PID: 14307, Reason: ReasonJoin}) {
		t.Fatalf("decoded %+v", m)
	}
}

// The MCAST example of the reference: size 197 = 184 + 13, source.conn
// holds 8 garbage bytes that receivers ignore.
func TestMcastCaptureShape(t *testing.T) {
	msg := Message(FnMcast, mustBody(t, Mcast{Group: "grpA", PID: 14307, Source: 2, Msg: []byte("hello-from-r2")}))
	if len(msg) != 197 || binary.LittleEndian.Uint32(msg[8:]) != 197 {
		t.Fatalf("MCAST is %d bytes, header.size %d; want 197", len(msg), binary.LittleEndian.Uint32(msg[8:]))
	}
	if !bytes.Equal(msg[176:184], make([]byte, 8)) {
		t.Fatalf("source.conn = %x, want zeros", msg[176:184])
	}
	copy(msg[176:184], "\xde\xad\xbe\xef\x01\x02\x03\x04")
	m, err := DecodeMcast(msg, false)
	if err != nil {
		t.Fatal(err)
	}
	if m.Group != "grpA" || m.PID != 14307 || m.Source != 2 || string(m.Msg) != "hello-from-r2" {
		t.Fatalf("decoded %+v", m)
	}
}

func mustBody(t testing.TB, m interface{ Body() ([]byte, error) }) []byte {
	t.Helper()
	b, err := m.Body()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// roundTrip encodes and decodes every message in both byte orders and
// checks the sizes of §6.1.
func TestRoundTrip(t *testing.T) {
	long := strings.Repeat("g", NameMax)
	frag := bytes.Repeat([]byte{0xab}, 1000)
	left := make([]service.NodeID, DownlistNodesMax)
	for i := range left {
		left[i] = service.NodeID(i + 1)
	}
	type tc struct {
		name   string
		size   int
		encode func(o binary.ByteOrder) ([]byte, error)
		decode func(msg []byte, be bool) (any, error)
		want   any
	}
	cases := []tc{
		{"procjoin", 168,
			func(o binary.ByteOrder) ([]byte, error) {
				return ProcJoin{"grpA", 100, ReasonJoin}.encode(o, FnProcJoin)
			},
			func(m []byte, be bool) (any, error) { return DecodeProcJoin(m, be) },
			ProcJoin{"grpA", 100, ReasonJoin}},
		{"procleave long name", 168,
			func(o binary.ByteOrder) ([]byte, error) {
				return ProcJoin{long, 7, ReasonProcDown}.encode(o, FnProcLeave)
			},
			func(m []byte, be bool) (any, error) { return DecodeProcLeave(m, be) },
			ProcJoin{long, 7, ReasonProcDown}},
		{"procjoin empty name", 168,
			func(o binary.ByteOrder) ([]byte, error) { return ProcJoin{"", 1, ReasonJoin}.encode(o, FnProcJoin) },
			func(m []byte, be bool) (any, error) { return DecodeProcJoin(m, be) },
			ProcJoin{"", 1, ReasonJoin}},
		{"joinlist empty", 24,
			func(o binary.ByteOrder) ([]byte, error) { return encodeJoinList(o, nil) },
			func(m []byte, be bool) (any, error) { return DecodeJoinList(m, be) },
			[]JoinEntry{}},
		{"joinlist 3", 24 + 3*144,
			func(o binary.ByteOrder) ([]byte, error) {
				return encodeJoinList(o, []JoinEntry{{1, "a"}, {2, "b"}, {3, long}})
			},
			func(m []byte, be bool) (any, error) { return DecodeJoinList(m, be) },
			[]JoinEntry{{1, "a"}, {2, "b"}, {3, long}}},
		{"mcast", 184 + 5,
			func(o binary.ByteOrder) ([]byte, error) { return Mcast{"grpA", 9, 3, []byte("hello")}.encode(o) },
			func(m []byte, be bool) (any, error) { return DecodeMcast(m, be) },
			Mcast{"grpA", 9, 3, []byte("hello")}},
		{"mcast empty", 184,
			func(o binary.ByteOrder) ([]byte, error) { return Mcast{"grpA", 9, 3, []byte{}}.encode(o) },
			func(m []byte, be bool) (any, error) { return DecodeMcast(m, be) },
			Mcast{"grpA", 9, 3, []byte{}}},
		{"partial", 200 + 1000,
			func(o binary.ByteOrder) ([]byte, error) {
				return PartialMcast{"grpA", 5000, 9, FragContinued, 3, frag}.encode(o)
			},
			func(m []byte, be bool) (any, error) { return DecodePartialMcast(m, be) },
			PartialMcast{"grpA", 5000, 9, FragContinued, 3, frag}},
		{"downlist", 1568,
			func(o binary.ByteOrder) ([]byte, error) { return Downlist{3, []service.NodeID{2, 9}}.encode(o) },
			func(m []byte, be bool) (any, error) { return DecodeDownlist(m, be) },
			Downlist{3, []service.NodeID{2, 9}}},
		{"downlist full", 1568,
			func(o binary.ByteOrder) ([]byte, error) { return Downlist{384, left}.encode(o) },
			func(m []byte, be bool) (any, error) { return DecodeDownlist(m, be) },
			Downlist{384, left}},
		{"downlist old", 1560,
			func(o binary.ByteOrder) ([]byte, error) { return DownlistOld{[]service.NodeID{4}}.encode(o) },
			func(m []byte, be bool) (any, error) { return DecodeDownlistOld(m, be) },
			DownlistOld{[]service.NodeID{4}}},
	}
	for _, c := range cases {
		for _, be := range []bool{false, true} {
			var o binary.ByteOrder = binary.LittleEndian
			if be {
				o = binary.BigEndian
			}
			msg, err := c.encode(o)
			if err != nil {
				t.Fatalf("%s be=%v: encode: %v", c.name, be, err)
			}
			if len(msg) != c.size || int(o.Uint32(msg[8:])) != c.size {
				t.Errorf("%s be=%v: %d bytes, header.size %d; want %d", c.name, be, len(msg), o.Uint32(msg[8:]), c.size)
			}
			if id := o.Uint32(msg); id>>16 != uint32(service.CPG) {
				t.Errorf("%s be=%v: header.id %#x is not service 2", c.name, be, id)
			}
			got, err := c.decode(msg, be)
			if err != nil {
				t.Fatalf("%s be=%v: decode: %v", c.name, be, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s be=%v: decoded %+v, want %+v", c.name, be, got, c.want)
			}
			// Bytes after header.size are ignored.
			if got2, err := c.decode(append(msg, 1, 2, 3), be); err != nil || !reflect.DeepEqual(got2, got) {
				t.Errorf("%s be=%v: with trailing bytes: %+v, %v", c.name, be, got2, err)
			}
		}
	}
}

// Little-endian Body and Message produce the same bytes as the internal
// encoder, and fns land in the header.
func TestBodyMatchesEncode(t *testing.T) {
	m := Mcast{Group: "g", PID: 1, Source: 2, Msg: []byte("x")}
	full, _ := m.encode(binary.LittleEndian)
	if got := Message(FnMcast, mustBody(t, m)); !bytes.Equal(got, full) {
		t.Fatalf("Message(Body) = %x, want %x", got, full)
	}
	b, err := JoinListBody([]JoinEntry{{PID: 5, Group: "g"}})
	if err != nil {
		t.Fatal(err)
	}
	jl := Message(FnJoinList, b)
	if _, fn, size, errCode, err := service.DecodeResponseHeader(jl, false); err != nil || fn != FnJoinList || size != 168 || errCode != 0 {
		t.Fatalf("JOINLIST header: fn %d size %d error %d err %v", fn, size, errCode, err)
	}
}

func TestEncodeRejects(t *testing.T) {
	long := strings.Repeat("x", NameMax+1)
	if _, err := (ProcJoin{Group: long}).Body(); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("PROCJOIN with a 129-byte name: %v", err)
	}
	if _, err := JoinListBody([]JoinEntry{{Group: "ok"}, {Group: long}}); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("JOINLIST with a 129-byte name: %v", err)
	}
	if _, err := (Mcast{Group: long}).Body(); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("MCAST with a 129-byte name: %v", err)
	}
	if _, err := (PartialMcast{Group: long}).Body(); !errors.Is(err, ErrNameTooLong) {
		t.Errorf("PARTIAL_MCAST with a 129-byte name: %v", err)
	}
	if _, err := (Downlist{Left: make([]service.NodeID, DownlistNodesMax+1)}).Body(); err == nil {
		t.Error("DOWNLIST of 385 nodes encoded")
	}
	if _, err := (DownlistOld{Left: make([]service.NodeID, DownlistNodesMax+1)}).Body(); err == nil {
		t.Error("DOWNLIST_OLD of 385 nodes encoded")
	}
}

// Malformed input: every decoder names the message, the field and its
// offset, and the error matches service.ErrMalformed.
func TestMalformed(t *testing.T) {
	le := binary.LittleEndian
	pj, _ := ProcJoin{Group: "grpA", PID: 1, Reason: ReasonJoin}.encode(le, FnProcJoin)
	jl, _ := encodeJoinList(le, []JoinEntry{{1, "a"}, {2, "b"}})
	mc, _ := Mcast{Group: "g", PID: 1, Msg: []byte("hello")}.encode(le)
	pm, _ := PartialMcast{Group: "g", MsgLen: 10, PID: 1, Type: FragFirst, Fragment: []byte("hello")}.encode(le)
	dl, _ := Downlist{OldMembers: 3}.encode(le)
	do, _ := DownlistOld{}.encode(le)

	with := func(b []byte, f func(b []byte)) []byte {
		b = bytes.Clone(b)
		f(b)
		return b
	}
	setSize := func(n int) func([]byte) { return func(b []byte) { le.PutUint32(b[8:], uint32(n)) } }
	put := func(off int, v uint32) func([]byte) { return func(b []byte) { le.PutUint32(b[off:], v) } }

	cases := []struct {
		name   string
		decode func([]byte, bool) error
		msg    []byte
		want   string
	}{
		{"empty", procJoinErr, nil, "cpg: PROCJOIN: header at offset 0: need 16 bytes, have 0"},
		{"size below header", procJoinErr, with(pj, setSize(15)), "cpg: PROCJOIN: header.size at offset 8: 15 is not between 16 and the message length 168"},
		{"size past end", procJoinErr, with(pj, setSize(169)), "header.size at offset 8: 169 is not between 16 and the message length 168"},
		{"negative size", procJoinErr, with(pj, setSize(-1)), "header.size at offset 8: -1 is not between"},
		{"procjoin truncated in name", procJoinErr, pj[:100], "header.size at offset 8: 168 is not between 16 and the message length 100"},
		{"procjoin size cuts reason", procJoinErr, with(pj, setSize(163)), "cpg: PROCJOIN: reason at offset 160: need 8 bytes, have 3 (header.size 163)"},
		{"procjoin name too long", procJoinErr, with(pj, put(16, 129)), "cpg: PROCJOIN: group_name.length at offset 16: 129 exceeds 128"},
		{"procleave name too long", procLeaveErr, with(pj, put(16, 0xffffffff)), "cpg: PROCLEAVE: group_name.length at offset 16: 4294967295 exceeds 128"},
		{"joinlist short header", joinListErr, with(jl[:20], setSize(20)), "cpg: JOINLIST: header.error at offset 16: need 8 bytes, have 4"},
		{"joinlist size not whole", joinListErr, with(jl, setSize(24+144+10)), "cpg: JOINLIST: header.size at offset 8: 178 is not 24 + 144·n"},
		{"joinlist entry name", joinListErr, with(jl, put(24+144+8, 200)), "cpg: JOINLIST: entries[1].group_name.length at offset 176: 200 exceeds 128"},
		{"mcast msglen past end", mcastErr, with(mc, put(152, 6)), "cpg: MCAST: message at offset 184: msglen 6, have 5 bytes"},
		{"mcast msglen huge", mcastErr, with(mc, put(152, 0xffffffff)), "cpg: MCAST: message at offset 184: msglen 4294967295, have 5 bytes"},
		{"mcast no source", mcastErr, with(mc[:170], setSize(170)), "cpg: MCAST: source.nodeid at offset 168: need 8 bytes, have 2 (header.size 170)"},
		{"mcast name", mcastErr, with(mc, put(16, 300)), "cpg: MCAST: group_name.length at offset 16: 300 exceeds 128"},
		{"partial fraglen past end", partialErr, with(pm, put(160, 6)), "cpg: PARTIAL_MCAST: fragment at offset 200: fraglen 6, have 5 bytes"},
		{"partial no type", partialErr, with(pm[:180], setSize(180)), "cpg: PARTIAL_MCAST: type at offset 176: need 8 bytes, have 4 (header.size 180)"},
		{"downlist truncated", downlistErr, with(dl[:1000], setSize(1000)), "cpg: DOWNLIST: nodeids at offset 32: need 1536 bytes, have 968 (header.size 1000)"},
		{"downlist too many", downlistErr, with(dl, put(24, 385)), "cpg: DOWNLIST: left_nodes at offset 24: 385 exceeds 384"},
		{"downlist old too many", downlistOldErr, with(do, put(16, 1000)), "cpg: DOWNLIST_OLD: left_nodes at offset 16: 1000 exceeds 384"},
		{"downlist old short", downlistOldErr, with(do[:20], setSize(20)), "cpg: DOWNLIST_OLD: left_nodes at offset 16: need 8 bytes, have 4 (header.size 20)"},
	}
	for _, c := range cases {
		err := c.decode(c.msg, false)
		if err == nil {
			t.Errorf("%s: decoded", c.name)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.name, err, c.want)
		}
		if !errors.Is(err, service.ErrMalformed) {
			t.Errorf("%s: %v does not match service.ErrMalformed", c.name, err)
		}
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s: %T is not a *DecodeError", c.name, err)
		}
	}
}

func procJoinErr(m []byte, be bool) error    { _, err := DecodeProcJoin(m, be); return err }
func procLeaveErr(m []byte, be bool) error   { _, err := DecodeProcLeave(m, be); return err }
func joinListErr(m []byte, be bool) error    { _, err := DecodeJoinList(m, be); return err }
func mcastErr(m []byte, be bool) error       { _, err := DecodeMcast(m, be); return err }
func partialErr(m []byte, be bool) error     { _, err := DecodePartialMcast(m, be); return err }
func downlistErr(m []byte, be bool) error    { _, err := DecodeDownlist(m, be); return err }
func downlistOldErr(m []byte, be bool) error { _, err := DecodeDownlistOld(m, be); return err }

// A little-endian message read as big-endian is rejected by its size
// field, not misread.
func TestWrongByteOrder(t *testing.T) {
	pj, _ := ProcJoin{Group: "grpA", PID: 1}.encode(binary.LittleEndian, FnProcJoin)
	if _, err := DecodeProcJoin(pj, true); err == nil || !strings.Contains(err.Error(), "header.size") {
		t.Fatalf("LE PROCJOIN read as BE: %v", err)
	}
}

func TestNames(t *testing.T) {
	for fn := range uint16(fnCount) {
		if strings.HasPrefix(FnName(fn), "fn ") {
			t.Errorf("fn %d has no name", fn)
		}
	}
	if FnName(7) != "fn 7" || Reason(9).String() != "reason(9)" || FragType(0).String() != "type(0)" {
		t.Error("fallback names")
	}
}
