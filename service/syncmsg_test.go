package service_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"

	"goais/service"
)

var le = binary.LittleEndian

func TestServiceBuildLayout(t *testing.T) {
	ring := service.RingID{Rep: 0x01020304, Seq: 0x1122334455667788}
	msg, err := service.AppendServiceBuild([]byte{0xee}, ring, []int32{0, 2, 3, 5})
	if err != nil {
		t.Fatal(err)
	}
	if msg[0] != 0xee {
		t.Fatal("dst prefix lost")
	}
	msg = msg[1:]
	if len(msg) != 552 || service.ServiceBuildSize != 552 {
		t.Fatalf("SERVICE_BUILD is %d bytes, want 552", len(msg))
	}
	want := make([]byte, 552)
	le.PutUint32(want[0:], 1)   // id 1, bare
	le.PutUint32(want[8:], 552) // size
	copy(want[16:], []byte{0x04, 0x03, 0x02, 0x01, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11})
	le.PutUint32(want[32:], 4) // entries
	for i, id := range []uint32{0, 2, 3, 5} {
		le.PutUint32(want[40+4*i:], id)
	}
	if !bytes.Equal(msg, want) {
		t.Fatalf("SERVICE_BUILD differs:\n got % x\nwant % x", msg[:64], want[:64])
	}
	m, err := service.DecodeSyncMessage(msg)
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != service.SyncServiceBuild || m.Ring != ring || !reflect.DeepEqual(m.Services, []int32{0, 2, 3, 5}) {
		t.Fatalf("decoded %+v", m)
	}
}

func TestBarrierLayout(t *testing.T) {
	ring := service.RingID{Rep: 3, Seq: 0x10}
	msg := service.AppendBarrier(nil, ring)
	want := []byte{
		0, 0, 0, 0, 0, 0, 0, 0, // id 0 + pad
		32, 0, 0, 0, 0, 0, 0, 0, // size 32 + pad
		3, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, // ring: rep u32, seq u64
		0, 0, 0, 0, // pad to 32
	}
	if !bytes.Equal(msg, want) || service.BarrierSize != 32 {
		t.Fatalf("BARRIER = % x\nwant      % x", msg, want)
	}
	m, err := service.DecodeSyncMessage(msg)
	if err != nil || m.Kind != service.SyncBarrier || m.Ring != ring || m.Services != nil {
		t.Fatalf("decoded %+v, %v", m, err)
	}
}

func TestServiceBuildLimits(t *testing.T) {
	full := make([]int32, service.MaxSyncServices)
	for i := range full {
		full[i] = int32(i)
	}
	msg, err := service.AppendServiceBuild(nil, service.RingID{Rep: 1, Seq: 4}, full)
	if err != nil || len(msg) != 552 {
		t.Fatalf("128 services: %d bytes, %v", len(msg), err)
	}
	if m, err := service.DecodeSyncMessage(msg); err != nil || !reflect.DeepEqual(m.Services, full) {
		t.Fatalf("128 services decode: %v", err)
	}
	if _, err := service.AppendServiceBuild(nil, service.RingID{}, append(full, 128)); err == nil {
		t.Fatal("129 services accepted")
	}
	// Negative and odd ids pass through: they become dummies.
	msg, _ = service.AppendServiceBuild(nil, service.RingID{}, []int32{-1, 70000})
	if m, _ := service.DecodeSyncMessage(msg); !reflect.DeepEqual(m.Services, []int32{-1, 70000}) {
		t.Fatalf("odd ids decode to %v", m.Services)
	}
}

func TestDecodeSyncMessageErrors(t *testing.T) {
	build, _ := service.AppendServiceBuild(nil, service.RingID{Rep: 1, Seq: 4}, []int32{2, 5})
	negative := bytes.Clone(build)
	le.PutUint32(negative[32:], 0xffffffff)
	for _, tc := range []struct {
		name    string
		msg     []byte
		unknown bool
	}{
		{"empty", nil, false},
		{"short header", build[:15], false},
		{"unknown id", append([]byte{7}, build[1:]...), true},
		{"barrier without ring", service.AppendBarrier(nil, service.RingID{})[:27], false},
		{"build without count", build[:35], false},
		{"build list cut", build[:47], false},
		{"negative count", negative, false},
	} {
		_, err := service.DecodeSyncMessage(tc.msg)
		switch {
		case err == nil:
			t.Errorf("%s: decoded", tc.name)
		case tc.unknown != errors.Is(err, service.ErrUnknownSyncMessage),
			!tc.unknown != errors.Is(err, service.ErrMalformed):
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	// The shortest messages receivers accept: a barrier up to its ring id,
	// a SERVICE_BUILD up to its last entry; size fields are ignored.
	if _, err := service.DecodeSyncMessage(service.AppendBarrier(nil, service.RingID{})[:28]); err != nil {
		t.Errorf("28-byte barrier: %v", err)
	}
	if m, err := service.DecodeSyncMessage(build[:48]); err != nil || len(m.Services) != 2 {
		t.Errorf("48-byte SERVICE_BUILD: %v", err)
	}
}
