package executive

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"

	"goais/totem"
)

// ringSeqFile is corosync's ringid_<nodeid> file: the last ring seq this
// node committed to, as 8 bytes in host (little-endian) order. A restarted
// node starts its first ring above it, so ring ids never repeat.
func ringSeqFile(dir string, id totem.NodeID) string {
	return filepath.Join(dir, fmt.Sprintf("ringid_%d", id))
}

// loadRingSeq reads the persisted ring seq; a missing file means 0 (first
// boot). A file of the wrong size is an error, not a silent restart from 0,
// which could reuse a ring id still known to peers.
func loadRingSeq(dir string, id totem.NodeID) (uint64, error) {
	if dir == "" {
		return 0, nil
	}
	path := ringSeqFile(dir, id)
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read ring seq: %w", err)
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("read ring seq: %s holds %d bytes, want 8 (remove it to start from seq 0)", path, len(b))
	}
	return binary.LittleEndian.Uint64(b), nil
}

// storeRingSeq writes the ring seq durably (temp file, fsync, rename) before
// the core's datagrams of the new ring are sent.
func storeRingSeq(dir string, id totem.NodeID, seq uint64) error {
	if dir == "" {
		return nil
	}
	path := ringSeqFile(dir, id)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("store ring seq: %w", err)
	}
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], seq)
	if _, err := f.Write(b[:]); err != nil {
		f.Close()
		return fmt.Errorf("store ring seq: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store ring seq: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store ring seq: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store ring seq: %w", err)
	}
	return nil
}
