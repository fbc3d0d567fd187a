package cpg

import (
	"encoding/binary"
	"fmt"
	"strconv"
)

// JoinEntry is one process of a JOINLIST (fn 2): 144 bytes,
// pid u32 (+4 pad) at 0 and group_name at 8.
type JoinEntry struct {
	PID   uint32
	Group string
}

// JOINLIST starts with the 24-byte response header (id, size, error),
// then n entries. Receivers iterate while the offset is below header.size,
// so the size must be exactly 24 + 144·n.
var joinListLayout = []field{
	{"header", 0, 16},
	{"header.error", 16, 8},
}

// JoinListBody encodes the body of a JOINLIST for Env.Mcast: the error
// field of the response header (0), then the entries. Env.Mcast writes the
// first 16 header bytes, size included.
func JoinListBody(entries []JoinEntry) ([]byte, error) {
	b, err := encodeJoinList(binary.LittleEndian, entries)
	if err != nil {
		return nil, err
	}
	return b[16:], nil
}

func encodeJoinList(o binary.ByteOrder, entries []JoinEntry) ([]byte, error) {
	for i, e := range entries {
		if err := checkName(e.Group); err != nil {
			return nil, fmt.Errorf("joinlist entry %d: %w", i, err)
		}
	}
	w := newWriter(o, FnJoinList, JoinListHeader+JoinEntrySize*len(entries))
	for i, e := range entries {
		off := JoinListHeader + JoinEntrySize*i
		w.u32(off, e.PID)
		w.name(off+8, e.Group)
	}
	return w.b, nil
}

// DecodeJoinList decodes a JOINLIST message (header included).
func DecodeJoinList(msg []byte, bigEndian bool) ([]JoinEntry, error) {
	r, err := open("JOINLIST", msg, bigEndian, joinListLayout)
	if err != nil {
		return nil, err
	}
	n := len(r.msg) - JoinListHeader
	if n%JoinEntrySize != 0 {
		return nil, decodeErr("JOINLIST", "header.size", 8, "%d is not 24 + 144·n", len(r.msg))
	}
	entries := make([]JoinEntry, n/JoinEntrySize)
	for i := range entries {
		off := JoinListHeader + JoinEntrySize*i
		group, err := r.name("entries["+strconv.Itoa(i)+"].", off+8)
		if err != nil {
			return nil, err
		}
		entries[i] = JoinEntry{PID: r.u32(off), Group: group}
	}
	return entries, nil
}
