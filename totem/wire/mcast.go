package wire

// MCAST header layout after the common header, reference §2.3.
var mcastFields = []field{
	{"system_from", 13, 4},
	{"seq", 17, 4},
	{"this_seqno", 21, 4},
	{"ring_id", 25, 12},
	{"node_id", 37, 4},
	{"guarantee", 41, 4},
}

// MessageType returns [TypeMcast].
func (*Mcast) MessageType() MessageType { return TypeMcast }

// AppendMcast appends the 45-byte MCAST header followed by m.Payload to dst.
func AppendMcast(dst []byte, m *Mcast) []byte {
	dst, b := grow(dst, McastHeaderSize+len(m.Payload))
	PutMcastHeader(b, m)
	copy(b[McastHeaderSize:], m.Payload)
	return dst
}

// PutMcastHeader writes only the 45-byte MCAST header of m into dst[:45];
// m.Payload is ignored. It lets a sender build a datagram in place (header
// then payload in one buffer) without copying the payload. It panics if
// len(dst) < 45.
func PutMcastHeader(dst []byte, m *Mcast) {
	_ = dst[McastHeaderSize-1] // panic on a short dst rather than write past its length
	b := dst[:McastHeaderSize]
	putHeader(b, TypeMcast, &m.Header)
	le.PutUint32(b[13:], uint32(m.SystemFrom))
	le.PutUint32(b[17:], m.Seq)
	le.PutUint32(b[21:], m.ThisSeqno)
	putRingID(b[25:], m.Ring)
	le.PutUint32(b[37:], m.NodeIDPad)
	le.PutUint32(b[41:], m.Guarantee)
}

// DecodeMcast decodes an MCAST into m. m.Payload aliases b[45:] (no copy;
// its capacity is capped at its length so appending to it cannot overwrite
// b's spare capacity). The payload is never byte-swapped: upper layers swap
// their own fields using the sender's byte order from [PeekHeader]. On error
// m is unchanged.
func DecodeMcast(b []byte, m *Mcast) error {
	h, r, err := decodeHeader(b, TypeMcast)
	if err != nil {
		return err
	}
	if len(b) < McastHeaderSize {
		return errTruncated(TypeMcast, mcastFields, len(b))
	}
	*m = Mcast{
		Header:     h,
		SystemFrom: r.nodeID(13),
		Seq:        r.u32(17),
		ThisSeqno:  r.u32(21),
		Ring:       r.ringID(25),
		NodeIDPad:  r.u32(37),
		Guarantee:  r.u32(41),
		Payload:    b[McastHeaderSize:len(b):len(b)],
	}
	return nil
}
