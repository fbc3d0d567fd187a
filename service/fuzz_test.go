package service_test

import (
	"errors"
	"testing"

	"goais/service"
)

func FuzzDecodeHeader(f *testing.F) {
	f.Add(service.AppendHeader(nil, service.CPG, 3, 16), false)
	f.Add(service.AppendResponseHeader(nil, service.CPG, 2, 24, 1), true)
	f.Add([]byte{1, 2, 3}, false)
	f.Fuzz(func(t *testing.T, msg []byte, bigEndian bool) {
		id, fn, size, err := service.DecodeHeader(msg, bigEndian)
		if err != nil {
			if !errors.Is(err, service.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
		} else {
			if size < service.HeaderSize || size > len(msg) {
				t.Fatalf("size %d accepted for %d bytes", size, len(msg))
			}
			if !bigEndian {
				// Re-encoding gives back the first 16 bytes, padding aside.
				re := service.AppendHeader(nil, id, fn, size)
				for _, i := range []int{0, 1, 2, 3, 8, 9, 10, 11} {
					if re[i] != msg[i] {
						t.Fatalf("round trip differs at %d", i)
					}
				}
			}
		}
		_, _, rsize, _, err := service.DecodeResponseHeader(msg, bigEndian)
		if err == nil && (rsize < service.ResponseHeaderSize || rsize > len(msg)) {
			t.Fatalf("response size %d accepted for %d bytes", rsize, len(msg))
		}
	})
}

func FuzzDecodeSyncMessage(f *testing.F) {
	build, _ := service.AppendServiceBuild(nil, service.RingID{Rep: 1, Seq: 4}, []int32{0, 2, 3, 5})
	f.Add(build)
	f.Add(build[:44])
	f.Add(service.AppendBarrier(nil, service.RingID{Rep: 2, Seq: 8}))
	f.Add([]byte{7, 0, 0, 0})
	f.Fuzz(func(t *testing.T, msg []byte) {
		m, err := service.DecodeSyncMessage(msg)
		if err != nil {
			if !errors.Is(err, service.ErrMalformed) && !errors.Is(err, service.ErrUnknownSyncMessage) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		if len(m.Services) > service.MaxSyncServices {
			t.Fatalf("%d services", len(m.Services))
		}
		// Re-encoding reproduces what the decoder read.
		var re []byte
		if m.Kind == service.SyncBarrier {
			re = service.AppendBarrier(nil, m.Ring)
		} else {
			if re, err = service.AppendServiceBuild(nil, m.Ring, m.Services); err != nil {
				t.Fatal(err)
			}
		}
		m2, err := service.DecodeSyncMessage(re)
		if err != nil || m2.Kind != m.Kind || m2.Ring != m.Ring || len(m2.Services) != len(m.Services) {
			t.Fatalf("round trip: %+v vs %+v, %v", m2, m, err)
		}
	})
}

// FuzzEngineDeliverSync feeds arbitrary sync and exec messages to an engine
// in the middle of a round: nothing may panic, whatever arrives.
func FuzzEngineDeliverSync(f *testing.F) {
	build, _ := service.AppendServiceBuild(nil, service.RingID{Rep: 1, Seq: 4}, []int32{2, 9})
	f.Add(build, uint8(2), false)
	f.Add(service.AppendBarrier(nil, service.RingID{Rep: 1, Seq: 4}), uint8(1), true)
	f.Add(service.AppendHeader(nil, 2, 0, 16), uint8(3), false)
	f.Fuzz(func(t *testing.T, msg []byte, sender uint8, exec bool) {
		e := newEngineWithRound(t)
		for range 3 {
			if exec {
				e.DeliverExec(service.NodeID(sender%4), msg, sender&0x80 != 0)
			} else {
				e.DeliverSync(service.NodeID(sender%4), msg)
			}
			e.Pump()
		}
		_ = e.Status().String()
	})
}
