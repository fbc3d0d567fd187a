package secure

import (
	"crypto/cipher"
	"encoding/binary"
)

// Envelope layout; see the package documentation for the table.
const (
	// HeaderSize is the envelope header: version, nodeid, boot salt,
	// counter.
	HeaderSize = 1 + 4 + saltSize + 8
	// Overhead is what sealing adds to a datagram: the header and the GCM
	// tag. The Totem frame budget (netmtu) shrinks by as much.
	Overhead = HeaderSize + tagSize

	version   = 1
	saltSize  = 8
	tagSize   = 16
	nonceSize = 12
)

// The first bytes of a plaintext Totem datagram (corosync-wire.md: the
// magic 0xc070, which either byte order puts first).
const (
	totemMagic0 = 0x70
	totemMagic1 = 0xc0
)

// header is the authenticated, unencrypted part of an envelope.
type header struct {
	node    uint32
	salt    [saltSize]byte
	counter uint64
}

// verdict is what the checks on a received datagram decided.
type verdict uint8

const (
	accepted verdict = iota
	dropShort
	dropPlaintext
	dropBadDigest
	dropReplayed
)

// appendHeader appends the encoded header to b.
func appendHeader(b []byte, h header) []byte {
	b = append(b, version)
	b = binary.LittleEndian.AppendUint32(b, h.node)
	b = append(b, h.salt[:]...)
	return binary.LittleEndian.AppendUint64(b, h.counter)
}

// parse decodes the header of a received datagram and applies the checks
// that need no key: length, plaintext Totem magic, version. The header is
// meaningful when the verdict is accepted, and its node also with
// dropBadDigest (for the log line).
func parse(b []byte) (header, verdict) {
	var h header
	if len(b) < Overhead+1 {
		return h, dropShort
	}
	if b[0] == totemMagic0 || b[0] == totemMagic1 {
		return h, dropPlaintext
	}
	h.node = binary.LittleEndian.Uint32(b[1:5])
	if b[0] != version {
		return h, dropBadDigest
	}
	copy(h.salt[:], b[5:5+saltSize])
	h.counter = binary.LittleEndian.Uint64(b[5+saltSize : HeaderSize])
	return h, accepted
}

// setNonce writes the GCM nonce for a counter: the counter in little
// endian, then four zero bytes.
func setNonce(n *[nonceSize]byte, counter uint64) {
	binary.LittleEndian.PutUint64(n[:8], counter)
	clear(n[8:])
}

// seal appends the envelope of payload to dst: header, ciphertext, tag,
// with the header as additional data. It allocates nothing when dst has
// room for len(payload)+Overhead more bytes. payload must not overlap dst's
// spare capacity. nonce is scratch space owned by the caller, so that no
// nonce array escapes per call.
func seal(dst []byte, a cipher.AEAD, nonce *[nonceSize]byte, h header, payload []byte) []byte {
	off := len(dst)
	dst = appendHeader(dst, h)
	setNonce(nonce, h.counter)
	return a.Seal(dst, nonce[:], payload, dst[off:])
}

// open authenticates the envelope in b (already checked by parse, whose
// header h is) and decrypts it in place: the plaintext ends up at the start
// of b, and open returns it. The header is saved to hdr first, because the
// ciphertext is moved over it: GCM refuses a destination that overlaps its
// input inexactly. On failure b's contents are garbage.
func open(b []byte, a cipher.AEAD, nonce *[nonceSize]byte, hdr *[HeaderSize]byte, h header) ([]byte, bool) {
	copy(hdr[:], b[:HeaderSize])
	n := copy(b, b[HeaderSize:])
	setNonce(nonce, h.counter)
	pt, err := a.Open(b[:0], nonce[:], b[:n], hdr[:])
	return pt, err == nil
}
