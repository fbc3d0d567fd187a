package udpsock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"syscall"

	"goais/transport"
)

// Receive batches are capped at the kernel's UIO_MAXIOV, the most messages
// one recvmmsg or sendmmsg call takes.
const maxBatch = 1024

// skbOverhead approximates what the kernel charges a socket buffer per
// datagram beyond the payload (struct sk_buff and its rounding), so that the
// buffer size expressed in datagrams of MTU bytes is about right.
const skbOverhead = 512

// bufferFrames is how many full-size frames the socket buffers should hold:
// several token rotations' worth of a window of 50 messages from a few dozen
// nodes, so that a burst outruns neither the reader nor the NIC queue.
const bufferFrames = 2048

// minBuffer is the smallest socket buffer we ask for, whatever the MTU.
const minBuffer = 4 << 20

// socketBuffer returns the SO_RCVBUF/SO_SNDBUF size for a network MTU.
func socketBuffer(mtu int) int {
	return max(minBuffer, bufferFrames*(mtu+skbOverhead))
}

// Socket is one UDP socket with the batched (recvmmsg/sendmmsg) and the
// single-datagram (package net) paths over it. Send-side fields are used only
// by the goroutine that calls Queue and Flush, receive-side fields only by
// the one that calls Recv; the counters and closed are shared.
type Socket struct {
	name       string // transport name for messages: "udpu" or "udp"
	conn       *net.UDPConn
	raw        syscall.RawConn
	batch      bool
	maxPayload int // largest UDP payload the address family can carry
	log        *slog.Logger
	closed     atomic.Bool
	cnt        counters

	// Send side.
	pending []pendingSend
	// Receive side. accept decides whether a received datagram is handed to
	// the caller; it may count and log the ones it refuses.
	accept func(p *transport.Packet) bool

	sendErrLog, truncLog, oversizeLog Limiter

	mmsgState // batched-path buffers (platform specific)
}

// pendingSend is one datagram queued for one destination until Flush.
type pendingSend struct {
	to   *Dest
	data []byte
}

// Config is what Open needs.
type Config struct {
	// Name is the transport's name ("udpu" or "udp"); errors start with it.
	Name string
	// Network is "udp4" or "udp6".
	Network string
	// Bind is the address the socket binds to.
	Bind netip.AddrPort
	// Batch asks for the recvmmsg/sendmmsg path; it is ignored where the
	// system has none (see Socket.Batched).
	Batch bool
	// MTU is the network MTU; it sizes the socket buffers.
	MTU int
	// Log receives the debug messages about dropped datagrams and the
	// socket buffer sizes. It must not be nil.
	Log *slog.Logger
	// Control runs on the socket before bind (socket options that must
	// precede bind, such as SO_REUSEADDR). It may be nil.
	Control func(fd uintptr) error
	// Accept sees every received datagram that was not truncated and
	// decides whether Recv returns it; it may count (Socket.CountRejected)
	// and log the ones it refuses. It runs on the goroutine that called
	// Recv. Nil accepts everything.
	Accept func(p *transport.Packet) bool
}

// Open creates and binds the socket and sizes its buffers.
func Open(c Config) (*Socket, error) {
	lc := net.ListenConfig{}
	if c.Control != nil {
		lc.Control = func(_, _ string, rc syscall.RawConn) error {
			var cerr error
			if err := rc.Control(func(fd uintptr) { cerr = c.Control(fd) }); err != nil {
				return err
			}
			return cerr
		}
	}
	pc, err := lc.ListenPacket(context.Background(), c.Network, c.Bind.String())
	if err != nil {
		return nil, fmt.Errorf("%s: bind %s: %w", c.Name, c.Bind, rootCause(err))
	}
	conn := pc.(*net.UDPConn)
	raw, err := conn.SyscallConn()
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("%s: %s: %w", c.Name, c.Bind, err)
	}
	s := &Socket{
		name:       c.Name,
		conn:       conn,
		raw:        raw,
		batch:      c.Batch && batchSupported,
		maxPayload: maxUDPPayload(c.Bind.Addr()),
		log:        c.Log,
		accept:     c.Accept,
	}
	s.initMmsg()
	s.sizeBuffers(socketBuffer(c.MTU))
	return s, nil
}

// rootCause strips the *net.OpError and *os.SyscallError wrappers so that a
// bind failure reads "address already in use" rather than repeating the
// address and the operation.
func rootCause(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// maxUDPPayload is the largest datagram the kernel sends over one address
// family: 65535 minus the UDP header, minus the IPv4 header for IPv4.
func maxUDPPayload(a netip.Addr) int {
	if a.Is4() {
		return 65535 - 20 - 8
	}
	return 65535 - 8
}

// Batched reports whether the socket uses recvmmsg/sendmmsg.
func (s *Socket) Batched() bool { return s.batch }

// Conn returns the socket, for setup that is the transport's own (such as
// joining a multicast group). Datagrams go through Queue, Flush and Recv.
func (s *Socket) Conn() *net.UDPConn { return s.conn }

// LocalAddr returns the address the socket is bound to, without IPv6 zone.
func (s *Socket) LocalAddr() netip.AddrPort {
	return unzoned(s.conn.LocalAddr().(interface{ AddrPort() netip.AddrPort }).AddrPort())
}

// Close marks the socket closed and closes it, which unblocks Recv. Later
// calls do nothing.
func (s *Socket) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.conn.Close()
}

// ioErr maps an error from the socket to what Send and Recv return.
func (s *Socket) ioErr(err error) error {
	if s.closed.Load() || errors.Is(err, net.ErrClosed) {
		return transport.ErrClosed
	}
	return fmt.Errorf("%s: %w", s.name, err)
}

// debugEnabled reports whether debug messages would be written, so that
// the drop paths build log attributes only when someone reads them.
func (s *Socket) debugEnabled() bool { return DebugEnabled(s.log) }

// DebugEnabled reports whether log writes debug messages; the transports
// ask before building the attributes of a message about a dropped datagram.
func DebugEnabled(log *slog.Logger) bool {
	return log.Enabled(context.Background(), slog.LevelDebug)
}
