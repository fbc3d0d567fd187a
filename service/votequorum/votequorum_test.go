package votequorum

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
	v := New(recEnv(1), Config{}, nil)
	if v.ID() != service.Votequorum || v.Name() != "votequorum" {
		t.Fatalf("id %d name %q", v.ID(), v.Name())
	}
}

// The defaults: votes 1 or the node's nodelist entry; expected votes the
// nodelist's sum (entries of 0 count 1), or 1 without a nodelist.
func TestConfigDefaults(t *testing.T) {
	tests := []struct {
		cfg             Config
		votes, expected uint32
	}{
		{Config{}, 1, 1},
		{Config{Votes: 2, ExpectedVotes: 7}, 2, 7},
		{Config{NodeVotes: map[service.NodeID]uint32{1: 0, 2: 0, 3: 0}}, 1, 3},
		{Config{NodeVotes: map[service.NodeID]uint32{1: 3, 2: 1}}, 3, 4},
		{Config{Votes: 1, NodeVotes: map[service.NodeID]uint32{1: 3, 2: 1}}, 1, 4},
		{Config{NodeVotes: map[service.NodeID]uint32{2: 0xffffffff, 3: 0xffffffff}}, 1, 0xffffffff},
	}
	for _, tt := range tests {
		env := recEnv(1)
		v := New(env, tt.cfg, nil)
		v.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: []service.NodeID{1}})
		v.SyncInit(nil, []service.NodeID{1}, service.RingID{Rep: 1, Seq: 4})
		v.SyncProcess()
		m, err := DecodeNodeInfo(env.Sent[0], false)
		if err != nil {
			t.Fatal(err)
		}
		if m != (NodeInfo{NodeID: 1, Votes: tt.votes, ExpectedVotes: tt.expected}) {
			t.Errorf("%+v: sent %+v, want votes %d expected %d", tt.cfg, m, tt.votes, tt.expected)
		}
		if s := v.Status(); s.ExpectedVotes != tt.expected || s.Quorate {
			t.Errorf("%+v: status before any round %+v", tt.cfg, s)
		}
	}
}

// A full ring makes SyncProcess ask to be called again; any other send
// error gives up for the round; the NODEINFO goes out at most once.
func TestSyncProcessRetry(t *testing.T) {
	env := recEnv(1)
	svcharness.SyncSendsOnce(t, env, New(env, Config{}, nil))
}

// Status hands out a copy.
func TestStatusCopy(t *testing.T) {
	v := New(recEnv(1), Config{}, nil)
	v.ConfigChange(totem.ConfigChange{Type: totem.Regular, Members: []service.NodeID{1}})
	v.SyncInit(nil, []service.NodeID{1}, service.RingID{Rep: 1, Seq: 4})
	v.SyncActivate()
	s := v.Status()
	if !s.Quorate || len(s.Nodes) != 1 {
		t.Fatalf("status %+v", s)
	}
	s.Nodes[0].Votes = 99
	if v.Status().Nodes[0].Votes != 1 {
		t.Fatal("Status shares its node list")
	}
}
