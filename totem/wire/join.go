package wire

// MEMB_JOIN fixed layout after the header, reference §2.5.
var joinFields = []field{
	{"system_from", 13, 4},
	{"proc_list_entries", 17, 4},
	{"failed_list_entries", 21, 4},
	{"ring_seq", 25, 8},
}

// MessageType returns [TypeJoin].
func (*Join) MessageType() MessageType { return TypeJoin }

// AppendJoin appends the MEMB_JOIN (33 + 4·(P+F) bytes) to dst. A LEAVE is
// encoded by setting j.Header.NodeID to 0. The encoder does not enforce
// [ProcessorsMax]; decoders reject longer lists.
func AppendJoin(dst []byte, j *Join) []byte {
	p, f := len(j.ProcList), len(j.FailedList)
	dst, b := grow(dst, JoinSize+4*(p+f))
	putHeader(b, TypeJoin, &j.Header)
	le.PutUint32(b[13:], uint32(j.SystemFrom))
	le.PutUint32(b[17:], uint32(p))
	le.PutUint32(b[21:], uint32(f))
	le.PutUint64(b[25:], j.RingSeq)
	putNodeIDs(b[JoinSize:], j.ProcList)
	putNodeIDs(b[JoinSize+4*p:], j.FailedList)
	return dst
}

// DecodeJoin decodes a MEMB_JOIN into j, reusing the capacity of
// j.ProcList and j.FailedList. Bytes after the failed list are ignored. On
// error j is unchanged.
func DecodeJoin(b []byte, j *Join) error {
	h, r, err := decodeHeader(b, TypeJoin)
	if err != nil {
		return err
	}
	if len(b) < JoinSize {
		return errTruncated(TypeJoin, joinFields, len(b))
	}
	p, f := r.u32(17), r.u32(21)
	if err := checkCount(TypeJoin, "proc_list_entries", 17, p, ProcessorsMax); err != nil {
		return err
	}
	if err := checkCount(TypeJoin, "failed_list_entries", 21, f, ProcessorsMax); err != nil {
		return err
	}
	// Checked per list rather than as one 33+4(P+F) total so that the error
	// names the list that is cut short.
	failedOff := JoinSize + 4*int(p)
	if err := checkList(TypeJoin, "proc_list", JoinSize, 4*int(p), len(b)); err != nil {
		return err
	}
	if err := checkList(TypeJoin, "failed_list", failedOff, 4*int(f), len(b)); err != nil {
		return err
	}
	proc := readNodeIDs(r, JoinSize, resize(j.ProcList, int(p)))
	failed := readNodeIDs(r, failedOff, resize(j.FailedList, int(f)))
	*j = Join{
		Header:     h,
		SystemFrom: r.nodeID(13),
		RingSeq:    r.u64(25),
		ProcList:   proc,
		FailedList: failed,
	}
	return nil
}

func putNodeIDs(b []byte, ids []NodeID) {
	for i, id := range ids {
		le.PutUint32(b[4*i:], uint32(id))
	}
}

// readNodeIDs fills ids from consecutive u32s at off and returns it.
func readNodeIDs(r reader, off int, ids []NodeID) []NodeID {
	for i := range ids {
		ids[i] = r.nodeID(off + 4*i)
	}
	return ids
}
