package cmap

import (
	"errors"
	"testing"

	"goais/service"
	"goais/totem"
)

// recEnv records what a node multicasts; refuse makes Mcast report a full
// ring, fail any other error.
type recEnv struct {
	id     service.NodeID
	sent   [][]byte
	refuse bool
	fail   bool
}

func (e *recEnv) NodeID() service.NodeID { return e.id }

func (e *recEnv) Mcast(fn uint16, body []byte) error {
	switch {
	case e.refuse:
		return service.ErrTryAgain
	case e.fail:
		return errors.New("broken")
	}
	e.sent = append(e.sent, Message(fn, body))
	return nil
}

func TestIdentity(t *testing.T) {
	c := New(&recEnv{id: 1}, Config{}, nil)
	if c.ID() != service.CMAP || c.Name() != "cmap" {
		t.Fatalf("id %d name %q", c.ID(), c.Name())
	}
}

// A full ring makes SyncProcess ask to be called again; any other send
// error gives up for the round; either way the item goes out at most once.
func TestSyncProcessRetry(t *testing.T) {
	env := &recEnv{id: 1, refuse: true}
	c := New(env, Config{}, nil)
	c.SyncInit(nil, []service.NodeID{1}, service.RingID{Rep: 1, Seq: 4})
	if c.SyncProcess() {
		t.Fatal("done although the ring refused")
	}
	env.refuse = false
	if !c.SyncProcess() || len(env.sent) != 1 {
		t.Fatalf("sent %d messages", len(env.sent))
	}
	// Called again in the same round, it sends nothing more.
	if !c.SyncProcess() || len(env.sent) != 1 {
		t.Fatalf("sent %d messages", len(env.sent))
	}
	env.fail = true
	c.SyncInit(nil, []service.NodeID{1}, service.RingID{Rep: 1, Seq: 8})
	if !c.SyncProcess() || len(env.sent) != 1 {
		t.Fatalf("a broken send: sent %d messages", len(env.sent))
	}
	// Outside a round there is nothing to send.
	c.SyncAbort()
	env.fail = false
	if !c.SyncProcess() || len(env.sent) != 1 {
		t.Fatalf("outside a round: sent %d messages", len(env.sent))
	}
}

// Without a Shutdown function an outdated node only logs; SyncActivate
// without a round does nothing.
func TestShutdownNil(t *testing.T) {
	env := &recEnv{id: 1}
	c := New(env, Config{ConfigVersion: 1, HasConfigVersion: true}, nil)
	c.SyncActivate()
	members := []service.NodeID{1, 2}
	c.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
	c.SyncInit([]service.NodeID{1}, members, service.RingID{Rep: 1, Seq: 4})
	msg, err := Mcast{Items: []Item{Uint64Item(KeyConfigVersion, 2)}}.encode(order(false))
	if err != nil {
		t.Fatal(err)
	}
	c.Deliver(2, FnMcast, msg, false)
	c.SyncActivate()
	if !c.shutdownSent {
		t.Fatal("no shutdown decided")
	}
}
