package wire

// MEMB_MERGE_DETECT layout after the header, reference §2.4.
var mergeDetectFields = []field{
	{"system_from", 13, 4},
	{"ring_id", 17, 12},
}

// MessageType returns [TypeMergeDetect].
func (*MergeDetect) MessageType() MessageType { return TypeMergeDetect }

// AppendMergeDetect appends the 29-byte MEMB_MERGE_DETECT to dst.
func AppendMergeDetect(dst []byte, m *MergeDetect) []byte {
	dst, b := grow(dst, MergeDetectSize)
	putHeader(b, TypeMergeDetect, &m.Header)
	le.PutUint32(b[13:], uint32(m.SystemFrom))
	putRingID(b[17:], m.Ring)
	return dst
}

// DecodeMergeDetect decodes a MEMB_MERGE_DETECT into m. Bytes after the
// first 29 are ignored. On error m is unchanged.
func DecodeMergeDetect(b []byte, m *MergeDetect) error {
	h, r, err := decodeHeader(b, TypeMergeDetect)
	if err != nil {
		return err
	}
	if len(b) < MergeDetectSize {
		return errTruncated(TypeMergeDetect, mergeDetectFields, len(b))
	}
	*m = MergeDetect{Header: h, SystemFrom: r.nodeID(13), Ring: r.ringID(17)}
	return nil
}
