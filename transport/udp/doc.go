// Package udp is corosync's "udp" transport: Totem multicasts go to an IPv4
// or IPv6 multicast group, tokens by unicast. It implements
// transport.Transport in the form the reference recommends for a foreign
// node (corosync-wire.md §1.2): one socket instead of corosync's three.
//
// # Socket
//
// The socket is bound to the wildcard address (0.0.0.0 or [::]) on the
// group's port, with SO_REUSEADDR so that a restarted executive, or
// executives in several namespaces, can bind it. It joins the group on the
// interface that holds Local, sends multicasts through that interface
// (IP_MULTICAST_IF, with Local as the IPv4 source even when it is not the
// interface's primary address), with the configured TTL or hop limit
// (default 1), and with multicast loopback off. Totem needs its own
// multicasts back: corosync gets them through a socketpair, we send each one
// to the loopback address at the group port as well, which works even while
// the link is down (a node that cannot hear itself cannot form its singleton
// ring). So the udp transport wants one executive per network namespace, as
// corosync's udp does: two executives in one namespace would neither hear
// each other's multicasts nor be sure to get their own copies. On Linux IP(V6)_MULTICAST_ALL is turned off, so the socket
// hears only its own group. Nothing is filtered by source: corosync's udp
// accepts any sender, and Rejected stays 0.
//
// New must run in the network namespace the transport is for (the socket
// and the interface look-up belong to the calling thread's namespace).
// Unicasts leave from the wildcard socket, so their source address is the
// one the kernel's route picks on the ring network; corosync's receivers do
// not check it.
//
// # Addressing and learning
//
// A datagram to nodeid 0 is one send to the group. A datagram to a nodeid
// goes to that member's address at the group's port. Configurations without
// a nodelist (openais) have no member addresses, so the transport learns
// them: for every received datagram whose Totem header is valid (see
// wire.PeekHeader) and names a nonzero nodeid that is not a member, it
// records nodeid → source IP. MCAST datagrams are not learned from, because
// a retransmitted MCAST carries its originator's nodeid but comes from the
// node that retransmits it; every other type (token, join, commit token,
// merge detect, hold cancel) carries its actual sender, and nodes multicast
// joins before anyone sends them a token. A node learns itself at the
// loopback address, where its own copies come from and where a token to
// itself (a ring of one) is best sent. Listed members always win over
// learned addresses; a node seen at a new address is re-learned. The
// learned table is immutable behind an atomic pointer, written only by the
// Recv goroutine, and copied only when an address is new or changes, so the
// steady state allocates nothing; it holds at most 1536 nodeids.
//
// A nodeid with neither a member address nor a learned one is counted in
// UnknownTargets and the datagram dropped.
//
// # Sizes, buffers, batching
//
// As in package udpu: no MTU limit on datagrams (the kernel fragments),
// oversize datagrams refused and counted in SendErrors, truncated ones
// dropped and counted in Truncated, socket buffers of max(4 MiB,
// 2048 × (MTU + 512)) bytes (forced as root), recvmmsg/sendmmsg made
// directly so that nothing allocates per datagram, and Recv may exchange
// the Buf slices of the entries of pkts.
//
// Measured on the development machine (2-core AMD EPYC VM, Linux 6.18,
// three network namespaces on a bridge, go test -bench, median of three):
//
//	                               ns/datagram        datagrams/s
//	                               single   batch     single   batch
//	Send, 16 mcasts (3 copies),   64 B   10900   9200     92 k   109 k
//	                            1400 B   11900   9240     84 k   108 k
//	Recv, 64 buffers,             64 B    1320    680    758 k  1469 k
//	                            1400 B    1390    710    719 k  1402 k
//
// A multicast send pays for the bridge's copies to every host inside the
// system call, so batching saves less there (15-20 %) than on receive,
// where it halves the cost. The executive therefore sets Batch; the
// single-datagram path stays as the baseline and a fallback.
//
// The socket layer (both I/O paths, the member table, the counters and
// the log rate limits) is transport/internal/udpsock, shared with package
// udpu; this package adds the group, the socket options and learning.
package udp
