package secure

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadKey: ais-keygen's 128 bytes and corosync's 256 load; the errors
// name the path and the problem.
func TestLoadKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, n int) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, testMaterial(n, 5), 0o400); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, n := range []int{MinKeySize, 128, 256, MaxKeySize} {
		k, err := LoadKey(write("ok", n))
		if err != nil {
			t.Fatalf("%d-byte key: %v", n, err)
		}
		os.Remove(filepath.Join(dir, "ok"))
		m, _ := NewKey(testMaterial(n, 5))
		if k.Fingerprint() != m.Fingerprint() {
			t.Fatalf("%d-byte key: LoadKey and NewKey disagree", n)
		}
	}
	for _, tc := range []struct {
		path  string
		want  string
		isErr error
	}{
		{filepath.Join(dir, "missing"), "does not exist", os.ErrNotExist},
		{dir, "unreadable", nil}, // a directory opens but does not read
		{write("short", MinKeySize-1), "too short", ErrKeySize},
		{write("long", MaxKeySize+1), "too long", ErrKeySize},
		{write("empty", 0), "too short", ErrKeySize},
	} {
		_, err := LoadKey(tc.path)
		if err == nil || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadKey(%s) = %v, want an error naming the path and %q", tc.path, err, tc.want)
		}
		if tc.isErr != nil && !errors.Is(err, tc.isErr) {
			t.Errorf("LoadKey(%s) = %v, want one wrapping %v", tc.path, err, tc.isErr)
		}
	}
}

// TestNewKey: the size limits, a copy of the material (the caller may clear
// it), and fingerprints that tell keys apart.
func TestNewKey(t *testing.T) {
	for _, n := range []int{0, MinKeySize - 1, MaxKeySize + 1} {
		if _, err := NewKey(make([]byte, n)); !errors.Is(err, ErrKeySize) {
			t.Errorf("NewKey(%d bytes) = %v, want ErrKeySize", n, err)
		}
	}
	m := testMaterial(128, 1)
	k, err := NewKey(m)
	if err != nil {
		t.Fatal(err)
	}
	fp := k.Fingerprint()
	clear(m)
	if k2 := testKey(t, 1); k2.Fingerprint() != fp {
		t.Fatalf("fingerprints of one material differ: %s, %s", fp, k2.Fingerprint())
	}
	if len(fp) != 16 || strings.Trim(fp, "0123456789abcdef") != "" {
		t.Fatalf("fingerprint %q, want 16 hex digits", fp)
	}
	if testKey(t, 2).Fingerprint() == fp {
		t.Fatal("two keys share a fingerprint")
	}
	// A corosync key and its first 128 bytes are different keys.
	long, _ := NewKey(testMaterial(256, 1))
	if long.Fingerprint() == fp {
		t.Fatal("a 256-byte key has the fingerprint of its 128-byte prefix")
	}
}
