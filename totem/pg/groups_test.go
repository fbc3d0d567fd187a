package pg

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestAppendGroupsWire(t *testing.T) {
	// Reference §4: the two groups corosync uses, as seen on the wire.
	tests := []struct {
		groups []string
		want   []byte
	}{
		{[]string{"a"}, []byte{0x01, 0x00, 0x01, 0x00, 0x61}},
		{[]string{"sync"}, []byte{0x01, 0x00, 0x04, 0x00, 0x73, 0x79, 0x6e, 0x63}},
		{nil, []byte{0x00, 0x00}},
		{[]string{"a", "sync", ""}, []byte{0x03, 0x00, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 'a', 's', 'y', 'n', 'c'}},
	}
	for _, tt := range tests {
		got, err := AppendGroups([]byte{0xee}, tt.groups)
		if err != nil {
			t.Fatalf("AppendGroups(%q): %v", tt.groups, err)
		}
		if !bytes.Equal(got[1:], tt.want) || got[0] != 0xee {
			t.Errorf("AppendGroups(%q) = % x, want ee % x", tt.groups, got, tt.want)
		}
		n, _ := groupsSize(tt.groups)
		if n != len(tt.want) {
			t.Errorf("groupsSize(%q) = %d, want %d", tt.groups, n, len(tt.want))
		}
	}
}

func TestAppendGroupsInvalid(t *testing.T) {
	if _, err := AppendGroups(nil, make([]string, 1<<16)); !errors.Is(err, ErrBadGroups) {
		t.Errorf("65536 groups: err = %v, want ErrBadGroups", err)
	}
	if _, err := AppendGroups(nil, []string{"a", strings.Repeat("x", 1<<16)}); !errors.Is(err, ErrBadGroups) {
		t.Errorf("65536-byte name: err = %v, want ErrBadGroups", err)
	}
	dst := []byte{1, 2}
	got, _ := AppendGroups(dst, make([]string, 1<<16))
	if !bytes.Equal(got, dst) {
		t.Errorf("failed AppendGroups changed dst to % x", got)
	}
}

func TestSplitAndMatchGroups(t *testing.T) {
	payload := []byte("service payload")
	for _, be := range []bool{false, true} {
		msg := groupMsg(be, payload, "a", "sync", "")
		groups, pl, err := SplitGroups(msg, be)
		if err != nil {
			t.Fatalf("be=%v: SplitGroups: %v", be, err)
		}
		if len(groups) != 3 || string(groups[0]) != "a" || string(groups[1]) != "sync" || len(groups[2]) != 0 {
			t.Errorf("be=%v: groups = %q", be, groups)
		}
		if !bytes.Equal(pl, payload) {
			t.Errorf("be=%v: payload = %q", be, pl)
		}
		for _, g := range []string{"a", "sync", ""} {
			pl, ok, err := MatchGroup(msg, g, be)
			if err != nil || !ok || !bytes.Equal(pl, payload) {
				t.Errorf("be=%v: MatchGroup(%q) = %q, %v, %v", be, g, pl, ok, err)
			}
		}
		for _, g := range []string{"b", "syn", "sync2", "A"} {
			if _, ok, err := MatchGroup(msg, g, be); ok || err != nil {
				t.Errorf("be=%v: MatchGroup(%q) = %v, %v, want no match", be, g, ok, err)
			}
		}
	}
	// Appending to a returned group name must not clobber the next one.
	msg := groupMsg(false, nil, "a", "b")
	groups, _, _ := SplitGroups(msg, false)
	_ = append(groups[0], 'X')
	if string(groups[1]) != "b" {
		t.Errorf("append to groups[0] overwrote groups[1]: %q", groups[1])
	}
}

func TestGroupHeaderMalformed(t *testing.T) {
	tests := []struct {
		name  string
		msg   []byte
		field string
	}{
		{"empty", nil, "group_count"},
		{"one byte", []byte{1}, "group_count"},
		{"count beyond end", []byte{2, 0, 1, 0}, "group_len"},
		{"name beyond end", []byte{1, 0, 5, 0, 'a', 'b'}, "group_len[0]"},
		{"second name beyond end", []byte{2, 0, 1, 0, 2, 0, 'a', 'b'}, "group_len[1]"},
	}
	for _, tt := range tests {
		for _, call := range []string{"SplitGroups", "MatchGroup"} {
			var err error
			if call == "SplitGroups" {
				_, _, err = SplitGroups(tt.msg, false)
			} else {
				_, _, err = MatchGroup(tt.msg, "a", false)
			}
			var pe *PacketError
			if !errors.Is(err, ErrMalformed) || !errors.As(err, &pe) {
				t.Errorf("%s: %s err = %v, want *PacketError", tt.name, call, err)
				continue
			}
			if pe.Field != tt.field || pe.Part != "group header" || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("%s: %s err = %v (field %q), want field %q", tt.name, call, err, pe.Field, tt.field)
			}
		}
	}
	// Big-endian: 00 02 is two groups, which do not fit.
	if _, _, err := SplitGroups([]byte{0, 2, 0, 1}, true); !errors.Is(err, ErrMalformed) {
		t.Errorf("BE count 2: err = %v", err)
	}
	// 01 00 | 00 00 is one empty group in LE, but 256 groups in BE.
	if _, _, err := SplitGroups([]byte{1, 0, 0, 0}, false); err != nil {
		t.Errorf("LE one empty group: %v", err)
	}
	if _, _, err := SplitGroups([]byte{1, 0, 0, 0}, true); !errors.Is(err, ErrMalformed) {
		t.Errorf("BE 256 groups: err = %v", err)
	}
}

func TestMatchGroupAllocs(t *testing.T) {
	msg := groupMsg(false, make([]byte, 100), "sync", "a")
	allocs := testing.AllocsPerRun(100, func() {
		if _, ok, err := MatchGroup(msg, "a", false); !ok || err != nil {
			t.Fatal("no match")
		}
	})
	if allocs != 0 {
		t.Errorf("MatchGroup allocates %v times", allocs)
	}
}
