// Package netns builds throw-away Linux network namespaces for tests:
// hosts with veth interfaces, a bridge joining them, and a way to create
// sockets inside a namespace. Multicast tests need it because the loopback
// interface carries no multicast, and multi-node tests use it to give every
// node its own addresses without touching the machine's network.
//
// A typical LAN of three hosts:
//
//	lan := netns.NewLAN(t, "goaisudp", [][]netip.Prefix{
//		{netip.MustParsePrefix("10.231.0.1/24")},
//		{netip.MustParsePrefix("10.231.0.2/24")},
//		{netip.MustParsePrefix("10.231.0.3/24")},
//	})
//	var conn net.PacketConn
//	err := lan.Hosts[0].Do(func() (err error) {
//		conn, err = net.ListenPacket("udp4", "10.231.0.1:5405")
//		return err
//	})
//
// A socket belongs to the namespace of the thread that created it and stays
// there, so conn keeps working from any goroutine after Do returns.
//
// Every namespace is named "<prefix>-<pid>-<n>", so that parallel test
// binaries never collide, and is deleted by t.Cleanup even when the test
// fails. Namespaces left behind by a test binary that was killed are swept
// the next time New runs with the same prefix.
//
// Everything here needs root and the ip command (iproute2). The helpers fail
// the test, with a message saying what is missing, rather than skip it: a
// skipped network test would look like a passing one.
package netns
