package udpsock

import (
	"log/slog"
	"net/netip"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

func TestSockaddrRoundTrip(t *testing.T) {
	for _, s := range []string{"127.0.0.1:5405", "10.1.2.3:1", "[::1]:5405", "[fd00::1]:65535", "0.0.0.0:0"} {
		ap := netip.MustParseAddrPort(s)
		r, err := encodeSockaddr(ap)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := decodeSockaddr(&r.sa)
		if !ok || got != ap {
			t.Fatalf("%s: decoded %v, %v", s, got, ok)
		}
	}
	if _, err := encodeSockaddr(netip.MustParseAddrPort("[fe80::1%no-such-interface]:1")); err == nil {
		t.Fatal("unknown zone accepted")
	}
	r, err := encodeSockaddr(netip.MustParseAddrPort("[fe80::1%7]:1"))
	if err != nil || r.sa.Scope_id != 7 {
		t.Fatalf("numeric zone: scope %d, %v", r.sa.Scope_id, err)
	}
}

// FuzzDecodeSockaddr feeds arbitrary bytes as a kernel-written source
// address: decoding never panics, and what decodes re-encodes to the same
// address.
func FuzzDecodeSockaddr(f *testing.F) {
	for _, s := range []string{"127.0.0.1:5405", "[fd00::1]:5405"} {
		r, _ := encodeSockaddr(netip.MustParseAddrPort(s))
		f.Add(unsafe.Slice((*byte)(unsafe.Pointer(&r.sa)), unix.SizeofSockaddrInet6))
	}
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var sa unix.RawSockaddrInet6
		copy(unsafe.Slice((*byte)(unsafe.Pointer(&sa)), unix.SizeofSockaddrInet6), b)
		ap, ok := decodeSockaddr(&sa)
		if !ok {
			if ap.IsValid() {
				t.Fatalf("not decoded but valid: %v", ap)
			}
			return
		}
		r, err := encodeSockaddr(ap)
		if err != nil {
			t.Fatal(err)
		}
		if back, _ := decodeSockaddr(&r.sa); back != ap {
			t.Fatalf("%v re-encoded as %v", ap, back)
		}
	})
}

// TestSocketBuffersSized: as root the forced options pass the sysctl caps,
// so the kernel grants at least what was asked (it reports double).
func TestSocketBuffersSized(t *testing.T) {
	const mtu = 1500
	s, err := Open(Config{Name: "test", Network: "udp4", Bind: netip.MustParseAddrPort("127.0.0.1:0"), MTU: mtu, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rcv, snd := s.bufferSizes()
	if want := socketBuffer(mtu); unix.Geteuid() == 0 && (rcv < want || snd < want) {
		t.Fatalf("buffers receive %d, send %d; want at least %d", rcv, snd, want)
	}
}
