package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"
	"unsafe"
)

func caseName(i int, m Message) string {
	return fmt.Sprintf("%d-%s", i, m.MessageType())
}

// TestEncodeSizes checks every encoding against the sizes in the reference
// (57+16n, 45+len, 29, 33+4(P+F), 41+28N, 25) and against an independent
// field-by-field little-endian encoding.
func TestEncodeSizes(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			b := appendAny(nil, m)
			if len(b) != encodedSize(m) {
				t.Errorf("len = %d, want %d", len(b), encodedSize(m))
			}
			if seq := encodeSeq(binary.LittleEndian, m); !bytes.Equal(b, seq) {
				t.Errorf("offset encoder and sequential encoder differ:\n got %x\nwant %x", b, seq)
			}
			if b[0] != 0x70 || b[1] != 0xc0 || b[2] != 3 || MessageType(b[3]) != m.MessageType() {
				t.Errorf("header bytes % x", b[:4])
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			got, err := decoderFor(m.MessageType())(appendAny(nil, m))
			if err != nil {
				t.Fatal(err)
			}
			if !equalMsg(got, m) {
				t.Errorf("got %+v\nwant %+v", got, m)
			}
			gen, err := Decode(appendAny(nil, m))
			if err != nil {
				t.Fatal(err)
			}
			if !equalMsg(gen, m) {
				t.Errorf("Decode: got %+v\nwant %+v", gen, m)
			}
		})
	}
}

// TestBigEndian decodes what a big-endian corosync would send and expects
// the same struct as from the little-endian bytes.
func TestBigEndian(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			be := encodeSeq(binary.BigEndian, m)
			if be[0] != 0xc0 || be[1] != 0x70 {
				t.Fatalf("BE magic % x", be[:2])
			}
			h, isBE, err := PeekHeader(be)
			if err != nil || !isBE || h != headerOf(m) {
				t.Fatalf("PeekHeader = %+v, %v, %v; want %+v, true, nil", h, isBE, err, headerOf(m))
			}
			got, err := decoderFor(m.MessageType())(be)
			if err != nil {
				t.Fatal(err)
			}
			if !equalMsg(got, m) {
				t.Errorf("got %+v\nwant %+v", got, m)
			}
			// Re-encoding is always little-endian.
			if le := appendAny(nil, got); !bytes.Equal(le, appendAny(nil, m)) {
				t.Errorf("re-encoded % x", le)
			}
		})
	}
}

func TestBigEndianMcastPayloadUntouched(t *testing.T) {
	m := refMcast()
	var got Mcast
	if err := DecodeMcast(encodeSeq(binary.BigEndian, m), &got); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Payload, m.Payload) {
		t.Errorf("payload changed: % x", got.Payload)
	}
}

// The encoder writes the right type whatever Header.Type says.
func TestEncoderSetsType(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			want := appendAny(nil, m)
			c := normalize(m)
			setType(c, TypeUnknown)
			if got := appendAny(nil, c); !bytes.Equal(got, want) {
				t.Errorf("with Header.Type 0xff: % x", got[:4])
			}
		})
	}
}

func setType(m Message, typ MessageType) {
	switch m := m.(type) {
	case *Token:
		m.Type = typ
	case *Mcast:
		m.Type = typ
	case *MergeDetect:
		m.Type = typ
	case *Join:
		m.Type = typ
	case *CommitToken:
		m.Type = typ
	case *TokenHoldCancel:
		m.Type = typ
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			prefix := []byte("prefix")
			b := appendAny(append([]byte(nil), prefix...), m)
			if !bytes.HasPrefix(b, prefix) || !bytes.Equal(b[len(prefix):], appendAny(nil, m)) {
				t.Errorf("got % x", b)
			}
		})
	}
}

func TestTargetNodeIDCarried(t *testing.T) {
	// udp/udpu senders leave garbage here (§2.1); it must survive a round trip
	// so that re-encoding a decoded message reproduces it.
	m := refInitialToken()
	m.TargetNodeID = 0x3c2bcc9e
	var got Token
	if err := DecodeToken(AppendToken(nil, m), &got); err != nil {
		t.Fatal(err)
	}
	if got.TargetNodeID != 0x3c2bcc9e {
		t.Errorf("TargetNodeID = %#x", got.TargetNodeID)
	}
}

// Trailing bytes after a complete message are ignored (corosync's checks
// are minimum lengths only).
func TestTrailingBytesIgnored(t *testing.T) {
	for i, m := range samples() {
		if m.MessageType() == TypeMcast {
			continue // trailing bytes are payload
		}
		t.Run(caseName(i, m), func(t *testing.T) {
			b := append(appendAny(nil, m), 0xde, 0xad, 0xbe, 0xef)
			got, err := decoderFor(m.MessageType())(b)
			if err != nil {
				t.Fatal(err)
			}
			if !equalMsg(got, m) {
				t.Errorf("got %+v\nwant %+v", got, m)
			}
		})
	}
}

func TestMcastPayloadAliases(t *testing.T) {
	b := append(unhex(t, refMcastHex), make([]byte, 0, 64)...)
	var m Mcast
	if err := DecodeMcast(b, &m); err != nil {
		t.Fatal(err)
	}
	if &m.Payload[0] != &b[McastHeaderSize] {
		t.Error("payload was copied")
	}
	if cap(m.Payload) != len(m.Payload) {
		t.Errorf("payload cap %d, len %d: appending would clobber the buffer", cap(m.Payload), len(m.Payload))
	}
}

