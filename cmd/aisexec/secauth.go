package main

import (
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"goais/config"
	"goais/transport"
	"goais/transport/secure"
)

// secauth is what sealing needs besides the transport: the key and the
// first counter of this boot.
type secauth struct {
	key   *secure.Key
	start uint64
}

// loadSecauth reads the key (totem.key inline, else the keyfile that
// OPENAIS_TOTEM_AUTHKEY_FILE, totem.keyfile or the default names) and
// moves this boot's counter start past the previous boot's, persisted in
// the state directory, so that peers never take this boot's datagrams for
// replays even when the clock went back.
func loadSecauth(c *config.Config, stateDir string, nodeID uint32) (*secauth, error) {
	var key *secure.Key
	var err error
	if c.Totem.Key != "" {
		key, err = secure.NewKey([]byte(c.Totem.Key))
		if err != nil {
			err = fmt.Errorf("totem.key (line %d): %w", c.Line("totem.key"), err)
		}
	} else {
		key, err = secure.LoadKey(c.Keyfile(os.Getenv))
	}
	if err != nil {
		return nil, err
	}
	path := filepath.Join(stateDir, fmt.Sprintf("secauth_%d", nodeID))
	var prev uint64
	switch b, err := os.ReadFile(path); {
	case os.IsNotExist(err):
	case err != nil:
		return nil, fmt.Errorf("secauth: %w", err)
	case len(b) != 8:
		return nil, fmt.Errorf("secauth: %s holds %d bytes, want 8 (remove it: peers may then drop this node's datagrams as replays until they restart, if this host's clock went back)", path, len(b))
	default:
		prev = binary.LittleEndian.Uint64(b)
	}
	start := secure.NextStart(prev, time.Now())
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], start)
	if err := writeDurably(path, b[:]); err != nil {
		return nil, fmt.Errorf("secauth: %w", err)
	}
	return &secauth{key: key, start: start}, nil
}

// wrap seals and opens every datagram of tr.
func (s *secauth) wrap(tr transport.Transport, nodeID uint32, log *slog.Logger) (transport.Transport, error) {
	st, err := secure.New(secure.Config{Inner: tr, Key: s.key, NodeID: nodeID, Start: s.start, Logger: log})
	if err != nil {
		tr.Close()
		return nil, err
	}
	return st, nil
}

// writeDurably replaces path with data: temporary file, fsync, rename.
func writeDurably(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
