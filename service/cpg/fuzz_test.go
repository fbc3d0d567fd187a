package cpg

import (
	"encoding/binary"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
)

// Every decoder gets the same treatment: it must not panic, and what it
// accepts must encode again (in the same byte order) to a message that
// decodes to the same value.

func FuzzDecodeProcJoin(f *testing.F) {
	encode := func(m ProcJoin, o binary.ByteOrder) ([]byte, error) { return m.encode(o, FnProcJoin) }
	svcharness.Seeds(f, 16, func(o binary.ByteOrder) ([]byte, error) {
		return encode(ProcJoin{Group: "grpA", PID: 14307, Reason: ReasonJoin}, o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		for _, dec := range []func([]byte, bool) (ProcJoin, error){DecodeProcJoin, DecodeProcLeave} {
			if m, err := dec(msg, be); err == nil {
				svcharness.RoundTrip(t, m, be, encode, dec, nil)
			}
		}
	})
}

func FuzzDecodeJoinList(f *testing.F) {
	encode := func(es []JoinEntry, o binary.ByteOrder) ([]byte, error) { return encodeJoinList(o, es) }
	svcharness.Seeds(f, 16, func(o binary.ByteOrder) ([]byte, error) {
		return encode([]JoinEntry{{PID: 1, Group: "a"}, {PID: 2, Group: "grpB"}}, o)
	})
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if es, err := DecodeJoinList(msg, be); err == nil {
			svcharness.RoundTrip(t, es, be, encode, DecodeJoinList, nil)
		}
	})
}

func FuzzDecodeMcast(f *testing.F) {
	svcharness.Seeds(f, 16, Mcast{Group: "grpA", PID: 7, Source: 2, Msg: []byte("hello-from-r2")}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeMcast(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, Mcast.encode, DecodeMcast, nil)
		}
	})
}

func FuzzDecodePartialMcast(f *testing.F) {
	svcharness.Seeds(f, 16, PartialMcast{Group: "grpA", MsgLen: 10, PID: 7, Type: FragFirst, Source: 2, Fragment: []byte("hello")}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodePartialMcast(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, PartialMcast.encode, DecodePartialMcast, nil)
		}
	})
}

func FuzzDecodeDownlist(f *testing.F) {
	svcharness.Seeds(f, 16, Downlist{OldMembers: 3, Left: []service.NodeID{2}}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeDownlist(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, Downlist.encode, DecodeDownlist, nil)
		}
	})
}

func FuzzDecodeDownlistOld(f *testing.F) {
	svcharness.Seeds(f, 16, DownlistOld{Left: []service.NodeID{2, 3}}.encode)
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := DecodeDownlistOld(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, DownlistOld.encode, DecodeDownlistOld, nil)
		}
	})
}