func TestMcastEmptyPayload(t *testing.T) {
	m := &Mcast{Header: Header{Encapsulated: NotEncapsulated, NodeID: 1}, SystemFrom: 1}
	b := AppendMcast(nil, m)
	if len(b) != McastHeaderSize {
		t.Fatalf("len %d", len(b))
	}
	var got Mcast
	if err := DecodeMcast(b, &got); err != nil || len(got.Payload) != 0 {
		t.Errorf("got %v, payload % x", err, got.Payload)
	}
}

// An encapsulated MCAST carries a whole old-ring MCAST datagram.
func TestMcastEncapsulated(t *testing.T) {
	inner := refMcast()
	outer := &Mcast{
		Header:     Header{Encapsulated: Encapsulated, NodeID: 1},
		SystemFrom: 1, Seq: 3, Ring: RingID{Rep: 1, Seq: 18},
		Payload: AppendMcast(nil, inner),
	}
	var o, i Mcast
	if err := DecodeMcast(AppendMcast(nil, outer), &o); err != nil {
		t.Fatal(err)
	}
	if o.Encapsulated != Encapsulated {
		t.Errorf("encapsulated = %d", o.Encapsulated)
	}
	if err := DecodeMcast(o.Payload, &i); err != nil {
		t.Fatal(err)
	}
	if !equalMsg(&i, inner) {
		t.Errorf("inner = %+v", i)
	}
}

func TestDecodeReusesSlices(t *testing.T) {
	big := AppendJoin(nil, &Join{ProcList: []NodeID{1, 2, 3, 4}, FailedList: []NodeID{5, 6}})
	small := AppendJoin(nil, &Join{ProcList: []NodeID{7}, FailedList: []NodeID{8}})
	var j Join
	if err := DecodeJoin(big, &j); err != nil {
		t.Fatal(err)
	}
	p, f := unsafe.SliceData(j.ProcList), unsafe.SliceData(j.FailedList)
	if err := DecodeJoin(small, &j); err != nil {
		t.Fatal(err)
	}
	if unsafe.SliceData(j.ProcList) != p || unsafe.SliceData(j.FailedList) != f {
		t.Error("slices were reallocated although capacity sufficed")
	}
	if len(j.ProcList) != 1 || j.ProcList[0] != 7 || len(j.FailedList) != 1 || j.FailedList[0] != 8 {
		t.Errorf("got %+v", j)
	}
}

// A failed decode leaves the destination as it was.
func TestDecodeErrorLeavesStructUnchanged(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			dst := normalize(m)
			before := normalize(dst)
			b := appendAny(nil, refInitialToken())
			if m.MessageType() == TypeORFToken {
				b = appendAny(nil, refJoin())
			}
			// Wrong type, then truncated list / fixed part.
			inputs := [][]byte{b, appendAny(nil, m)[:encodedSize(m)-1]}
			if m.MessageType() == TypeMcast {
				inputs[1] = inputs[1][:McastHeaderSize-1]
			}
			for _, in := range inputs {
				if err := decodeInto(in, dst); err == nil {
					t.Fatalf("decoding % x succeeded", in)
				}
				if !equalMsg(dst, before) {
					t.Fatalf("struct changed to %+v", dst)
				}
			}
		})
	}
}

// decodeInto decodes b into the existing struct m with its typed decoder.
func decodeInto(b []byte, m Message) error {
	switch m := m.(type) {
	case *Token:
		return DecodeToken(b, m)
	case *Mcast:
		return DecodeMcast(b, m)
	case *MergeDetect:
		return DecodeMergeDetect(b, m)
	case *Join:
		return DecodeJoin(b, m)
	case *CommitToken:
		return DecodeCommitToken(b, m)
	case *TokenHoldCancel:
		return DecodeTokenHoldCancel(b, m)
	}
	panic("decodeInto: unknown message")
}

func TestDecodeReturnsNilInterfaceOnError(t *testing.T) {
	b := unhex(t, refJoinHex)
	m, err := Decode(b[:len(b)-1])
	if err == nil || m != nil {
		t.Errorf("Decode = %#v, %v; want nil interface and an error", m, err)
	}
}

// Decoding into a reused struct and encoding into a reused buffer must not
// allocate: this is the receive and send hot path.
func TestHotPathDoesNotAllocate(t *testing.T) {
	for i, m := range samples() {
		t.Run(caseName(i, m), func(t *testing.T) {
			b := appendAny(nil, m)
			be := encodeSeq(binary.BigEndian, m)
			dst := normalize(m)
			buf := make([]byte, 0, len(b))
			allocs := testing.AllocsPerRun(50, func() {
				if decodeInto(b, dst) != nil || decodeInto(be, dst) != nil {
					panic("decode failed")
				}
				buf = appendAny(buf[:0], m)
			})
			if allocs != 0 {
				t.Errorf("%v allocs per run, want 0", allocs)
			}
		})
	}
}

func TestMessageTypeString(t *testing.T) {
	want := []string{"token", "mcast", "merge_detect", "join", "commit_token", "token_hold_cancel", "type(6)"}
	for i, w := range want {
		if got := MessageType(i).String(); got != w {
			t.Errorf("MessageType(%d) = %q, want %q", i, got, w)
		}
	}
}

func TestPutMcastHeaderShortPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for len(dst) < 45 with enough capacity")
		}
	}()
	PutMcastHeader(make([]byte, 44, 100), refMcast())
}
