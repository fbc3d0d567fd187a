package totem

import "slices"

// The membership lists are small (at most 384 entries) and keep insertion
// order like corosync's arrays, so plain slices with linear scans are the
// right tool. Comparisons treat them as sets.

func contains(s []NodeID, id NodeID) bool { return slices.Contains(s, id) }

// merge appends to dst the ids of src it does not hold yet (memb_set_merge).
func merge(dst []NodeID, src ...NodeID) []NodeID {
	for _, id := range src {
		if !contains(dst, id) {
			dst = append(dst, id)
		}
	}
	return dst
}

// subset reports whether every id of a is in b (memb_set_subset).
func subset(a, b []NodeID) bool {
	for _, id := range a {
		if !contains(b, id) {
			return false
		}
	}
	return true
}

// setEqual compares as sets; lists never hold duplicates (memb_set_equal).
func setEqual(a, b []NodeID) bool {
	return len(a) == len(b) && subset(a, b)
}

// subtract returns a − b in a's order (memb_set_subtract).
func subtract(a, b []NodeID) []NodeID {
	var out []NodeID
	for _, id := range a {
		if !contains(b, id) {
			out = append(out, id)
		}
	}
	return out
}

// dedup removes repeated ids in place, keeping first occurrences. Join
// lists from the network may repeat ids; corosync would count them twice.
func dedup(s []NodeID) []NodeID {
	out := s[:0]
	for i, id := range s {
		if !slices.Contains(s[:i], id) {
			out = append(out, id)
		}
	}
	return out
}

func sortNodes(s []NodeID) { slices.Sort(s) }
