//go:build !linux

package udpsock

import (
	"errors"
	"net/netip"

	"goais/transport"
)

// batchSupported: recvmmsg and sendmmsg are Linux system calls; elsewhere
// every datagram takes its own call through package net.
const batchSupported = false

var errNoBatch = errors.New("batched I/O is not supported on this system")

// rawSockaddr is only needed by the batched path.
type rawSockaddr struct{}

func encodeSockaddr(netip.AddrPort) (rawSockaddr, error) { return rawSockaddr{}, nil }

type mmsgState struct{}

func (s *Socket) initMmsg()                                 {}
func (s *Socket) sendBatch() error                          { return errNoBatch }
func (s *Socket) recvBatch([]transport.Packet) (int, error) { return 0, errNoBatch }

func (s *Socket) sizeBuffers(size int) {
	_ = s.conn.SetReadBuffer(size)
	_ = s.conn.SetWriteBuffer(size)
}

func (s *Socket) bufferSizes() (rcv, snd int) { return 0, 0 }
