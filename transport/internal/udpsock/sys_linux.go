package udpsock

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"

	"goais/transport"
)

// batchSupported: Linux has recvmmsg and sendmmsg.
const batchSupported = true

// rawSockaddr is a destination in the kernel's form, encoded once per
// member so that sendmmsg needs no conversion per datagram.
type rawSockaddr struct {
	sa  unix.RawSockaddrInet6 // large enough for sockaddr_in too
	len uint32
}

// encodeSockaddr builds the sockaddr_in or sockaddr_in6 for ap. An IPv6
// zone becomes the scope id.
func encodeSockaddr(ap netip.AddrPort) (rawSockaddr, error) {
	var r rawSockaddr
	a := ap.Addr()
	if a.Is4() {
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&r.sa))
		sa4.Family = unix.AF_INET
		putPort(&sa4.Port, ap.Port())
		sa4.Addr = a.As4()
		r.len = unix.SizeofSockaddrInet4
		return r, nil
	}
	id, err := scopeID(a.Zone())
	if err != nil {
		return r, err
	}
	r.sa.Family = unix.AF_INET6
	putPort(&r.sa.Port, ap.Port())
	r.sa.Addr = a.As16()
	r.sa.Scope_id = id
	r.len = unix.SizeofSockaddrInet6
	return r, nil
}

// decodeSockaddr reads the source address recvmmsg stored. It reports false
// for anything but an IPv4 or IPv6 address. The zone is dropped (From never
// carries one), and an IPv4-mapped IPv6 address is unmapped.
func decodeSockaddr(sa *unix.RawSockaddrInet6) (netip.AddrPort, bool) {
	switch sa.Family {
	case unix.AF_INET:
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(sa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa4.Addr), getPort(&sa4.Port)), true
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), getPort(&sa.Port)), true
	}
	return netip.AddrPort{}, false
}

// The sockaddr port field holds the port in network byte order.
func putPort(p *uint16, port uint16) {
	b := (*[2]byte)(unsafe.Pointer(p))
	b[0], b[1] = byte(port>>8), byte(port)
}

func getPort(p *uint16) uint16 {
	b := (*[2]byte)(unsafe.Pointer(p))
	return uint16(b[0])<<8 | uint16(b[1])
}

// mmsgState holds the message headers of the batched path. They are
// allocated at the first call, grown when a bigger batch comes, and reused,
// so that the steady state allocates nothing.
type mmsgState struct {
	out     []unix.Mmsghdr
	outIov  []unix.Iovec
	outN    int    // headers filled for this flush
	outOff  int    // headers handled so far (sent or refused)
	outFail uint64 // headers the kernel refused
	writeFn func(fd uintptr) bool

	in      []unix.Mmsghdr
	inIov   []unix.Iovec
	inAddr  []unix.RawSockaddrInet6
	inN     int // headers offered to recvmmsg
	inGot   int // datagrams it returned
	inErrno unix.Errno
	readFn  func(fd uintptr) bool
}

// initMmsg binds the raw-connection callbacks once; a method value made per
// call would allocate.
func (s *Socket) initMmsg() {
	s.writeFn = s.writeMmsg
	s.readFn = s.readMmsg
}

// sendBatch sends the queued datagrams with as few sendmmsg calls as the
// kernel allows.
func (s *Socket) sendBatch() error {
	n := len(s.pending)
	if n == 0 {
		return nil
	}
	if cap(s.out) < n {
		s.out = make([]unix.Mmsghdr, n)
		s.outIov = make([]unix.Iovec, n)
	}
	out, iovs := s.out[:n], s.outIov[:n]
	for i := range s.pending {
		p := &s.pending[i]
		iov := &iovs[i]
		iov.Base = nil
		if len(p.data) > 0 {
			iov.Base = &p.data[0]
		}
		iov.SetLen(len(p.data))
		h := &out[i]
		h.Hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&p.to.sa.sa)), Namelen: p.to.sa.len, Iov: iov}
		h.Hdr.SetIovlen(1)
		h.Len = 0
	}
	s.outN, s.outOff, s.outFail = n, 0, 0
	err := s.raw.Write(s.writeFn)
	var bytes uint64
	for i := range s.outOff {
		bytes += uint64(out[i].Len)
	}
	s.countSent(uint64(s.outOff)-s.outFail, bytes, s.outFail)
	// Forget the caller's slices and the member table.
	clear(out)
	clear(iovs)
	if err != nil {
		return s.ioErr(err)
	}
	return nil
}

