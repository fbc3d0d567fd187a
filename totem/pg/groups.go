package pg

import (
	"fmt"
	"math"
)

// The group header at the start of every application message
// (totempg_groups_mcast_joined() writes it, group_matches() reads it):
//
//	u16 group_count G
//	u16 group_len[G]
//	the G names, concatenated, no NUL
//	service payload
//
// The u16 fields are in the sender's byte order.

// groupsSize returns the encoded size of the group header for groups, or an
// ErrBadGroups error if it cannot be encoded.
func groupsSize(groups []string) (int, error) {
	if len(groups) > math.MaxUint16 {
		return 0, fmt.Errorf("%w: %d groups, at most %d", ErrBadGroups, len(groups), math.MaxUint16)
	}
	n := 2 + 2*len(groups)
	for i, g := range groups {
		if len(g) > math.MaxUint16 {
			return 0, fmt.Errorf("%w: group %d is %d bytes long, at most %d", ErrBadGroups, i, len(g), math.MaxUint16)
		}
		n += len(g)
	}
	return n, nil
}

// AppendGroups appends the little-endian group header for groups to dst.
// corosync itself always sends exactly one group, "a" or "sync".
func AppendGroups(dst []byte, groups []string) ([]byte, error) {
	if _, err := groupsSize(groups); err != nil {
		return dst, err
	}
	return appendGroups(dst, groups), nil
}

// appendGroups is AppendGroups for a list already checked by groupsSize.
func appendGroups(dst []byte, groups []string) []byte {
	dst = append(dst, byte(len(groups)), byte(len(groups)>>8))
	for _, g := range groups {
		dst = append(dst, byte(len(g)), byte(len(g)>>8))
	}
	for _, g := range groups {
		dst = append(dst, g...)
	}
	return dst
}

// groupHeader checks the group header at the start of msg and returns the
// group count and the offset of the first name. The payload starts at the
// returned end offset.
func groupHeader(msg []byte, bigEndian bool) (count, names, end int, err error) {
	if len(msg) < 2 {
		return 0, 0, 0, groupErr("group_count", 0, "message has %d bytes, need 2", len(msg))
	}
	count = int(u16(msg, 0, bigEndian))
	names = 2 + 2*count
	if names > len(msg) {
		return 0, 0, 0, groupErr("group_len", 2, "group_count %d needs %d bytes of lengths, message has %d", count, 2*count, len(msg)-2)
	}
	end = names
	for i := range count {
		end += int(u16(msg, 2+2*i, bigEndian))
		if end > len(msg) {
			return 0, 0, 0, groupErr(fmt.Sprintf("group_len[%d]", i), 2+2*i, "names end at %d, message has %d bytes", end, len(msg))
		}
	}
	return count, names, end, nil
}

// SplitGroups parses the group header at the start of msg and returns the
// group names and the service payload. Both alias msg. bigEndian is the
// sender's byte order, as reported by the Totem layer; corosync byte-swaps
// the group header for such senders (group_endian_convert()).
func SplitGroups(msg []byte, bigEndian bool) (groups [][]byte, payload []byte, err error) {
	count, off, end, err := groupHeader(msg, bigEndian)
	if err != nil {
		return nil, nil, err
	}
	groups = make([][]byte, count)
	for i := range groups {
		n := int(u16(msg, 2+2*i, bigEndian))
		groups[i] = msg[off : off+n : off+n]
		off += n
	}
	return groups, msg[end:], nil
}

// MatchGroup reports whether any group listed in msg's header equals group
// exactly, as corosync's group_matches() does, and returns the service
// payload (aliasing msg). It does not allocate. A malformed header gives a
// *PacketError and ok == false.
func MatchGroup(msg []byte, group string, bigEndian bool) (payload []byte, ok bool, err error) {
	count, off, end, err := groupHeader(msg, bigEndian)
	if err != nil {
		return nil, false, err
	}
	for i := range count {
		n := int(u16(msg, 2+2*i, bigEndian))
		if string(msg[off:off+n]) == group {
			ok = true
			break
		}
		off += n
	}
	return msg[end:], ok, nil
}
