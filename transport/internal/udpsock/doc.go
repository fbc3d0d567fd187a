// Package udpsock is the UDP socket layer shared by the udpu and udp
// transports: one socket with a batched (recvmmsg/sendmmsg) and a
// single-datagram (package net) path, the member table both transports send
// by, the transport.Stats counters, and a rate limiter for debug messages
// about dropped datagrams. What differs between the transports (where the
// socket binds, whom a "multicast" goes to, which sources are accepted,
// learning addresses) stays in their packages; the packages document the
// behaviour as a whole.
//
// # Use
//
// A transport opens a Socket with Open, giving a Config with the bind
// address and an Accept function that sees every received datagram. Its
// Send resolves each datagram's destinations to Dests (from a MemberTable
// or its own), hands each copy to Socket.Queue and ends with Socket.Flush;
// its Recv is Socket.Recv. Queue and Flush are called only from the
// goroutine that sends, Recv only from the one that receives; Close, Stats
// and the Count methods from any.
//
// # Sizes
//
// Queue refuses a datagram larger than a UDP payload of the socket's
// address family can be (65507 bytes over IPv4, 65527 over IPv6) and
// counts it in SendErrors; the datagrams queued with it are still sent. A
// received datagram larger than its Packet.Buf is dropped and counted in
// Truncated, never returned in part. The socket buffers are max(4 MiB,
// 2048 × (MTU + 512)) bytes, forced past net.core.[rw]mem_max as root.
//
// # Batching
//
// With Config.Batch on Linux, Flush hands every queued datagram to as few
// sendmmsg calls as the kernel takes (1024 at most each), and Recv takes up
// to len(pkts) datagrams, at most 1024, with one recvmmsg. The system
// calls are made directly on the socket (golang.org/x/sys/unix), because
// the x/net ReadBatch allocates a source address per datagram; both paths
// allocate nothing in the steady state. Elsewhere, or without Batch,
// package net makes one system call per datagram.
//
// # Buffers
//
// Recv fills pkts[:n] with the accepted datagrams in arrival order. When it
// drops one from the middle of a batch it moves the later ones forward by
// exchanging Buf slices between entries of pkts, so a caller must take
// each entry's Buf after Recv, not assume it kept its own.
package udpsock
