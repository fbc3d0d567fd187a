package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func root() int    { return 0 }
func notRoot() int { return 1000 }

// keygen runs the command in-process and returns its exit status and output.
func keygen(t *testing.T, random randomFunc, geteuid func() int, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb, random, geteuid)
	return code, out.String(), errb.String()
}

// readKey returns the key at path after checking it is a regular file of
// 128 bytes with mode 0400.
func readKey(t *testing.T, path string) []byte {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o400 {
		t.Errorf("%s: mode %v, want a regular file with -r--------", path, fi.Mode())
	}
	key, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != keyBytes {
		t.Errorf("%s: %d bytes, want %d", path, len(key), keyBytes)
	}
	return key
}

// dirNames lists dir, so that a stray temporary file shows up.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestFreshKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "etc", "ais")
	path := filepath.Join(dir, "authkey")
	code, out, errOut := keygen(t, kernelRandom, notRoot, "-k", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr %q, want nothing (the new directories are 0700)", errOut)
	}
	want := "goais authentication key generator.\n" +
		"Gathering 1024 bits for key from the kernel random source.\n" +
		"Writing goais key to " + path + ".\n" +
		"Copy this file to every node of the cluster, to the same path (or the one their totem { keyfile } or OPENAIS_TOTEM_AUTHKEY_FILE names), " +
		"owned by root with mode 0400, e.g.: install -D --group=0 --owner=0 --mode=0400 " + path + " " + path + "\n" +
		"Nodes whose keys differ log \"Invalid digest\" and never join.\n"
	if out != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", out, want)
	}
	key := readKey(t, path)
	if bytes.Equal(key, make([]byte, keyBytes)) {
		t.Error("the key is all zeros")
	}
	for _, d := range []string{dir, filepath.Dir(dir)} {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s created with mode %v, want drwx------", d, fi.Mode())
		}
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"authkey"}) {
		t.Errorf("directory holds %q, want only authkey", names)
	}
}

func TestTwoRunsDiffer(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, p := range []string{a, b} {
		if code, _, errOut := keygen(t, kernelRandom, notRoot, "-k", p); code != 0 {
			t.Fatalf("%s: exit %d, stderr %q", p, code, errOut)
		}
	}
	if bytes.Equal(readKey(t, a), readKey(t, b)) {
		t.Error("two runs produced the same key")
	}
}

func TestRefusesExistingKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "authkey")
	if code, _, errOut := keygen(t, kernelRandom, notRoot, "-k", path); code != 0 {
		t.Fatalf("first run: exit %d, stderr %q", code, errOut)
	}
	old := readKey(t, path)

	called := false
	spy := func(p []byte) (int, error) { called = true; return kernelRandom(p) }
	code, _, errOut := keygen(t, spy, notRoot, "-k", path)
	if code != 1 {
		t.Errorf("second run without -f: exit %d, want 1", code)
	}
	want := "Error: " + path + " already exists: refusing to overwrite it. Every node of the cluster must have the same key: " +
		"use -f to replace it, then copy the new key to every node.\n"
	if errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if called {
		t.Error("the random source was read although the key was going to be refused")
	}
	if !bytes.Equal(readKey(t, path), old) {
		t.Error("the existing key changed")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"authkey"}) {
		t.Errorf("directory holds %q, want only authkey", names)
	}
}

func TestForceReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "authkey")
	if code, _, errOut := keygen(t, kernelRandom, notRoot, "-k", path); code != 0 {
		t.Fatalf("first run: exit %d, stderr %q", code, errOut)
	}
	old := readKey(t, path) // mode 0400: it cannot be opened for writing by its owner
	code, _, errOut := keygen(t, kernelRandom, notRoot, "-f", "-k", path)
	if code != 0 {
		t.Fatalf("-f: exit %d, stderr %q", code, errOut)
	}
	if bytes.Equal(readKey(t, path), old) {
		t.Error("-f left the old key in place")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"authkey"}) {
		t.Errorf("directory holds %q, want only authkey", names)
	}
}

// A symlink counts as an existing key, and -f replaces the link itself: the
// file it pointed to is not written through.
func TestSymlinkTarget(t *testing.T) {
	dir := t.TempDir()
	other := filepath.Join(dir, "other")
	if err := os.WriteFile(other, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "authkey")
	if err := os.Symlink(other, path); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := keygen(t, kernelRandom, notRoot, "-k", path); code != 1 {
		t.Errorf("without -f: exit %d, want 1", code)
	}
	if code, _, errOut := keygen(t, kernelRandom, notRoot, "-f", "-k", path); code != 0 {
		t.Fatalf("-f: exit %d, stderr %q", code, errOut)
	}
	readKey(t, path) // checks it is now a regular file
	if b, err := os.ReadFile(other); err != nil || string(b) != "not a key" {
		t.Errorf("the symlink's target became %q, %v", b, err)
	}
}

func TestDirectoryTarget(t *testing.T) {
	path := t.TempDir()
	code, _, errOut := keygen(t, kernelRandom, notRoot, "-f", "-k", path)
	if code != 1 || !strings.Contains(errOut, "is a directory") {
		t.Errorf("exit %d, stderr %q; want 1 and 'is a directory'", code, errOut)
	}
}

