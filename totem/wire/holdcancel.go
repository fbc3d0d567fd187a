package wire

// TOKEN_HOLD_CANCEL layout after the header, reference §2.7.
var tokenHoldCancelFields = []field{
	{"ring_id", 13, 12},
}

// MessageType returns [TypeTokenHoldCancel].
func (*TokenHoldCancel) MessageType() MessageType { return TypeTokenHoldCancel }

// AppendTokenHoldCancel appends the 25-byte TOKEN_HOLD_CANCEL to dst.
func AppendTokenHoldCancel(dst []byte, m *TokenHoldCancel) []byte {
	dst, b := grow(dst, TokenHoldCancelSize)
	putHeader(b, TypeTokenHoldCancel, &m.Header)
	putRingID(b[13:], m.Ring)
	return dst
}

// DecodeTokenHoldCancel decodes a TOKEN_HOLD_CANCEL into m. Bytes after the
// first 25 are ignored. On error m is unchanged.
func DecodeTokenHoldCancel(b []byte, m *TokenHoldCancel) error {
	h, r, err := decodeHeader(b, TypeTokenHoldCancel)
	if err != nil {
		return err
	}
	if len(b) < TokenHoldCancelSize {
		return errTruncated(TypeTokenHoldCancel, tokenHoldCancelFields, len(b))
	}
	*m = TokenHoldCancel{Header: h, Ring: r.ringID(13)}
	return nil
}
