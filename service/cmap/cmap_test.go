package cmap

import (
	"testing"

	"goais/internal/svcharness"
	"goais/service"
	"goais/totem"
)

// recEnv records what node id multicasts; its Full and Err make Mcast
// report a full ring or fail.
func recEnv(id service.NodeID) *svcharness.Env { return &svcharness.Env{ID: id, Message: Message} }

func TestIdentity(t *testing.T) {
	c := New(recEnv(1), Config{}, nil)
	if c.ID() != service.CMAP || c.Name() != "cmap" {
		t.Fatalf("id %d name %q", c.ID(), c.Name())
	}
}

// A full ring makes SyncProcess ask to be called again; any other send
// error gives up for the round; either way the item goes out at most once.
func TestSyncProcessRetry(t *testing.T) {
	env := recEnv(1)
	svcharness.SyncSendsOnce(t, env, New(env, Config{}, nil))
}

// Without a Shutdown function an outdated node only logs; SyncActivate
// without a round does nothing.
func TestShutdownNil(t *testing.T) {
	env := recEnv(1)
	c := New(env, Config{ConfigVersion: 1, HasConfigVersion: true}, nil)
	c.SyncActivate()
	members := []service.NodeID{1, 2}
	c.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: members})
	c.SyncInit([]service.NodeID{1}, members, service.RingID{Rep: 1, Seq: 4})
	msg, err := Mcast{Items: []Item{Uint64Item(KeyConfigVersion, 2)}}.encode(svcharness.Order(false))
	if err != nil {
		t.Fatal(err)
	}
	c.Deliver(2, FnMcast, msg, false)
	c.SyncActivate()
	if !c.shutdownSent {
		t.Fatal("no shutdown decided")
	}
}
