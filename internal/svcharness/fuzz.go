package svcharness

import (
	"encoding/binary"
	"reflect"
	"testing"

	"goais/service"
)

// Input reads a fuzz target's operations from its bytes; past their end it
// reads zeros.
type Input struct{ b []byte }

// NewInput reads b.
func NewInput(b []byte) *Input { return &Input{b} }

// Len is the number of bytes left.
func (in *Input) Len() int { return len(in.b) }

// Byte reads one byte.
func (in *Input) Byte() byte {
	if len(in.b) == 0 {
		return 0
	}
	v := in.b[0]
	in.b = in.b[1:]
	return v
}

// Bytes reads n bytes, or what is left if that is fewer. The result
// shares the input's memory.
func (in *Input) Bytes(n int) []byte {
	n = min(n, len(in.b))
	v := in.b[:n]
	in.b = in.b[n:]
	return v
}

// Members reads a configuration: node 1 and those of nodes 2…last whose
// bit 1<<id the next byte sets (last at most 7).
func (in *Input) Members(last service.NodeID) []service.NodeID {
	members := []service.NodeID{1}
	mask := in.Byte()
	for id := service.NodeID(2); id <= last; id++ {
		if mask&(1<<id) != 0 {
			members = append(members, id)
		}
	}
	return members
}

// Order is the byte order a message's bigEndian flag names.
func Order(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// Seeds adds to a decoder's fuzz target the message each of encs builds,
// in both byte orders, and its first half; then an empty message and
// zeros zero bytes (a lone header, or a header and an empty body).
func Seeds(f *testing.F, zeros int, encs ...func(o binary.ByteOrder) ([]byte, error)) {
	for _, be := range []bool{false, true} {
		for _, enc := range encs {
			msg, err := enc(Order(be))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(msg, be)
			f.Add(msg[:len(msg)/2], be)
		}
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, zeros), false)
}

// RoundTrip checks a value m that decode accepted from a message in the
// byte order be names: encoded again in that order it must decode to an
// equal value (reflect.DeepEqual if equal is nil).
func RoundTrip[M any](t *testing.T, m M, be bool, encode func(M, binary.ByteOrder) ([]byte, error),
	decode func([]byte, bool) (M, error), equal func(a, b M) bool) {
	t.Helper()
	if equal == nil {
		equal = func(a, b M) bool { return reflect.DeepEqual(a, b) }
	}
	again, err := encode(m, Order(be))
	if err != nil {
		t.Fatalf("re-encode %+v: %v", m, err)
	}
	if m2, err := decode(again, be); err != nil || !equal(m2, m) {
		t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
	}
}
