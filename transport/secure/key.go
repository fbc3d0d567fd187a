package secure

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Key material limits. ais-keygen writes 128 bytes and corosync-keygen 256;
// fewer than 16 bytes is too weak to be a cluster secret, and more than
// 4096 is not a key file (LoadKey refuses to read further).
const (
	MinKeySize = 16
	MaxKeySize = 4096
)

// kdfSalt is the HKDF salt of every derivation: it separates goais secauth
// keys from any other use of the same authkey file (corosync's own crypto
// derives its keys differently).
const kdfSalt = "goais secauth v1"

// HKDF info prefixes, one per purpose.
const (
	infoDatagram    = "datagram key"
	infoFingerprint = "fingerprint"
)

// Key is a cluster secret: the HKDF pseudorandom key extracted from the
// authkey file. The raw material is not kept; every key used for
// encryption, and the fingerprint, is derived from it with a distinct info
// string. A Key is immutable and safe for concurrent use.
type Key struct {
	prk []byte // HKDF-Extract(SHA-256, salt kdfSalt, material)
	fp  string // Fingerprint()
}

// ErrKeySize is wrapped by the errors of LoadKey and NewKey for key
// material shorter than MinKeySize or longer than MaxKeySize.
var ErrKeySize = errors.New("key material size out of range")

// NewKey makes a Key from the bytes of an authkey file. It keeps no
// reference to material (only values derived from it), so the caller may
// clear or reuse it.
func NewKey(material []byte) (*Key, error) {
	if err := checkSize(len(material)); err != nil {
		return nil, fmt.Errorf("secure: %w", err)
	}
	return newKey(material)
}

func checkSize(n int) error {
	switch {
	case n < MinKeySize:
		return fmt.Errorf("%w: %d bytes, too short (at least %d; ais-keygen writes 128)", ErrKeySize, n, MinKeySize)
	case n > MaxKeySize:
		return fmt.Errorf("%w: too long (more than %d bytes; ais-keygen writes 128)", ErrKeySize, MaxKeySize)
	}
	return nil
}

// newKey extracts the pseudorandom key. HKDF fails only for parameters the
// FIPS 140-only mode refuses (GODEBUG=fips140=only), which the error then
// says.
func newKey(material []byte) (*Key, error) {
	prk, err := hkdf.Extract(sha256.New, material, []byte(kdfSalt))
	if err != nil {
		return nil, fmt.Errorf("secure: HKDF: %w", err)
	}
	k := &Key{prk: prk}
	fp, err := hkdf.Expand(sha256.New, k.prk, infoFingerprint, 8)
	if err != nil {
		return nil, fmt.Errorf("secure: HKDF: %w", err)
	}
	k.fp = hex.EncodeToString(fp)
	return k, nil
}

// LoadKey reads an authkey file (ais-keygen's 128 bytes or corosync's
// 256). Its errors name the path and say what is wrong: a missing file, an
// unreadable one, or one of the wrong size (wrapping ErrKeySize).
func LoadKey(path string) (*Key, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("secure: authkey %s does not exist (create it with ais-keygen and copy it to every node): %w", path, err)
		}
		return nil, fmt.Errorf("secure: authkey %s is unreadable: %w", path, err)
	}
	defer f.Close()
	// Read one byte past the limit to tell "too long" from "exactly the
	// limit" without reading an arbitrarily large file.
	buf, err := io.ReadAll(io.LimitReader(f, MaxKeySize+1))
	if err != nil {
		return nil, fmt.Errorf("secure: authkey %s is unreadable: %w", path, err)
	}
	if err := checkSize(len(buf)); err != nil {
		clear(buf)
		return nil, fmt.Errorf("secure: authkey %s: %w", path, err)
	}
	k, err := newKey(buf)
	clear(buf)
	return k, err
}

// Fingerprint identifies the key in logs: the first 8 bytes of a value
// derived for that purpose, in hex. Two nodes with the same fingerprint have
// the same key; the fingerprint reveals nothing usable about the key.
func (k *Key) Fingerprint() string { return k.fp }

// aead returns the AES-256-GCM cipher of one sender boot: the key is
// derived from the sender's nodeid and boot salt, so that no two boots (and
// no two nodes, even misconfigured with the same nodeid) share a key. It
// fails only where the FIPS 140-only mode refuses GCM with caller-chosen
// nonces, which New reports for the node's own key.
func (k *Key) aead(node uint32, salt [saltSize]byte) (cipher.AEAD, error) {
	var info [len(infoDatagram) + 4 + saltSize]byte
	n := copy(info[:], infoDatagram)
	binary.LittleEndian.PutUint32(info[n:], node)
	copy(info[n+4:], salt[:])
	key, err := hkdf.Expand(sha256.New, k.prk, string(info[:]), 32)
	if err != nil {
		return nil, fmt.Errorf("secure: HKDF: %w", err)
	}
	block, err := aes.NewCipher(key)
	clear(key)
	if err != nil {
		return nil, fmt.Errorf("secure: AES: %w", err)
	}
	g, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secure: GCM: %w", err)
	}
	return g, nil
}
