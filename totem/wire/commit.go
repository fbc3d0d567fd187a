package wire

// MEMB_COMMIT_TOKEN fixed layout after the header, reference §2.6.
var commitTokenFields = []field{
	{"token_seq", 13, 4},
	{"ring_id", 17, 12},
	{"retrans_flg", 29, 4},
	{"memb_index", 33, 4},
	{"addr_entries", 37, 4},
}

// MessageType returns [TypeCommitToken].
func (*CommitToken) MessageType() MessageType { return TypeCommitToken }

// AppendCommitToken appends the MEMB_COMMIT_TOKEN (41 + 28·N bytes) to dst.
// addr_entries N is len(c.Addr). c.Memb must have the same length: missing
// entries are written as zero (unfilled) and extra ones are dropped, since
// the wire has a single count for both arrays.
func AppendCommitToken(dst []byte, c *CommitToken) []byte {
	n := len(c.Addr)
	dst, b := grow(dst, CommitTokenSize+(4+MembEntrySize)*n)
	putHeader(b, TypeCommitToken, &c.Header)
	le.PutUint32(b[13:], c.TokenSeq)
	putRingID(b[17:], c.Ring)
	le.PutUint32(b[29:], c.RetransFlg)
	le.PutUint32(b[33:], c.MembIndex)
	le.PutUint32(b[37:], uint32(n))
	putNodeIDs(b[CommitTokenSize:], c.Addr)
	e := b[CommitTokenSize+4*n:]
	for i := range n {
		var m MembEntry
		if i < len(c.Memb) {
			m = c.Memb[i]
		}
		putRingID(e, m.Ring)
		le.PutUint32(e[12:], m.ARU)
		le.PutUint32(e[16:], m.HighDelivered)
		le.PutUint32(e[20:], m.ReceivedFlg)
		e = e[MembEntrySize:]
	}
	return dst
}

// DecodeCommitToken decodes a MEMB_COMMIT_TOKEN into c, reusing the
// capacity of c.Addr and c.Memb. Bytes after memb_list are ignored. On error
// c is unchanged.
//
// For a big-endian sender every memb entry is swapped. The reference says
// corosync skips entries whose old ring rep is 0; those are the unfilled,
// all-zero entries, for which swapping changes nothing.
func DecodeCommitToken(b []byte, c *CommitToken) error {
	h, r, err := decodeHeader(b, TypeCommitToken)
	if err != nil {
		return err
	}
	if len(b) < CommitTokenSize {
		return errTruncated(TypeCommitToken, commitTokenFields, len(b))
	}
	n := r.u32(37)
	if err := checkCount(TypeCommitToken, "addr_entries", 37, n, ProcessorsMax); err != nil {
		return err
	}
	membOff := CommitTokenSize + 4*int(n)
	if err := checkList(TypeCommitToken, "addr", CommitTokenSize, 4*int(n), len(b)); err != nil {
		return err
	}
	if err := checkList(TypeCommitToken, "memb_list", membOff, MembEntrySize*int(n), len(b)); err != nil {
		return err
	}
	addr := readNodeIDs(r, CommitTokenSize, resize(c.Addr, int(n)))
	memb := resize(c.Memb, int(n))
	for i := range memb {
		off := membOff + i*MembEntrySize
		memb[i] = MembEntry{
			Ring:          r.ringID(off),
			ARU:           r.u32(off + 12),
			HighDelivered: r.u32(off + 16),
			ReceivedFlg:   r.u32(off + 20),
		}
	}
	*c = CommitToken{
		Header:     h,
		TokenSeq:   r.u32(13),
		Ring:       r.ringID(17),
		RetransFlg: r.u32(29),
		MembIndex:  r.u32(33),
		Addr:       addr,
		Memb:       memb,
	}
	return nil
}
