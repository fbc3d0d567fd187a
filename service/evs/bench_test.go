package evs

import (
	"fmt"
	"testing"

	api "goais/client/evs"
	"goais/ipc"
	"goais/service"
)

// nopConn is a connection that discards what it is sent.
type nopConn struct{ id uint64 }

func (c nopConn) ID() uint64                                 { return c.id }
func (c nopConn) Cred() ipc.Cred                             { return ipc.Cred{} }
func (c nopConn) Backlog() int                               { return 0 }
func (c nopConn) Respond(uint32, uint16, ipc.Status, []byte) {}
func (c nopConn) Callback(uint16, []byte)                    {}

type nopEnv struct{}

func (nopEnv) NodeID() service.NodeID     { return 1 }
func (nopEnv) Mcast(uint16, []byte) error { return nil }

// BenchmarkDeliver measures the delivery of one 1 KiB message to 4 groups
// on a node with 100 connections of 10 groups each, half of them matching.
func BenchmarkDeliver(b *testing.B) {
	e := New(nopEnv{}, nil)
	for i := range 100 {
		var gs []api.Group
		for j := range 10 {
			gs = append(gs, api.MustGroup(fmt.Sprintf("c%d-g%d", i, j)))
		}
		if i%2 == 0 {
			gs = append(gs, api.MustGroup(fmt.Sprintf("shared%d", i%4)))
		}
		e.LibRequest(nopConn{uint64(i + 1)}, 1, api.FnJoin, api.AppendGroups(nil, gs))
	}
	msg := Message(FnMcast, Mcast{
		Groups: []api.Group{api.MustGroup("shared0"), api.MustGroup("shared2"), api.MustGroup("x"), api.MustGroup("y")},
		Msg:    make([]byte, 1024),
	}.Body())
	b.ReportAllocs()
	for b.Loop() {
		e.Deliver(2, FnMcast, msg, false)
	}
	if e.Stats().Callbacks == 0 {
		b.Fatal("nothing delivered")
	}
}
