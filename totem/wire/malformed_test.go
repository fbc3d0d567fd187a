package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
)

var sentinels = []error{ErrShort, ErrBadMagic, ErrBadVersion, ErrBadType, ErrTooMany, ErrWrongType}

// minimal returns the smallest valid encoding of each type (empty lists,
// empty payload).
func minimal() map[MessageType][]byte {
	h := Header{NodeID: 1}
	return map[MessageType][]byte{
		TypeORFToken:        AppendToken(nil, &Token{Header: h}),
		TypeMcast:           AppendMcast(nil, &Mcast{Header: h}),
		TypeMergeDetect:     AppendMergeDetect(nil, &MergeDetect{Header: h}),
		TypeJoin:            AppendJoin(nil, &Join{Header: h}),
		TypeCommitToken:     AppendCommitToken(nil, &CommitToken{Header: h}),
		TypeTokenHoldCancel: AppendTokenHoldCancel(nil, &TokenHoldCancel{Header: h}),
	}
}

func with(b []byte, off int, v ...byte) []byte {
	c := append([]byte(nil), b...)
	copy(c[off:], v)
	return c
}

func u32le(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

type badCase struct {
	name  string
	typ   MessageType // decoder to run; TypeUnknown runs PeekHeader and Decode
	b     []byte
	err   error
	field string
	off   int
}

func badCases() []badCase {
	var cs []badCase
	add := func(c badCase) { cs = append(cs, c) }
	for typ := TypeORFToken; typ <= TypeTokenHoldCancel; typ++ {
		v := minimal()[typ]
		for _, magic := range [][]byte{{0, 0}, {0x70, 0x70}, {0xc0, 0xc0}, {0x07, 0x0c}, {0xc0, 0x71}} {
			add(badCase{fmt.Sprintf("%s magic % x", typ, magic), typ, with(v, 0, magic...), ErrBadMagic, "magic", 0})
		}
		for _, ver := range []byte{0, 2, 4, 255} {
			add(badCase{fmt.Sprintf("%s version %d", typ, ver), typ, with(v, 2, ver), ErrBadVersion, "version", 2})
		}
		for bad := 6; bad <= 255; bad++ {
			add(badCase{fmt.Sprintf("%s type %d", typ, bad), typ, with(v, 3, byte(bad)), ErrBadType, "type", 3})
		}
		for other := TypeORFToken; other <= TypeTokenHoldCancel; other++ {
			if other != typ {
				// A complete message of the other type, so that only the type is wrong.
				add(badCase{fmt.Sprintf("%s given %s", typ, other), typ, minimal()[other], ErrWrongType, "type", 3})
			}
		}
	}
	// The generic entry points see the same header errors.
	tok := minimal()[TypeORFToken]
	for bad := 6; bad <= 255; bad += 7 {
		add(badCase{fmt.Sprintf("header type %d", bad), TypeUnknown, with(tok, 3, byte(bad)), ErrBadType, "type", 3})
	}
	add(badCase{"header magic", TypeUnknown, with(tok, 0, 0x70, 0x70), ErrBadMagic, "magic", 0})
	add(badCase{"header version", TypeUnknown, with(tok, 2, 2), ErrBadVersion, "version", 2})
	add(badCase{"header empty", TypeUnknown, nil, ErrShort, "magic", 0})
	add(badCase{"header 12 bytes", TypeUnknown, tok[:12], ErrShort, "target_nodeid", 9})

	// Counts over the limits: rejected before looking at the length.
	for _, n := range []uint32{RetransmitEntriesMax + 1, 1000, 1 << 31, 0xFFFFFFFF} {
		add(badCase{fmt.Sprintf("token rtr_list_entries %d", n), TypeORFToken, with(tok, 53, u32le(n)...), ErrTooMany, "rtr_list_entries", 53})
	}
	join := minimal()[TypeJoin]
	commit := minimal()[TypeCommitToken]
	for _, n := range []uint32{ProcessorsMax + 1, 0x10000, 0xFFFFFFFF} {
		add(badCase{fmt.Sprintf("join proc %d", n), TypeJoin, with(join, 17, u32le(n)...), ErrTooMany, "proc_list_entries", 17})
		add(badCase{fmt.Sprintf("join failed %d", n), TypeJoin, with(join, 21, u32le(n)...), ErrTooMany, "failed_list_entries", 21})
		add(badCase{fmt.Sprintf("commit addr %d", n), TypeCommitToken, with(commit, 37, u32le(n)...), ErrTooMany, "addr_entries", 37})
		add(badCase{fmt.Sprintf("generic join proc %d", n), TypeUnknown, with(join, 17, u32le(n)...), ErrTooMany, "proc_list_entries", 17})
	}

	// Counts within the limits that claim more entries than the bytes hold.
	for _, n := range []uint32{1, 2, RetransmitEntriesMax} {
		add(badCase{fmt.Sprintf("token rtr %d missing", n), TypeORFToken, with(tok, 53, u32le(n)...), ErrShort, "rtr_list", 57})
	}
	add(badCase{"token rtr 2 of 1", TypeORFToken, append(with(tok, 53, u32le(2)...), make([]byte, 16)...), ErrShort, "rtr_list", 57})
	add(badCase{"token rtr entry cut", TypeORFToken, append(with(tok, 53, u32le(1)...), make([]byte, 15)...), ErrShort, "rtr_list", 57})
	add(badCase{"join proc 2 of 1", TypeJoin, append(with(join, 17, u32le(2)...), 1, 0, 0, 0), ErrShort, "proc_list", 33})
	add(badCase{"join proc max missing", TypeJoin, with(join, 17, u32le(ProcessorsMax)...), ErrShort, "proc_list", 33})
	add(badCase{"join failed 1 of 0", TypeJoin, append(with(join, 17, 1, 0, 0, 0, 1, 0, 0, 0), 1, 0, 0, 0), ErrShort, "failed_list", 37})
	add(badCase{"join failed cut", TypeJoin, append(with(join, 17, 1, 0, 0, 0, 1, 0, 0, 0), 1, 0, 0, 0, 2, 0, 0), ErrShort, "failed_list", 37})
	add(badCase{"commit addr 2 of 1", TypeCommitToken, append(with(commit, 37, u32le(2)...), 1, 0, 0, 0), ErrShort, "addr", 41})
	add(badCase{"commit memb missing", TypeCommitToken, append(with(commit, 37, u32le(1)...), 1, 0, 0, 0), ErrShort, "memb_list", 45})
	add(badCase{"commit memb cut", TypeCommitToken, append(with(commit, 37, u32le(1)...), make([]byte, 4+23)...), ErrShort, "memb_list", 45})
	add(badCase{"commit memb 2 of 1", TypeCommitToken, append(with(commit, 37, u32le(2)...), make([]byte, 8+24)...), ErrShort, "memb_list", 49})
	return cs
}

func runDecoders(c badCase) []error {
	if c.typ == TypeUnknown {
		_, _, e1 := PeekHeader(c.b)
		m, e2 := Decode(c.b)
		if e1 == nil && e2 == nil {
			return []error{nil}
		}
		if e2 != nil && m != nil {
			return []error{fmt.Errorf("Decode returned %T with error %v", m, e2)}
		}
		if e1 == nil { // the header is fine, only the body is bad
			return []error{e2}
		}
		return []error{e1, e2}
	}
	_, err := decoderFor(c.typ)(c.b)
	return []error{err}
}

func TestMalformed(t *testing.T) {
	for _, c := range badCases() {
		t.Run(c.name, func(t *testing.T) {
			for _, err := range runDecoders(c) {
				checkDecodeError(t, err, c.err, c.field, c.off)
			}
		})
	}
}

func checkDecodeError(t *testing.T, err, sentinel error, field string, off int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", sentinel)
	}
	for _, s := range sentinels {
		if errors.Is(err, s) != (s == sentinel) {
			t.Errorf("errors.Is(%v, %v) = %v", err, s, !(s == sentinel))
		}
	}
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("%v is not a *DecodeError", err)
	}
	if de.Field != field || de.Offset != off {
		t.Errorf("field %q at %d, want %q at %d (%v)", de.Field, de.Offset, field, off, err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "totem/wire: ") || !strings.Contains(msg, " "+field+" at offset ") {
		t.Errorf("message %q does not name field %q", msg, field)
	}
}

