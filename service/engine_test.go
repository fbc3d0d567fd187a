package service_test

import (
	"strings"
	"testing"

	"goais/service"
	"goais/totem"
)

// recorder is a minimal Service that remembers its deliveries.
type recorder struct {
	id   service.ID
	name string
	got  []string
}

func (r *recorder) ID() service.ID                  { return r.id }
func (r *recorder) Name() string                    { return r.name }
func (r *recorder) ConfigChange(totem.ConfigChange) {}
func (r *recorder) Deliver(sender service.NodeID, fn uint16, msg []byte, bigEndian bool) {
	r.got = append(r.got, string(rune('0'+sender))+":"+string(rune('0'+fn))+":"+string(msg[service.HeaderSize:]))
}

// nopSyncer is a Syncer that is always done at once.
type nopSyncer struct{ recorder }

func (nopSyncer) SyncInit(trans, members []service.NodeID, ring service.RingID) {}
func (nopSyncer) SyncProcess() bool                                             { return true }
func (nopSyncer) SyncActivate()                                                 {}
func (nopSyncer) SyncAbort()                                                    {}

func newEngine(t testing.TB, send func([]byte) error) *service.Engine {
	t.Helper()
	if send == nil {
		send = func([]byte) error { return nil }
	}
	e, err := service.NewEngine(service.EngineConfig{Self: 1, SendSync: send})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newEngineWithRound returns node 1 of ring {1, 2, 3} in the build phase
// of a round over services 2 (local) and whatever the others announce.
func newEngineWithRound(t testing.TB) *service.Engine {
	e := newEngine(t, nil)
	if err := e.Register(&nopSyncer{recorder{id: 2, name: "cpg"}}); err != nil {
		t.Fatal(err)
	}
	ring := service.RingID{Rep: 1, Seq: 4}
	e.ConfigChange(totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: []service.NodeID{1}})
	e.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: []service.NodeID{1, 2, 3}})
	return e
}

func TestNewEngineChecksConfig(t *testing.T) {
	if _, err := service.NewEngine(service.EngineConfig{SendSync: func([]byte) error { return nil }}); err == nil {
		t.Error("Self 0 accepted")
	}
	if _, err := service.NewEngine(service.EngineConfig{Self: 1}); err == nil {
		t.Error("nil SendSync accepted")
	}
}

func TestRegister(t *testing.T) {
	e := newEngine(t, nil)
	for _, s := range []service.Service{
		&recorder{id: 5, name: "votequorum"},
		&nopSyncer{recorder{id: 2, name: "cpg"}},
		&recorder{id: 0, name: "cmap"},
	} {
		if err := e.Register(s); err != nil {
			t.Fatal(err)
		}
	}
	err := e.Register(&recorder{id: 2, name: "other"})
	if err == nil || !strings.Contains(err.Error(), `id 2 is taken by "cpg"`) {
		t.Fatalf("duplicate id: err = %v", err)
	}
	if s, ok := e.Lookup(5); !ok || s.Name() != "votequorum" {
		t.Fatalf("Lookup(5) = %v, %v", s, ok)
	}
	if _, ok := e.Lookup(3); ok {
		t.Fatal("Lookup(3) found something")
	}
}

func TestRegisterLimitsSyncers(t *testing.T) {
	e := newEngine(t, nil)
	for i := range service.MaxSyncServices {
		if err := e.Register(&nopSyncer{recorder{id: service.ID(i), name: "s"}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Register(&nopSyncer{recorder{id: 1000, name: "one too many"}}); err == nil {
		t.Fatal("129th syncer accepted")
	}
	if err := e.Register(&recorder{id: 1000, name: "plain"}); err != nil {
		t.Fatalf("plain service refused: %v", err)
	}
}

func TestDeliverExecDispatch(t *testing.T) {
	e := newEngine(t, nil)
	r := &recorder{id: service.CPG, name: "cpg"}
	if err := e.Register(r); err != nil {
		t.Fatal(err)
	}
	msg := append(service.AppendHeader(nil, service.CPG, 3, 18), "hi"...)
	e.DeliverExec(2, msg, false)
	// The same message from a big-endian sender.
	be := []byte{0, 2, 0, 3, 0, 0, 0, 0, 0, 0, 0, 18, 0, 0, 0, 0, 'b', 'e'}
	e.DeliverExec(3, be, true)
	// Unknown service: ignored silently, not counted as bad.
	e.DeliverExec(2, append(service.AppendHeader(nil, 9, 0, 17), 'x'), false)
	// Bad header: counted.
	e.DeliverExec(2, msg[:10], false)
	if want := []string{"2:3:hi", "3:3:be"}; strings.Join(r.got, ",") != strings.Join(want, ",") {
		t.Fatalf("delivered %v, want %v", r.got, want)
	}
	if st := e.Status(); st.BadExec != 1 {
		t.Fatalf("BadExec = %d, want 1", st.BadExec)
	}
}

func TestSyncingFromStart(t *testing.T) {
	var sent int
	e := newEngine(t, func([]byte) error { sent++; return nil })
	if !e.Syncing() {
		t.Fatal("not syncing before the first round")
	}
	if e.Pending() {
		t.Fatal("pending before the first round")
	}
	e.Pump() // nothing to do, nothing sent
	if sent != 0 || e.Status().Phase != service.PhaseIdle {
		t.Fatalf("idle engine sent %d messages, phase %v", sent, e.Status().Phase)
	}
	// A singleton ring with no sync services completes on its own
	// SERVICE_BUILD.
	done := 0
	e2, _ := service.NewEngine(service.EngineConfig{Self: 1, OnSyncComplete: func() { done++ },
		SendSync: func(msg []byte) error { sent++; return nil }})
	ring := service.RingID{Rep: 1, Seq: 4}
	e2.ConfigChange(totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: []service.NodeID{1}})
	build, _ := service.AppendServiceBuild(nil, ring, nil)
	e2.DeliverSync(1, build)
	if done != 1 || e2.Syncing() {
		t.Fatalf("completions %d, syncing %v", done, e2.Syncing())
	}
}
