package totem

import "encoding/binary"

// mcastOut encodes a control message into the output arena and queues it
// as a multicast.
func (n *Node) mcastOut(encode func([]byte) []byte) {
	start := len(n.outBuf)
	n.outBuf = encode(n.outBuf)
	n.ready.Datagrams = append(n.ready.Datagrams, Datagram{To: 0, Data: n.outBuf[start:len(n.outBuf):len(n.outBuf)]})
}

// sendMcastData multicasts a stored MCAST datagram as is.
func (n *Node) sendMcastData(data []byte) {
	n.ready.Datagrams = append(n.ready.Datagrams, Datagram{To: 0, Data: data})
}

// sendLastToken unicasts the stored token (ORF or commit) to its target.
func (n *Node) sendLastToken() {
	start := len(n.outBuf)
	n.outBuf = append(n.outBuf, n.lastToken...)
	n.ready.Datagrams = append(n.ready.Datagrams, Datagram{To: n.lastTokenTo, Data: n.outBuf[start:len(n.outBuf):len(n.outBuf)]})
}

// putSeqAndRing writes the seq and ring id of a queued MCAST datagram when
// it is sent under the token (we always encode little-endian).
func putSeqAndRing(m []byte, seq uint32, ring RingID) {
	binary.LittleEndian.PutUint32(m[17:21], seq)
	binary.LittleEndian.PutUint32(m[25:29], uint32(ring.Rep))
	binary.LittleEndian.PutUint64(m[29:37], ring.Seq)
}

// allocBuf returns a message buffer of length size, from the pool when it
// fits, so that the steady-state message path does not allocate.
func (n *Node) allocBuf(size int) []byte {
	if size <= n.bufSize {
		if k := len(n.bufPool); k > 0 {
			b := n.bufPool[k-1]
			n.bufPool[k-1] = nil
			n.bufPool = n.bufPool[:k-1]
			return b[:size]
		}
		return make([]byte, size, n.bufSize)
	}
	return make([]byte, size)
}

// freeBuf hands a released message buffer back; it becomes reusable only
// after Advance, because this step's Ready may still point into it.
func (n *Node) freeBuf(b []byte) {
	if cap(b) == n.bufSize {
		n.toFree = append(n.toFree, b[:0])
	}
}
