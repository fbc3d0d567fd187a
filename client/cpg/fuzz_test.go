package cpg

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode feeds every body decoder arbitrary bytes: none may panic,
// every failure wraps ErrMalformed, and whatever decodes re-encodes to
// the same bytes.
func FuzzDecode(f *testing.F) {
	f.Add(byte(0), AppendJoin(nil, JoinRequest{PID: 7, Group: "g"}))
	f.Add(byte(1), AppendName(nil, "group"))
	f.Add(byte(2), AppendMcast(nil, McastRequest{Guarantee: Agreed, Msg: []byte("hello")}))
	f.Add(byte(3), AppendMcastResponse(nil, McastResponse{FlowControl: FlowControlEnabled}))
	f.Add(byte(4), AppendDelivery(nil, "g", 1, 2, []byte("m")))
	f.Add(byte(5), AppendConfchg(nil, Confchg{Group: "g", Members: []Address{{1, 2, 0}}, Joined: []Address{{1, 2, ReasonJoin}}}))
	f.Add(byte(6), AppendTotemConfchg(nil, TotemConfchg{RingRep: 1, RingSeq: 8, Members: []uint32{1, 2}}))
	f.Add(byte(7), AppendGroups(nil, []GroupMembers{{Name: "a", Members: []Address{{1, 2, 0}}}}))
	f.Add(byte(8), AppendAddrs(nil, []Address{{3, 4, 0}}))
	f.Fuzz(func(t *testing.T, which byte, b []byte) {
		var re []byte
		var err error
		switch which % 9 {
		case 0:
			var r JoinRequest
			if r, err = DecodeJoin(b); err == nil {
				re = AppendJoin(nil, r)
			}
		case 1:
			var s string
			if s, err = DecodeName(b); err == nil {
				re = AppendName(nil, s)
			}
		case 2:
			var r McastRequest
			if r, err = DecodeMcast(b); err == nil {
				re = AppendMcast(nil, r)
			}
		case 3:
			var r McastResponse
			if r, err = DecodeMcastResponse(b); err == nil {
				re = AppendMcastResponse(nil, r)
			}
		case 4:
			var d Delivery
			if d, err = DecodeDelivery(b); err == nil {
				re = AppendDelivery(nil, d.Group, d.NodeID, d.PID, d.Msg)
			}
		case 5:
			var c Confchg
			if c, err = DecodeConfchg(b); err == nil {
				re = AppendConfchg(nil, c)
			}
		case 6:
			var tc TotemConfchg
			if tc, err = DecodeTotemConfchg(b); err == nil {
				re = AppendTotemConfchg(nil, tc)
			}
		case 7:
			var gs []GroupMembers
			if gs, err = DecodeGroups(b); err == nil {
				re = AppendGroups(nil, gs)
			}
		case 8:
			var l []Address
			if l, err = DecodeAddrs(b); err == nil {
				re = AppendAddrs(nil, l)
			}
		}
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if !bytes.Equal(re, b) {
			t.Fatalf("decoder %d: %x re-encodes as %x", which%9, b, re)
		}
	})
}

func TestDecodeErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		body []byte
		dec  func([]byte) error
		want string
	}{
		{nil, func(b []byte) error { _, err := DecodeJoin(b); return err }, "cpg: join request: pid at offset 0: need 4 bytes, have 0"},
		{AppendJoin(nil, JoinRequest{Group: string(make([]byte, 129))}), func(b []byte) error { _, err := DecodeJoin(b); return err }, "group.length at offset 4: name of 129 bytes, max 128"},
		{append(AppendName(nil, "g"), 0), func(b []byte) error { _, err := DecodeName(b); return err }, "end at offset 5: 1 trailing bytes"},
		{[]byte{9, 0, 0, 0, 0, 0, 0, 0}, func(b []byte) error { _, err := DecodeMcast(b); return err }, "unknown guarantee 9"},
		{[]byte{0xff, 0xff, 0xff, 0xff}, func(b []byte) error { _, err := DecodeAddrs(b); return err }, "members.count at offset 0: 4294967295 entries cannot fit in the 0 bytes left"},
	} {
		err := tc.dec(tc.body)
		if err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.want)) || !errors.Is(err, ErrMalformed) {
			t.Errorf("%x: %v, want %q", tc.body, err, tc.want)
		}
	}
}
