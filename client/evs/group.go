package evs

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strconv"
)

// Group is an EVS group: a 32-byte binary key, compared whole.
type Group [GroupSize]byte

// NewGroup makes the group whose key is name padded with zero bytes, as
// openais's test programs wrote { "key1" }. A name longer than 32 bytes is
// an error.
func NewGroup(name string) (Group, error) {
	var g Group
	if len(name) > GroupSize {
		return g, fmt.Errorf("evs: group name %q is %d bytes, at most %d fit: %w", name, len(name), GroupSize, ErrInvalidParam)
	}
	copy(g[:], name)
	return g, nil
}

// MustGroup is NewGroup for names known to fit; it panics on a longer one.
func MustGroup(name string) Group {
	g, err := NewGroup(name)
	if err != nil {
		panic(err)
	}
	return g
}

// String shows a key made by NewGroup from printable text as that text,
// quoted if it holds a space or a quote, and any other key in hex.
func (g Group) String() string {
	name := bytes.TrimRight(g[:], "\x00")
	if len(name) == 0 || !printable(name) {
		return hex.EncodeToString(g[:])
	}
	if bytes.ContainsAny(name, " \"") {
		return strconv.Quote(string(name))
	}
	return string(name)
}

// printable reports whether b is all printable ASCII (no zero bytes).
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