func TestNonRootDefaultPath(t *testing.T) {
	called := false
	spy := func(p []byte) (int, error) { called = true; return len(p), nil }
	for _, args := range [][]string{nil, {"-f"}, {"-k", "/etc/ais/authkey"}, {"-k", "/etc/ais//authkey"}} {
		code, out, errOut := keygen(t, spy, notRoot, args...)
		if code != 1 {
			t.Errorf("%q: exit %d, want 1", args, code)
		}
		if want := "Error: the key must be generated as root (or choose another path with -k).\n"; errOut != want {
			t.Errorf("%q: stderr %q, want %q", args, errOut, want)
		}
		if strings.Contains(out, "Gathering") {
			t.Errorf("%q: stdout %q: gathered before refusing", args, out)
		}
	}
	if called {
		t.Error("the random source was read")
	}
}

func TestRandomFailure(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ais")
	path := filepath.Join(dir, "authkey")
	boom := errors.New("boom")
	calls := 0
	failing := func(p []byte) (int, error) {
		calls++
		if calls == 1 {
			return 7, nil // a partial key is never written either
		}
		return 0, boom
	}
	code, out, errOut := keygen(t, failing, root, "-k", path)
	if code != 1 || !strings.Contains(errOut, "boom") {
		t.Errorf("exit %d, stderr %q; want 1 and the source's error", code, errOut)
	}
	if strings.Contains(out, "Writing") {
		t.Errorf("stdout %q announces a write", out)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q, want nothing", names)
	}
}

func TestGatherLoops(t *testing.T) {
	// One byte at a time, with EINTR between bytes, as a signal-heavy
	// process may see.
	next, intr := byte(0), false
	trickle := func(p []byte) (int, error) {
		if intr = !intr; intr {
			return 0, unix.EINTR
		}
		p[0] = next
		next++
		return 1, nil
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "authkey")
	if code, _, errOut := keygen(t, trickle, root, "-k", path); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	key := readKey(t, path)
	for i, b := range key {
		if b != byte(i) {
			t.Fatalf("key[%d] = %d, want %d: the short reads were not stitched together in order", i, b, i)
		}
	}
}

func TestGatherBadSource(t *testing.T) {
	for name, f := range map[string]randomFunc{
		"no progress": func(p []byte) (int, error) { return 0, nil },
		"overlong":    func(p []byte) (int, error) { return len(p) + 1, nil },
		"negative":    func(p []byte) (int, error) { return -1, nil },
	} {
		if err := gather(f, make([]byte, keyBytes)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// A key that appears while the random source is read (another ais-keygen,
// an operator's cp) is not overwritten without -f, and no temporary file
// is left behind.
func TestKeyAppearsMeanwhile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "authkey")
	intruder := []byte("someone else's key")
	racing := func(p []byte) (int, error) {
		if err := os.WriteFile(path, intruder, 0o400); err != nil {
			return 0, err
		}
		return kernelRandom(p)
	}
	code, _, errOut := keygen(t, racing, root, "-k", path)
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("exit %d, stderr %q; want 1 and 'already exists'", code, errOut)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, intruder) {
		t.Errorf("key is %q, want the intruder's", b)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"authkey"}) {
		t.Errorf("directory holds %q, want only authkey", names)
	}
}

// linkNoReplace is the fallback where RENAME_NOREPLACE is unsupported.
func TestLinkNoReplace(t *testing.T) {
	dir := t.TempDir()
	tmp, path := filepath.Join(dir, ".tmp"), filepath.Join(dir, "authkey")
	if err := os.WriteFile(tmp, []byte("new"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := linkNoReplace(tmp, path); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"authkey"}) {
		t.Errorf("after linking, directory holds %q, want only authkey", names)
	}
	if err := os.WriteFile(tmp, []byte("newer"), 0o400); err != nil {
		t.Fatal(err)
	}
	if err := linkNoReplace(tmp, path); !errors.Is(err, errExists) {
		t.Errorf("onto an existing key: %v, want errExists", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "new" {
		t.Errorf("key is %q, want the first one", b)
	}
}

func TestOpenDirectoryWarning(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // Chmod: Mkdir is subject to the umask
		t.Fatal(err)
	}
	path := filepath.Join(dir, "authkey")
	code, _, errOut := keygen(t, kernelRandom, notRoot, "-k", path)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if want := "Warning: directory " + dir + " is accessible to group or others (mode 0755).\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o755 {
		t.Errorf("directory mode changed to %v", fi.Mode())
	}
	readKey(t, path)
}

func TestOctalMode(t *testing.T) {
	if got := octalMode(fs.ModeDir | fs.ModeSticky | 0o777); got != 0o1777 {
		t.Errorf("sticky 0777 = %#o, want 01777", got)
	}
	if got := octalMode(fs.ModeSetuid | fs.ModeSetgid | 0o750); got != 0o6750 {
		t.Errorf("setuid setgid 0750 = %#o, want 06750", got)
	}
}

func TestUsage(t *testing.T) {
	code, _, errOut := keygen(t, kernelRandom, root, "-h")
	if code != 0 || !strings.Contains(errOut, "usage: ais-keygen") || !strings.Contains(errOut, "/etc/ais/authkey") ||
		!strings.Contains(errOut, "-f") || !strings.Contains(errOut, "-k") {
		t.Errorf("-h: exit %d, stderr %q", code, errOut)
	}
	for _, args := range [][]string{{"-x"}, {"extra"}, {"-k", "/tmp/k", "extra"}, {"-k", ""}} {
		code, out, errOut := keygen(t, kernelRandom, root, args...)
		if code != 2 || !strings.Contains(errOut, "usage: ais-keygen") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the usage", args, code, errOut)
		}
		if out != "" {
			t.Errorf("%q: stdout %q", args, out)
		}
	}
}
