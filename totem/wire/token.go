package wire

// ORF token layout after the header, reference §2.2.
var tokenFields = []field{
	{"seq", 13, 4},
	{"token_seq", 17, 4},
	{"aru", 21, 4},
	{"aru_addr", 25, 4},
	{"ring_id", 29, 12},
	{"backlog", 41, 4},
	{"fcc", 45, 4},
	{"retrans_flg", 49, 4},
	{"rtr_list_entries", 53, 4},
}

// MessageType returns [TypeORFToken].
func (*Token) MessageType() MessageType { return TypeORFToken }

// AppendToken appends the ORF token (57 + 16·len(t.RTR) bytes) to dst.
// rtr_list_entries is len(t.RTR); the encoder does not enforce
// [RetransmitEntriesMax], but decoders reject more.
func AppendToken(dst []byte, t *Token) []byte {
	dst, b := grow(dst, TokenSize+RTREntrySize*len(t.RTR))
	putHeader(b, TypeORFToken, &t.Header)
	le.PutUint32(b[13:], t.Seq)
	le.PutUint32(b[17:], t.TokenSeq)
	le.PutUint32(b[21:], t.ARU)
	le.PutUint32(b[25:], uint32(t.ARUAddr))
	putRingID(b[29:], t.Ring)
	le.PutUint32(b[41:], t.Backlog)
	le.PutUint32(b[45:], t.FCC)
	le.PutUint32(b[49:], t.RetransFlg)
	le.PutUint32(b[53:], uint32(len(t.RTR)))
	e := b[TokenSize:]
	for i := range t.RTR {
		putRingID(e, t.RTR[i].Ring)
		le.PutUint32(e[12:], t.RTR[i].Seq)
		e = e[RTREntrySize:]
	}
	return dst
}

// DecodeToken decodes an ORF token into t, reusing t.RTR's capacity. Bytes
// after the retransmit list are ignored. On error t is unchanged.
func DecodeToken(b []byte, t *Token) error {
	h, r, err := decodeHeader(b, TypeORFToken)
	if err != nil {
		return err
	}
	if len(b) < TokenSize {
		return errTruncated(TypeORFToken, tokenFields, len(b))
	}
	n := r.u32(53)
	if err := checkCount(TypeORFToken, "rtr_list_entries", 53, n, RetransmitEntriesMax); err != nil {
		return err
	}
	if err := checkList(TypeORFToken, "rtr_list", TokenSize, int(n)*RTREntrySize, len(b)); err != nil {
		return err
	}
	rtr := resize(t.RTR, int(n))
	for i := range rtr {
		off := TokenSize + i*RTREntrySize
		rtr[i] = RTREntry{Ring: r.ringID(off), Seq: r.u32(off + 12)}
	}
	*t = Token{
		Header:     h,
		Seq:        r.u32(13),
		TokenSeq:   r.u32(17),
		ARU:        r.u32(21),
		ARUAddr:    r.nodeID(25),
		Ring:       r.ringID(29),
		Backlog:    r.u32(41),
		FCC:        r.u32(45),
		RetransFlg: r.u32(49),
		RTR:        rtr,
	}
	return nil
}
