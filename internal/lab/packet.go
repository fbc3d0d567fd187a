package lab

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// Captured is one UDP datagram seen on a host's interface.
type Captured struct {
	Src, Dst netip.AddrPort
	Payload  []byte
}

// Capture records the IPv4 UDP datagrams to or from one port that cross a
// host's interface, in both directions, as a packet socket sees them.
type Capture struct {
	fd   int
	port uint16
	mu   sync.Mutex
	got  []Captured
	done chan struct{}
}

// captureLimit bounds what a capture keeps.
const captureLimit = 20000

// StartCapture starts recording the UDP datagrams of port on interface dev
// until Stop.
func (h *Host) StartCapture(dev string, port uint16) (*Capture, error) {
	c := &Capture{port: port, done: make(chan struct{}), fd: -1}
	err := h.Do(func() error {
		ifi, err := net.InterfaceByName(dev)
		if err != nil {
			return err
		}
		proto := htons(unix.ETH_P_IP)
		fd, err := unix.Socket(unix.AF_PACKET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, int(proto))
		if err != nil {
			return fmt.Errorf("lab: packet socket: %w", err)
		}
		if err := unix.Bind(fd, &unix.SockaddrLinklayer{Protocol: proto, Ifindex: ifi.Index}); err != nil {
			unix.Close(fd)
			return fmt.Errorf("lab: bind packet socket to %s: %w", dev, err)
		}
		// Reads wake up now and then so that Stop is noticed.
		tv := unix.Timeval{Usec: 100000}
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv); err != nil {
			unix.Close(fd)
			return err
		}
		c.fd = fd
		return nil
	})
	if err != nil {
		return nil, err
	}
	go c.run(c.fd)
	return c, nil
}

func (c *Capture) run(fd int) {
	defer close(c.done)
	buf := make([]byte, 65536)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EINTR) {
				c.mu.Lock()
				stopped := c.fd < 0
				c.mu.Unlock()
				if stopped {
					return
				}
				continue
			}
			return
		}
		d, ok := parseIPv4UDP(buf[:n])
		if !ok || (d.Src.Port() != c.port && d.Dst.Port() != c.port) {
			continue
		}
		c.mu.Lock()
		if c.fd < 0 {
			c.mu.Unlock()
			return
		}
		if len(c.got) < captureLimit {
			c.got = append(c.got, d)
		}
		c.mu.Unlock()
	}
}

// Packets returns what was captured so far.
func (c *Capture) Packets() []Captured {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Captured(nil), c.got...)
}

// Stop ends the capture and returns everything captured.
func (c *Capture) Stop() []Captured {
	c.mu.Lock()
	fd := c.fd
	c.fd = -1
	c.mu.Unlock()
	<-c.done
	if fd >= 0 {
		unix.Close(fd)
	}
	return c.Packets()
}

// parseIPv4UDP reads an IPv4 packet carrying a whole UDP datagram.
func parseIPv4UDP(b []byte) (Captured, bool) {
	if len(b) < 20 || b[0]>>4 != 4 || b[9] != unix.IPPROTO_UDP {
		return Captured{}, false
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if frag := binary.BigEndian.Uint16(b[6:]); frag&0x3fff != 0 || ihl < 20 || total > len(b) || total < ihl+8 {
		return Captured{}, false // a fragment, or malformed
	}
	src := netip.AddrFrom4([4]byte(b[12:16]))
	dst := netip.AddrFrom4([4]byte(b[16:20]))
	u := b[ihl:total]
	ulen := int(binary.BigEndian.Uint16(u[4:]))
	if ulen < 8 || ulen > len(u) {
		return Captured{}, false
	}
	return Captured{
		Src:     netip.AddrPortFrom(src, binary.BigEndian.Uint16(u[0:])),
		Dst:     netip.AddrPortFrom(dst, binary.BigEndian.Uint16(u[2:])),
		Payload: append([]byte(nil), u[8:ulen]...),
	}, true
}

// SendSpoofed sends each payload as a UDP datagram from src to dst through
// a raw socket of the host, whatever the host's own address: how an
// attacker on the network injects datagrams that claim to come from a
// member.
func (h *Host) SendSpoofed(src, dst netip.AddrPort, payloads [][]byte) error {
	if !src.Addr().Is4() || !dst.Addr().Is4() {
		return errors.New("lab: SendSpoofed is IPv4 only")
	}
	return h.Do(func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_RAW|unix.SOCK_CLOEXEC, unix.IPPROTO_RAW)
		if err != nil {
			return fmt.Errorf("lab: raw socket: %w", err)
		}
		defer unix.Close(fd)
		to := &unix.SockaddrInet4{Addr: dst.Addr().As4()}
		for i, p := range payloads {
			pkt := buildIPv4UDP(src, dst, uint16(i+1), p)
			if err := unix.Sendto(fd, pkt, 0, to); err != nil {
				return fmt.Errorf("lab: send spoofed datagram %d (%d bytes): %w", i, len(p), err)
			}
			if i%64 == 63 {
				// Let the receiver's socket buffer drain.
				time.Sleep(time.Millisecond)
			}
		}
		return nil
	})
}

// buildIPv4UDP makes an IPv4 packet (the kernel fills in the header
// checksum) with a UDP datagram without checksum (allowed over IPv4).
func buildIPv4UDP(src, dst netip.AddrPort, id uint16, payload []byte) []byte {
	total := 20 + 8 + len(payload)
	b := make([]byte, total)
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(total))
	binary.BigEndian.PutUint16(b[4:], id)
	b[8] = 64
	b[9] = unix.IPPROTO_UDP
	s, d := src.Addr().As4(), dst.Addr().As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	binary.BigEndian.PutUint16(b[20:], src.Port())
	binary.BigEndian.PutUint16(b[22:], dst.Port())
	binary.BigEndian.PutUint16(b[24:], uint16(8+len(payload)))
	copy(b[28:], payload)
	return b
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
