// Package transport defines what the executive needs from a datagram
// transport: send Totem datagrams to one node or to every member, and receive
// datagrams into caller-owned buffers. Implementations live in the
// sub-packages: udpu (unicast fan-out, corosync's "udpu"), udp (IPv4/IPv6
// multicast, corosync's "udp") and mem (the in-memory fault network of the
// simulator).
package transport

import (
	"errors"
	"net/netip"
)

// NodeID is a Totem processor id.
type NodeID = uint32

// Member is one node the transport may send to: its nodeid and the address
// of its ring interface. The port is the cluster's mcastport.
type Member struct {
	NodeID NodeID
	Addr   netip.Addr
}

// Datagram is one message to send. To is the destination nodeid; 0 means
// "multicast": every member, this node included.
type Datagram struct {
	To   NodeID
	Data []byte
}

// Packet is one received datagram. Buf is owned by the caller and must be
// at least MaxDatagram bytes; the transport fills Buf[:N] and From.
type Packet struct {
	Buf  []byte
	N    int
	From netip.AddrPort
}

// Data returns the received bytes.
func (p *Packet) Data() []byte { return p.Buf[:p.N] }

// MaxDatagram is the receive buffer size every Packet.Buf must have: the
// largest UDP payload, so that a datagram is never truncated silently.
const MaxDatagram = 65536

// Stats counts what a transport did. All fields only grow.
type Stats struct {
	SentDatagrams  uint64 // datagrams handed to the kernel (one per destination)
	SentBytes      uint64
	SendErrors     uint64 // sends the kernel refused (e.g. no route, buffer full)
	RecvDatagrams  uint64 // datagrams accepted and returned by Recv
	RecvBytes      uint64
	Rejected       uint64 // datagrams dropped: source not in the member list
	Truncated      uint64 // datagrams dropped: larger than the receive buffer
	UnknownTargets uint64 // sends to a nodeid with no known address

	// The secauth counters, filled in by transport/secure (zero elsewhere).
	// Each counts received datagrams dropped before they reach Recv's
	// caller.
	BadDigest     uint64 // secauth: failed authentication (wrong key, corrupted)
	ShortEnvelope uint64 // secauth: shorter than the envelope
	Plaintext     uint64 // secauth: a plaintext Totem datagram
	Replayed      uint64 // secauth: replayed or older than the replay window
}

// Transport moves Totem datagrams. Send is called only from the executive's
// loop goroutine; Recv only from one reader goroutine; Close, Stats and
// SetMembers from any goroutine.
type Transport interface {
	// Send transmits every datagram; a datagram to nodeid 0 goes to every
	// member including this node. It does not keep the slices after it
	// returns. Per-destination failures are counted in Stats, not returned:
	// Totem recovers from loss, and one unreachable peer must not stop the
	// others from being served. It returns an error only once closed.
	Send(dgs []Datagram) error
	// Recv blocks until at least one datagram arrives, fills pkts[0:n] and
	// returns n. It returns ErrClosed after Close.
	Recv(pkts []Packet) (n int, err error)
	// SetMembers replaces the member list (a configuration reload).
	SetMembers(members []Member)
	// Stats returns the counters so far.
	Stats() Stats
	// Close stops the transport and unblocks Recv.
	Close() error
}

// ErrClosed is returned by Send and Recv after Close.
var ErrClosed = errors.New("transport: closed")

// Add adds o's counters to s (the sum over several rings).
func (s *Stats) Add(o Stats) {
	s.SentDatagrams += o.SentDatagrams
	s.SentBytes += o.SentBytes
	s.SendErrors += o.SendErrors
	s.RecvDatagrams += o.RecvDatagrams
	s.RecvBytes += o.RecvBytes
	s.Rejected += o.Rejected
	s.Truncated += o.Truncated
	s.UnknownTargets += o.UnknownTargets
	s.BadDigest += o.BadDigest
	s.ShortEnvelope += o.ShortEnvelope
	s.Plaintext += o.Plaintext
	s.Replayed += o.Replayed
}
