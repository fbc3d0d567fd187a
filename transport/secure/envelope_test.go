package secure

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"goais/transport"
)

// hkdfByHand is RFC 5869 HKDF-SHA256 written out with HMAC, for outputs of
// at most 32 bytes, so that the key derivation is checked against the
// specification rather than against the library it calls.
func hkdfByHand(secret []byte, salt, info string, n int) []byte {
	ext := hmac.New(sha256.New, []byte(salt))
	ext.Write(secret)
	prk := ext.Sum(nil)
	exp := hmac.New(sha256.New, prk)
	exp.Write([]byte(info))
	exp.Write([]byte{1})
	return exp.Sum(nil)[:n]
}

// TestEnvelopeLayout builds the envelope of one datagram from the
// documented layout and key derivation, with the standard library's
// AES-GCM, and compares it with what Send produces byte for byte.
func TestEnvelopeLayout(t *testing.T) {
	material := testMaterial(128, 1)
	salt := [saltSize]byte{1, 2, 3, 4, 5, 6, 7, 8}
	const nodeID, start = 0x01020304, 0x1122334455667788
	end := (&fakeNet{}).attach(nodeID)
	end.record = true
	k, err := NewKey(material)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := newTransport(Config{Inner: end, Key: k, NodeID: nodeID, Start: start}, salt)
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("a Totem datagram")
	if err := tr.Send([]transport.Datagram{{To: 0, Data: msg}}); err != nil {
		t.Fatal(err)
	}

	hdr := []byte{1, 0x04, 0x03, 0x02, 0x01, 1, 2, 3, 4, 5, 6, 7, 8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}
	info := append([]byte("datagram key"), 0x04, 0x03, 0x02, 0x01)
	info = append(info, salt[:]...)
	block, err := aes.NewCipher(hkdfByHand(material, "goais secauth v1", string(info), 32))
	if err != nil {
		t.Fatal(err)
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := binary.LittleEndian.AppendUint64(nil, start)
	nonce = append(nonce, 0, 0, 0, 0)
	want := gcm.Seal(bytes.Clone(hdr), nonce, msg, hdr)

	got := end.sent()[0]
	if !bytes.Equal(got, want) {
		t.Fatalf("sealed datagram\n%x\nwant\n%x", got, want)
	}
	if len(got) != len(msg)+Overhead || HeaderSize != 21 || Overhead != 37 {
		t.Fatalf("overhead %d, HeaderSize %d, Overhead %d; want 37, 21, 37", len(got)-len(msg), HeaderSize, Overhead)
	}
	if fp := hkdfByHand(material, "goais secauth v1", "fingerprint", 8); k.Fingerprint() != string(hexOf(fp)) {
		t.Fatalf("fingerprint %s, want %x", k.Fingerprint(), fp)
	}
}

func hexOf(b []byte) []byte {
	const digits = "0123456789abcdef"
	var out []byte
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return out
}

// recvOne delivers data to n and reports whether Recv accepted it, and
// which drop counter moved (exactly one must, if it was dropped).
func recvOne(t *testing.T, n *node, data []byte) (accepted bool, counter string) {
	t.Helper()
	before := n.Stats()
	n.end.inject(n.end.addr, data)
	got := n.recvAll(t)
	after := n.Stats()
	moved := map[string]uint64{
		"BadDigest":     after.BadDigest - before.BadDigest,
		"ShortEnvelope": after.ShortEnvelope - before.ShortEnvelope,
		"Plaintext":     after.Plaintext - before.Plaintext,
		"Replayed":      after.Replayed - before.Replayed,
	}
	var sum uint64
	for name, d := range moved {
		sum += d
		if d == 1 {
			counter = name
		}
	}
	switch {
	case len(got) == 1 && sum == 0:
		return true, ""
	case len(got) == 0 && sum == 1:
		return false, counter
	}
	t.Fatalf("received %d datagrams, drop counters moved %v: want exactly one outcome", len(got), moved)
	return false, ""
}

// TestEveryBitFlipIsRejected flips each bit of a sealed datagram (header,
// ciphertext and tag) in turn: every one fails authentication, and the
// receiver still accepts the original afterwards.
func TestEveryBitFlipIsRejected(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	sealed := sealOne(t, a, 2, payload(40, 9))
	b.drainInner()
	for bit := range len(sealed) * 8 {
		d := bytes.Clone(sealed)
		d[bit/8] ^= 1 << (bit % 8)
		if ok, c := recvOne(t, b, d); ok || c != "BadDigest" {
			t.Fatalf("bit %d (byte %d) flipped: accepted %v, counted in %q; want dropped as BadDigest", bit, bit/8, ok, c)
		}
	}
	if ok, c := recvOne(t, b, sealed); !ok {
		t.Fatalf("the original after the flips: dropped as %s", c)
	}
}

// TestTruncationIsRejected cuts a sealed datagram to every shorter length:
// below Overhead+1 bytes it is a ShortEnvelope, above a BadDigest.
func TestTruncationIsRejected(t *testing.T) {
	var fn fakeNet
	a, b := newNode(t, &fn, 1), newNode(t, &fn, 2)
	sealed := sealOne(t, a, 2, payload(64, 3))
	b.drainInner()
	for n := range len(sealed) {
		want := "BadDigest"
		if n < Overhead+1 {
			want = "ShortEnvelope"
		}
		if ok, c := recvOne(t, b, sealed[:n]); ok || c != want {
			t.Fatalf("truncated to %d bytes: accepted %v, counted in %q; want %s", n, ok, c, want)
		}
	}
	// A one-byte payload is the shortest datagram accepted.
	one := sealOne(t, a, 2, []byte{7})
	b.drainInner()
	if ok, c := recvOne(t, b, one); !ok {
		t.Fatalf("a sealed 1-byte payload: dropped as %s", c)
	}
}

// TestPlaintextTotemIsReported: datagrams starting with the Totem magic in
// either byte order are counted as Plaintext (and logged so); a plaintext
// datagram shorter than an envelope is just short.
func TestPlaintextTotemIsReported(t *testing.T) {
	var fn fakeNet
	b := newNode(t, &fn, 2)
	for _, magic := range [][]byte{{0x70, 0xc0}, {0xc0, 0x70}} {
		d := append(bytes.Clone(magic), payload(80, 1)...)
		if ok, c := recvOne(t, b, d); ok || c != "Plaintext" {
			t.Fatalf("plaintext % x...: accepted %v, counted in %q; want Plaintext", magic, ok, c)
		}
	}
	if ok, c := recvOne(t, b, []byte{0x70, 0xc0, 0, 1}); ok || c != "ShortEnvelope" {
		t.Fatalf("short plaintext: accepted %v, counted in %q; want ShortEnvelope", ok, c)
	}
	if l := b.log.lines("Received a plaintext datagram, but secauth is on here"); len(l) != 1 {
		t.Fatalf("plaintext log lines %q, want 1 (rate limited)", l)
	}
}

// TestParse checks the decoder's verdicts on hand-made headers.
func TestParse(t *testing.T) {
	env := func(first byte, n int) []byte {
		b := make([]byte, n)
		b[0] = first
		binary.LittleEndian.PutUint32(b[1:], 77)
		binary.LittleEndian.PutUint64(b[13:], 99)
		b[5] = 0xaa
		return b
	}
	for _, tc := range []struct {
		b    []byte
		want verdict
	}{
		{nil, dropShort},
		{env(1, Overhead), dropShort},
		{env(1, Overhead+1), accepted},
		{env(0x70, Overhead+1), dropPlaintext},
		{env(0xc0, 100), dropPlaintext},
		{env(2, 100), dropBadDigest},
		{env(0, 100), dropBadDigest},
	} {
		h, v := parse(tc.b)
		if v != tc.want {
			t.Errorf("parse(% x...) verdict %d, want %d", head(tc.b), v, tc.want)
		}
		if v == accepted && (h.node != 77 || h.counter != 99 || h.salt[0] != 0xaa) {
			t.Errorf("parse header %+v, want node 77, counter 99, salt aa...", h)
		}
		if v == dropBadDigest && h.node != 77 {
			t.Errorf("bad version: node %d, want 77 for the log", h.node)
		}
	}
}
