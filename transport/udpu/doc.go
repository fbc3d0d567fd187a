// Package udpu is corosync's "udpu" transport: UDP unicast to every member
// of a static node list, with no multicast on the network. It implements
// transport.Transport the way a foreign node does it in a ring of corosync
// 3.1 daemons (reference corosync-wire.md §1).
//
// # Sockets and addressing
//
// One UDP socket, bound to Local (ring0_addr:mcastport), carries
// everything. A "multicast" (Datagram.To == 0: join, mcast, merge detect,
// hold cancel) is one datagram per member, this node included, in member
// order; a token goes to the member with that nodeid. Corosync fans out from
// ephemeral source ports; we send everything from the bound port, which its
// receivers accept because they check only the source IP. A datagram for a
// nodeid that is not a member is dropped and counted in UnknownTargets:
// corosync cannot resolve it either, and Totem will notice.
//
// With BlockUnlistedIPs (corosync's block_unlisted_ips) a datagram whose
// source IP is not a member's address is dropped, counted in Rejected and
// logged at debug level as "Packet rejected from IP", at most once a second
// with the number held back.
//
// IPv4 and IPv6 both work; the family is Local's, and members of the other
// family are refused. Received From addresses carry no IPv6 zone.
//
// # Member list
//
// The member list is an immutable table behind an atomic pointer:
// SetMembers builds a new table and swaps it in, so Send (one goroutine),
// Recv (another) and SetMembers (any) never lock and never see half a
// reload. Members with nodeid 0, of the wrong family, or with a duplicate
// nodeid or address are left out with a warning (New refuses them).
//
// # Sizes
//
// Datagrams are not limited by the MTU: recovery copies, joins and commit
// tokens of large rings exceed netmtu, corosync sends them anyway and the
// kernel fragments them. A datagram larger than a UDP payload can be
// (65507 bytes over IPv4, 65527 over IPv6) is refused, counted in
// SendErrors, and the rest of the call is still sent. A received datagram
// larger than its Packet.Buf is dropped and counted in Truncated, never
// returned in part.
//
// The socket buffers are max(4 MiB, 2048 × (MTU + 512)) bytes for receive
// and send, enough for several token rotations of full windows. As root
// SO_RCVBUFFORCE/SO_SNDBUFFORCE pass the net.core.[rw]mem_max limits;
// otherwise the kernel caps the request silently.
//
// # Batching
//
// With Batch set, Send hands all the datagrams of a call (every copy of
// every multicast) to one sendmmsg, and Recv takes up to len(pkts)
// datagrams, at most 1024, with one recvmmsg. The system calls are made
// directly on the socket (golang.org/x/sys/unix), because the x/net
// ReadBatch allocates a source address per datagram; both paths allocate
// nothing in the steady state. Without it, package net makes one system
// call per datagram.
//
// Measured on the development machine (2-core AMD EPYC VM, Linux 6.18,
// loopback, go test -bench, median of three):
//
//	                               ns/datagram        datagrams/s
//	                               single   batch     single   batch
//	Send, 16 mcasts × 3 members,  64 B    4400   3140    227 k   319 k
//	                            1400 B    4380   3600    228 k   278 k
//	Recv, 64 buffers,             64 B    1330    610    751 k  1644 k
//	                            1400 B    1300    660    771 k  1512 k
//
// Batching is 20-30 % cheaper per datagram on send (the kernel's loopback
// delivery dominates what is left) and half as costly on receive, so the
// executive sets Batch. The single-datagram path stays as the baseline and
// a fallback (on a system without recvmmsg it is the only one).
//
// # Buffers
//
// Recv fills pkts[:n] with the accepted datagrams in arrival order. When it
// drops one from the middle of a batch it moves the later ones forward by
// exchanging Buf slices between entries of pkts, so a caller must take
// each entry's Buf after Recv, not assume it kept its own.
//
// The socket layer (both I/O paths, the member table, the counters and
// the log rate limits) is transport/internal/udpsock, shared with package
// udp; this package decides where the socket binds, whom a datagram goes
// to, and which sources are accepted.
package udpu