// writeMmsg runs on the socket when it is writable. When sendmmsg fails it
// has sent nothing from the first header on; that header is counted as
// refused and the rest go in the next call.
func (s *Socket) writeMmsg(fd uintptr) bool {
	for s.outOff < s.outN {
		vlen := min(s.outN-s.outOff, maxBatch)
		r, _, errno := unix.Syscall6(unix.SYS_SENDMMSG, fd,
			uintptr(unsafe.Pointer(&s.out[s.outOff])), uintptr(vlen), 0, 0, 0)
		switch {
		case errno == unix.EINTR:
		case errno == unix.EAGAIN:
			return false // wait until writable
		case errno != 0 || r == 0:
			s.outFail++
			s.logSendError(s.pending[s.outOff].to, os.NewSyscallError("sendmmsg", errno))
			s.outOff++
		default:
			s.outOff += int(r)
		}
	}
	return true
}

// recvBatch receives up to len(pkts) datagrams with one recvmmsg, blocking
// until the first one. Truncated datagrams come back with N = -1.
func (s *Socket) recvBatch(pkts []transport.Packet) (int, error) {
	n := min(len(pkts), maxBatch)
	if cap(s.in) < n {
		s.in = make([]unix.Mmsghdr, n)
		s.inIov = make([]unix.Iovec, n)
		s.inAddr = make([]unix.RawSockaddrInet6, n)
	}
	in, iovs := s.in[:n], s.inIov[:n]
	for i := range in {
		b := pkts[i].Buf
		if len(b) == 0 {
			return 0, s.ioErr(errEmptyBuf)
		}
		iovs[i].Base = &b[0]
		iovs[i].SetLen(len(b))
		h := &in[i]
		h.Hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&s.inAddr[i])), Namelen: unix.SizeofSockaddrInet6, Iov: &iovs[i]}
		h.Hdr.SetIovlen(1)
		h.Len = 0
	}
	s.inN, s.inGot, s.inErrno = n, 0, 0
	if err := s.raw.Read(s.readFn); err != nil {
		return 0, s.ioErr(err)
	}
	if s.inErrno != 0 {
		return 0, s.ioErr(os.NewSyscallError("recvmmsg", s.inErrno))
	}
	for i := range s.inGot {
		p, h := &pkts[i], &in[i]
		p.N = int(h.Len)
		if h.Hdr.Flags&unix.MSG_TRUNC != 0 {
			p.N = -1
		}
		p.From, _ = decodeSockaddr(&s.inAddr[i])
	}
	return s.inGot, nil
}

// readMmsg runs on the socket when it is readable. On a non-blocking socket
// recvmmsg returns what is queued, up to inN, once it has at least one.
func (s *Socket) readMmsg(fd uintptr) bool {
	for {
		r, _, errno := unix.Syscall6(unix.SYS_RECVMMSG, fd,
			uintptr(unsafe.Pointer(&s.in[0])), uintptr(s.inN), 0, 0, 0)
		switch errno {
		case 0:
			s.inGot = int(r)
			return true
		case unix.EINTR:
		case unix.EAGAIN:
			return false // wait until readable
		default:
			s.inErrno = errno
			return true
		}
	}
}

// sizeBuffers asks for size-byte receive and send buffers. As root the
// *BUFFORCE options pass the net.core.[rw]mem_max limits; otherwise the
// kernel silently caps the plain options at those limits, which is the best
// an unprivileged executive can get.
func (s *Socket) sizeBuffers(size int) {
	_ = s.raw.Control(func(fd uintptr) {
		for _, o := range [...]struct{ force, plain int }{
			{unix.SO_RCVBUFFORCE, unix.SO_RCVBUF},
			{unix.SO_SNDBUFFORCE, unix.SO_SNDBUF},
		} {
			if unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o.force, size) != nil {
				_ = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, o.plain, size)
			}
		}
	})
	if s.debugEnabled() {
		rcv, snd := s.bufferSizes()
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "socket buffers",
			slog.Int("wanted", size), slog.Int("receive", rcv), slog.Int("send", snd))
	}
}

// bufferSizes returns the receive and send buffer sizes the kernel granted
// (it reports twice what was set, the bookkeeping overhead included).
func (s *Socket) bufferSizes() (rcv, snd int) {
	_ = s.raw.Control(func(fd uintptr) {
		rcv, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		snd, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF)
	})
	return rcv, snd
}
