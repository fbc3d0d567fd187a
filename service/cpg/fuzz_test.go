package cpg

import (
	"encoding/binary"
	"reflect"
	"testing"

	"goais/service"
)

// Every decoder gets the same treatment: it must not panic, and what it
// accepts must encode again (in the same byte order) to a message that
// decodes to the same value.

func order(be bool) binary.ByteOrder {
	if be {
		return binary.BigEndian
	}
	return binary.LittleEndian
}

// seeds adds a valid message in both byte orders, truncations of it and a
// few lone headers.
func seeds(f *testing.F, enc func(o binary.ByteOrder) ([]byte, error)) {
	for _, be := range []bool{false, true} {
		msg, err := enc(order(be))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(msg, be)
		f.Add(msg[:len(msg)/2], be)
	}
	f.Add([]byte{}, false)
	f.Add(make([]byte, 16), false)
}

func FuzzDecodeProcJoin(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return ProcJoin{Group: "grpA", PID: 14307, Reason: ReasonJoin}.encode(o, FnProcJoin)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		for _, dec := range []func([]byte, bool) (ProcJoin, error){DecodeProcJoin, DecodeProcLeave} {
			m, err := dec(msg, be)
			if err != nil {
				continue
			}
			again, err := m.encode(order(be), FnProcJoin)
			if err != nil {
				t.Fatalf("re-encode %+v: %v", m, err)
			}
			if m2, err := dec(again, be); err != nil || m2 != m {
				t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
			}
		}
	})
}

func FuzzDecodeJoinList(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return encodeJoinList(o, []JoinEntry{{PID: 1, Group: "a"}, {PID: 2, Group: "grpB"}})
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		es, err := DecodeJoinList(msg, be)
		if err != nil {
			return
		}
		again, err := encodeJoinList(order(be), es)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if es2, err := DecodeJoinList(again, be); err != nil || !reflect.DeepEqual(es2, es) {
			t.Fatalf("round trip: %+v -> %+v, %v", es, es2, err)
		}
	})
}

func FuzzDecodeMcast(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return Mcast{Group: "grpA", PID: 7, Source: 2, Msg: []byte("hello-from-r2")}.encode(o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeMcast(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if m2, err := DecodeMcast(again, be); err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodePartialMcast(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return PartialMcast{Group: "grpA", MsgLen: 10, PID: 7, Type: FragFirst, Source: 2, Fragment: []byte("hello")}.encode(o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodePartialMcast(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if m2, err := DecodePartialMcast(again, be); err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeDownlist(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return Downlist{OldMembers: 3, Left: []service.NodeID{2}}.encode(o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeDownlist(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if m2, err := DecodeDownlist(again, be); err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}

func FuzzDecodeDownlistOld(f *testing.F) {
	seeds(f, func(o binary.ByteOrder) ([]byte, error) {
		return DownlistOld{Left: []service.NodeID{2, 3}}.encode(o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		m, err := DecodeDownlistOld(msg, be)
		if err != nil {
			return
		}
		again, err := m.encode(order(be))
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if m2, err := DecodeDownlistOld(again, be); err != nil || !reflect.DeepEqual(m2, m) {
			t.Fatalf("round trip: %+v -> %+v, %v", m, m2, err)
		}
	})
}
