package votequorum

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

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

// NODEINFO is 32 bytes, the fields packed after the header (§5.5): what
// this node sends in sync, byte for byte.
func TestNodeInfoLayout(t *testing.T) {
	env := recEnv(3)
	v := New(env, Config{Votes: 1, ExpectedVotes: 3}, nil)
	v.SyncInit(nil, []service.NodeID{3}, service.RingID{Rep: 3, Seq: 4})
	v.SyncProcess()
	want := unhex(t, `00 00 05 00 00000000 20 00 00 00 00000000 |`+ // header: 5<<16|0, size 32
		`03 00 00 00 | 01 00 00 00 | 03 00 00 00 | 00 00 00 00`) // nodeid 3, votes 1, expected 3, flags 0
	if len(env.Sent) != 1 || !bytes.Equal(env.Sent[0], want) {
		t.Fatalf("NODEINFO:\n got %x\nwant %x", env.Sent, want)
	}
	if len(want) != NodeInfoSize {
		t.Fatalf("%d bytes", len(want))
	}
	// A big-endian sender's NODEINFO.
	be := unhex(t, `00 05 00 00 00000000 00 00 00 20 00000000 | 00 00 00 02 | 00 00 00 01 | 00 00 00 03 | 00 00 00 05`)
	m, err := DecodeNodeInfo(be, true)
	if err != nil || m != (NodeInfo{NodeID: 2, Votes: 1, ExpectedVotes: 3, Flags: FlagQuorate | FlagWFAStatus}) {
		t.Fatalf("big-endian: %+v, %v", m, err)
	}
	if got := m.encode(binary.BigEndian); !bytes.Equal(got, be) {
		t.Fatalf("big-endian re-encoded:\n got %x\nwant %x", got, be)
	}
}