// Every truncation of every valid message is ErrShort, and the error points
// at the first field that does not fit.
func TestTruncated(t *testing.T) {
	for i, m := range append(samples(), refMcast(), refJoin(), refCommit(), refInitialToken()) {
		full := appendAny(nil, m)
		end := len(full)
		if m.MessageType() == TypeMcast {
			end = McastHeaderSize // anything longer is a valid shorter payload
		}
		for n := range end {
			t.Run(fmt.Sprintf("%s/%d", caseName(i, m), n), func(t *testing.T) {
				_, err := decoderFor(m.MessageType())(full[:n])
				var de *DecodeError
				if !errors.As(err, &de) || !errors.Is(err, ErrShort) {
					t.Fatalf("err = %v, want ErrShort", err)
				}
				if de.Offset > n || int64(n-de.Offset) != de.Have || de.Have >= de.Need {
					t.Errorf("%v: inconsistent with length %d", err, n)
				}
				if de.Type != m.MessageType() {
					t.Errorf("Type = %v", de.Type)
				}
			})
		}
	}
}

func TestDecodeErrorMessages(t *testing.T) {
	join := unhex(t, refJoinHex)
	tok := minimal()[TypeORFToken]
	tests := []struct {
		err  error
		want string
	}{
		{decodeErr(DecodeJoin, join[:37]), "totem/wire: join: proc_list at offset 33: need 8 bytes, have 4"},
		{decodeErr(DecodeJoin, join[:40]), "totem/wire: join: proc_list at offset 33: need 8 bytes, have 7"},
		{decodeErr(DecodeJoin, join[:30]), "totem/wire: join: ring_seq at offset 25: need 8 bytes, have 5"},
		{decodeErr(DecodeToken, with(tok, 53, 31)), "totem/wire: token: rtr_list_entries at offset 53: 31 entries, max 30"},
		{decodeErr(DecodeToken, with(tok, 53, 0xff, 0xff, 0xff, 0xff)), "totem/wire: token: rtr_list_entries at offset 53: 4294967295 entries, max 30"},
		{decodeErr(DecodeToken, join), "totem/wire: token: type at offset 3: got join (3), want token (0)"},
		{decodeErr(DecodeToken, with(tok, 0, 0x12, 0x34)), "totem/wire: token: magic at offset 0: bad magic 12 34, want 70 c0 (little-endian) or c0 70 (big-endian)"},
		{decodeErr(DecodeMcast, tok[:1]), "totem/wire: mcast: magic at offset 0: need 2 bytes, have 1"},
		{peekErr(with(tok, 2, 2)), "totem/wire: header: version at offset 2: unsupported version 2, want 3"},
		{peekErr(with(tok, 3, 6)), "totem/wire: header: type at offset 3: unknown type 6, max 5"},
		{peekErr(tok[:12]), "totem/wire: header: target_nodeid at offset 9: need 4 bytes, have 3"},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got  %v\nwant %s", tt.err, tt.want)
		}
	}
}

func decodeErr[T any](dec func([]byte, *T) error, b []byte) error {
	var m T
	return dec(b, &m)
}

func peekErr(b []byte) error {
	_, _, err := PeekHeader(b)
	return err
}

// Counts in a big-endian message are swapped before they are checked: a
// count of 2 read unswapped would be 0x02000000 and fail as ErrTooMany.
func TestBigEndianCounts(t *testing.T) {
	be := encodeSeq(binary.BigEndian, refJoin())
	_, err := decoderFor(TypeJoin)(be[:len(be)-1])
	checkDecodeError(t, err, ErrShort, "proc_list", 33)

	be = encodeSeq(binary.BigEndian, &Join{ProcList: make([]NodeID, ProcessorsMax)})
	binary.BigEndian.PutUint32(be[17:], ProcessorsMax+1)
	_, err = decoderFor(TypeJoin)(be)
	checkDecodeError(t, err, ErrTooMany, "proc_list_entries", 17)

	be = encodeSeq(binary.BigEndian, refCommit())
	_, err = decoderFor(TypeCommitToken)(be[:len(be)-24])
	checkDecodeError(t, err, ErrShort, "memb_list", 49)
}
