package svcharness

import (
	"errors"
	"testing"

	"goais/service"
)

// SyncSendsOnce checks the contract of a service that sends one message
// per sync round from SyncProcess, s alone in a ring with env as its
// Env: while the ring is full SyncProcess asks to be called again; once
// the message went out it is done, and called again in the same round it
// sends nothing more; any other send error gives up for the round; and
// outside a round there is nothing to send.
func SyncSendsOnce(t *testing.T, env *Env, s service.Syncer) {
	t.Helper()
	self := []service.NodeID{env.ID}
	env.Full = true
	s.SyncInit(nil, self, service.RingID{Rep: env.ID, Seq: 4})
	if s.SyncProcess() {
		t.Fatal("done although the ring refused")
	}
	env.Full = false
	if !s.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("sent %d messages", len(env.Sent))
	}
	if !s.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("called again: sent %d messages", len(env.Sent))
	}
	env.Err = errors.New("broken")
	s.SyncInit(nil, self, service.RingID{Rep: env.ID, Seq: 8})
	if !s.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("a broken send: sent %d messages", len(env.Sent))
	}
	s.SyncAbort()
	env.Err = nil
	if !s.SyncProcess() || len(env.Sent) != 1 {
		t.Fatalf("outside a round: sent %d messages", len(env.Sent))
	}
}
