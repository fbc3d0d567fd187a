package main

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// errExists reports that the target appeared between the early check and
// the final rename, or was there all along.
var errExists = errors.New("already exists")

// keyMode is the key file's mode: only its owner may read it, and nobody
// may write it, so a stray editor or a shell redirection cannot damage it.
const keyMode = 0o400

// prepareDir creates dir (and its parents) with mode 0700 if missing, and
// returns a warning when an existing dir lets group or others in. The key
// itself is mode 0400, so this is advice, not an error: /etc/ais is often
// 0755 on systems set up by hand, and a -k path in /tmp lives in a 1777
// directory.
func prepareDir(dir string) (warning string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory", dir)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Sprintf("Warning: directory %s is accessible to group or others (mode %#o).", dir, octalMode(fi.Mode())), nil
	}
	return "", nil
}

// octalMode is m as chmod(1) and ls(1) users read it, special bits
// included: /tmp shows as 01777, not os.FileMode's 0777 plus flags.
func octalMode(m fs.FileMode) uint32 {
	o := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		o |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		o |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		o |= 0o1000
	}
	return o
}

// writeKeyFile writes key to path atomically: a temporary file created
// with O_EXCL and mode 0400 in the same directory is written and synced,
// then renamed onto path, then the directory is synced so that the rename
// itself survives a crash. Readers (aisexec starting meanwhile) see the old
// key or the new one, never a prefix. Renaming also replaces an old key that
// is mode 0400 and so could not be opened for writing.
//
// Without replace the final step must not clobber a file that appeared
// since the caller checked: it uses renameat2(RENAME_NOREPLACE), or link(2)
// on file systems without it, and returns errExists if path is there.
// On any error the temporary file is removed.
func writeKeyFile(path string, key []byte, replace bool) error {
	dir := filepath.Dir(path)
	tmp, f, err := createTemp(dir, filepath.Base(path))
	if err != nil {
		return err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
		if tmp != "" {
			os.Remove(tmp)
		}
	}()
	// The umask may have taken bits from keyMode; make it exact.
	if err := f.Chmod(keyMode); err != nil {
		return err
	}
	if _, err := f.Write(key); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return err
	}
	if replace {
		err = os.Rename(tmp, path)
	} else {
		err = renameNoReplace(tmp, path)
	}
	if err != nil {
		return err
	}
	tmp = "" // renamed (or linked and removed): nothing left to clean up
	return syncDir(dir)
}

// createTemp creates a new file next to the target, readable only by its
// owner from the start, so the key is never in a file anyone else could
// open. The name is hidden and random; O_EXCL makes a clash (or a planted
// symlink) fail instead of writing through it, and a clash is retried.
func createTemp(dir, base string) (string, *os.File, error) {
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, keyMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		return name, f, nil
	}
	return "", nil, fmt.Errorf("could not create a temporary file in %s", dir)
}

// renameNoReplace moves tmp to path unless path exists. On success tmp no
// longer exists under its own name, whichever way was used.
func renameNoReplace(tmp, path string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, path, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EEXIST):
		return errExists
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		// The file system (or an old kernel) lacks RENAME_NOREPLACE.
		return linkNoReplace(tmp, path)
	default:
		return &os.LinkError{Op: "rename", Old: tmp, New: path, Err: err}
	}
}

// linkNoReplace is renameNoReplace by link(2) and unlink(2): link also
// refuses to replace and is as atomic, at the cost of a moment where both
// names exist. If path exists tmp is left for the caller to remove.
func linkNoReplace(tmp, path string) error {
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errExists
		}
		return err
	}
	if err := os.Remove(tmp); err != nil {
		return fmt.Errorf("the key is written but its temporary copy is left: %w", err)
	}
	return nil
}

// syncDir makes the directory entry of the renamed key durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
