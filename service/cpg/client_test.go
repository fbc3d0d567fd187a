package cpg

import (
	"errors"
	"strings"
	"testing"

	"goais/service"
)

// The typed errors of the client side match with errors.Is, whatever
// context they carry, so the IPC glue can map them to corosync's codes.
func TestClientErrorsMatch(t *testing.T) {
	n := newFuzzNode()
	c := New(n, n, nil)
	if err := c.Join(1, 100, "g"); !errors.Is(err, service.ErrTryAgain) {
		t.Fatalf("join before the first sync: %v, want ErrTryAgain", err)
	}
	c.SyncInit([]service.NodeID{1}, []service.NodeID{1}, service.RingID{Rep: 1, Seq: 4})
	c.SyncProcess()
	c.SyncActivate()

	checks := []struct {
		what string
		err  error
		want error
	}{
		{"long name", c.Join(1, 100, strings.Repeat("x", 129)), ErrNameTooLong},
		{"leave unknown client", c.Leave(1, "g"), ErrNotExist},
		{"mcast unknown client", c.Mcast(1, "g", nil), ErrNotExist},
		{"join", c.Join(1, 100, "g"), nil},
		{"second join", c.Join(1, 101, "h"), ErrExist},
		{"same pid other client", c.Join(2, 100, "g"), ErrExist},
		{"leave while joining", c.Leave(1, "g"), ErrBusy},
		{"too big", c.Mcast(1, "g", make([]byte, MaxMessageSize+1)), ErrTooBig},
	}
	for _, ch := range checks {
		if ch.want == nil && ch.err != nil || ch.want != nil && !errors.Is(ch.err, ch.want) {
			t.Errorf("%s: %v, want %v", ch.what, ch.err, ch.want)
		}
	}

	n.Full = true
	if err := c.Join(3, 300, "g"); !errors.Is(err, service.ErrTryAgain) {
		t.Errorf("join with a full queue: %v, want ErrTryAgain", err)
	}
	n.Full = false
	c.SetSyncing(true)
	if err := c.Mcast(1, "g", []byte("x")); !errors.Is(err, service.ErrTryAgain) {
		t.Errorf("mcast while the executive syncs: %v, want ErrTryAgain", err)
	}
	c.SetSyncing(false)
	if err := c.Mcast(1, "g", []byte("x")); err != nil {
		t.Errorf("mcast after sync: %v", err)
	}
}

// New accepts a nil logger, and the service names itself as the engine
// expects.
func TestIdentity(t *testing.T) {
	c := New(newFuzzNode(), newFuzzNode(), nil)
	if c.ID() != service.CPG || c.ID() != 2 || c.Name() != "cpg" || c.LocalNodeID() != 1 {
		t.Fatalf("ID %d, Name %q, LocalNodeID %d", c.ID(), c.Name(), c.LocalNodeID())
	}
	var _ service.Syncer = c
}