// RECONFIGURE: nodeid @16, value @20, param u8 @24, 32 bytes; the qdevice
// messages are 280 and 528 bytes.
func TestOtherLayouts(t *testing.T) {
	msg := unhex(t, `01 00 05 00 00000000 20 00 00 00 00000000 |`+ // header: 5<<16|1, size 32
		`04 00 00 00 | 02 00 00 00 | 02 00000000000000`) // nodeid 4, value 2, param 2 (node votes)
	r, err := DecodeReconfigure(msg, false)
	if err != nil || r != (Reconfigure{NodeID: 4, Value: 2, Param: ParamNodeVotes}) {
		t.Fatalf("RECONFIGURE: %+v, %v", r, err)
	}
	if got := r.encode(binary.LittleEndian); !bytes.Equal(got, msg) {
		t.Fatalf("RECONFIGURE re-encoded:\n got %x\nwant %x", got, msg)
	}

	reg := make([]byte, 280)
	binary.LittleEndian.PutUint32(reg[0:], 5<<16|2)
	binary.LittleEndian.PutUint32(reg[8:], 280)
	binary.LittleEndian.PutUint32(reg[16:], 1)
	copy(reg[24:], "Qdevice\x00")
	q, err := DecodeQdeviceReg(reg, false)
	if err != nil || q != (QdeviceReg{Operation: 1, Name: "Qdevice"}) {
		t.Fatalf("QDEVICE_REG: %+v, %v", q, err)
	}
	if got, err := q.encode(binary.LittleEndian); err != nil || !bytes.Equal(got, reg) {
		t.Fatalf("QDEVICE_REG re-encoded (%v):\n got %x\nwant %x", err, got, reg)
	}
	// A name filling all 255 bytes has no NUL; the pad byte is not read.
	full := bytes.Clone(reg)
	copy(full[24:], strings.Repeat("n", 256))
	if q, err := DecodeQdeviceReg(full, false); err != nil || q.Name != strings.Repeat("n", 255) {
		t.Fatalf("full name: %q, %v", q.Name, err)
	}

	rc := make([]byte, 528)
	binary.LittleEndian.PutUint32(rc[0:], 5<<16|3)
	binary.LittleEndian.PutUint32(rc[8:], 528)
	copy(rc[16:], "old")
	copy(rc[272:], "new")
	qr, err := DecodeQdeviceReconfigure(rc, false)
	if err != nil || qr != (QdeviceReconfigure{OldName: "old", NewName: "new"}) {
		t.Fatalf("QDEVICE_RECONFIGURE: %+v, %v", qr, err)
	}
	if got, err := qr.encode(binary.LittleEndian); err != nil || !bytes.Equal(got, rc) {
		t.Fatalf("QDEVICE_RECONFIGURE re-encoded (%v)", err)
	}
	for _, bad := range []string{strings.Repeat("x", 256), "a\x00b"} {
		if _, err := (QdeviceReg{Name: bad}).encode(binary.LittleEndian); err == nil {
			t.Errorf("encoded name %q", bad)
		}
		if _, err := (QdeviceReconfigure{NewName: bad}).encode(binary.LittleEndian); err == nil {
			t.Errorf("encoded name %q", bad)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	ni := NodeInfo{NodeID: 1, Votes: 1, ExpectedVotes: 1}.encode(binary.LittleEndian)
	rc := Reconfigure{NodeID: 1, Value: 1, Param: 1}.encode(binary.LittleEndian)
	reg, _ := QdeviceReg{Name: "q"}.encode(binary.LittleEndian)
	rcf, _ := QdeviceReconfigure{OldName: "a", NewName: "b"}.encode(binary.LittleEndian)
	size := func(b []byte, n uint32) []byte {
		b = bytes.Clone(b)
		binary.LittleEndian.PutUint32(b[8:], n)
		return b
	}
	decoders := map[string]func([]byte, bool) error{
		"NODEINFO":            func(b []byte, be bool) error { _, err := DecodeNodeInfo(b, be); return err },
		"RECONFIGURE":         func(b []byte, be bool) error { _, err := DecodeReconfigure(b, be); return err },
		"QDEVICE_REG":         func(b []byte, be bool) error { _, err := DecodeQdeviceReg(b, be); return err },
		"QDEVICE_RECONFIGURE": func(b []byte, be bool) error { _, err := DecodeQdeviceReconfigure(b, be); return err },
	}
	tests := []struct {
		msg   string
		in    []byte
		field string
		off   int
	}{
		{"NODEINFO", nil, "header", 0},
		{"NODEINFO", ni[:15], "header", 0},
		{"NODEINFO", size(ni, 8), "header.size", 8},
		{"NODEINFO", size(ni, 33), "header.size", 8},
		{"NODEINFO", size(ni, 0x80000000), "header.size", 8},
		{"NODEINFO", size(ni, 16), "nodeid", 16},
		{"NODEINFO", size(ni, 22), "votes", 20},
		{"NODEINFO", size(ni, 31), "flags", 28},
		{"RECONFIGURE", size(rc, 20), "value", 20},
		{"RECONFIGURE", size(rc, 25), "param", 24},
		{"QDEVICE_REG", size(reg, 23), "operation", 16},
		{"QDEVICE_REG", size(reg, 279), "qdevice_name", 24},
		{"QDEVICE_RECONFIGURE", size(rcf, 200), "oldname", 16},
		{"QDEVICE_RECONFIGURE", size(rcf, 527), "newname", 272},
	}
	for _, tt := range tests {
		err := decoders[tt.msg](tt.in, false)
		var de *DecodeError
		if !errors.As(err, &de) {
			t.Errorf("%s %s: got %v, want a *DecodeError", tt.msg, tt.field, err)
			continue
		}
		if !errors.Is(err, service.ErrMalformed) {
			t.Errorf("%v does not wrap service.ErrMalformed", err)
		}
		if de.Msg != tt.msg || de.Field != tt.field || de.Offset != tt.off {
			t.Errorf("%s: got %s field %q at %d (%v), want %q at %d", tt.msg, de.Msg, de.Field, de.Offset, err, tt.field, tt.off)
		}
	}
	// Bytes after the layout, within or beyond size, are ignored.
	for name, msg := range map[string][]byte{"NODEINFO": ni, "RECONFIGURE": rc, "QDEVICE_REG": reg, "QDEVICE_RECONFIGURE": rcf} {
		longer := append(bytes.Clone(msg), 1, 2, 3)
		if err := decoders[name](longer, false); err != nil {
			t.Errorf("%s with trailing bytes: %v", name, err)
		}
		if err := decoders[name](size(longer, uint32(len(longer))), false); err != nil {
			t.Errorf("%s with a longer size: %v", name, err)
		}
	}
	if FnName(9) != "fn 9" || FnName(FnQdeviceReconfigure) != "QDEVICE_RECONFIGURE" {
		t.Error("FnName")
	}
}
