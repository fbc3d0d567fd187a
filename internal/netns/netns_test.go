//go:build linux

package netns_test

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"goais/internal/netns"
)

// TestLANCarriesUDP checks the helpers end to end: two hosts on a bridge
// exchange a datagram over IPv4 and IPv6, with sockets made inside their
// namespaces and used from the test goroutine.
func TestLANCarriesUDP(t *testing.T) {
	lan := netns.NewLAN(t, "goaisnetns", [][]netip.Prefix{
		{netip.MustParsePrefix("10.233.0.1/24"), netip.MustParsePrefix("fd00:233::1/64")},
		{netip.MustParsePrefix("10.233.0.2/24"), netip.MustParsePrefix("fd00:233::2/64")},
	})
	for _, tc := range []struct{ network, a, b string }{
		{"udp4", "10.233.0.1:7000", "10.233.0.2:7000"},
		{"udp6", "[fd00:233::1]:7000", "[fd00:233::2]:7000"},
	} {
		t.Run(tc.network, func(t *testing.T) {
			var a, b net.PacketConn
			if err := lan.Hosts[0].Do(func() (err error) { a, err = net.ListenPacket(tc.network, tc.a); return err }); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if err := lan.Hosts[1].Do(func() (err error) { b, err = net.ListenPacket(tc.network, tc.b); return err }); err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if _, err := a.WriteTo([]byte("hello"), b.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			// A deadline bounds the wait; it asserts nothing about speed.
			b.SetReadDeadline(time.Now().Add(10 * time.Second))
			buf := make([]byte, 64)
			n, from, err := b.ReadFrom(buf)
			if err != nil {
				t.Fatalf("no datagram within 10 s: %v", err)
			}
			if string(buf[:n]) != "hello" || from.String() != a.LocalAddr().String() {
				t.Fatalf("got %q from %v, want %q from %v", buf[:n], from, "hello", a.LocalAddr())
			}
		})
	}
}

// TestDeleteRemovesNamespace checks that Delete is idempotent with the
// cleanup New registers.
func TestDeleteRemovesNamespace(t *testing.T) {
	n := netns.New(t, "goaisnetns")
	if err := n.Delete(); err != nil {
		t.Fatal(err)
	}
	if err := n.Delete(); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	if err := n.Do(func() error { return nil }); err == nil {
		t.Fatal("Do in a deleted namespace succeeded")
	}
}
