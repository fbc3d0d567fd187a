package wire

// Decode decodes any Totem SRP message into a freshly allocated *Token,
// *Mcast, *MergeDetect, *Join, *CommitToken or *TokenHoldCancel. It is meant
// for tools, tests and fuzzing; the receive path should use [PeekHeader] and
// the typed decoders with reused structs. A returned *Mcast's Payload
// aliases b.
func Decode(b []byte) (Message, error) {
	h, _, err := PeekHeader(b)
	if err != nil {
		return nil, err
	}
	switch h.Type {
	case TypeORFToken:
		m := new(Token)
		return orNil(m, DecodeToken(b, m))
	case TypeMcast:
		m := new(Mcast)
		return orNil(m, DecodeMcast(b, m))
	case TypeMergeDetect:
		m := new(MergeDetect)
		return orNil(m, DecodeMergeDetect(b, m))
	case TypeJoin:
		m := new(Join)
		return orNil(m, DecodeJoin(b, m))
	case TypeCommitToken:
		m := new(CommitToken)
		return orNil(m, DecodeCommitToken(b, m))
	default: // TypeTokenHoldCancel; PeekHeader rejected anything above it.
		m := new(TokenHoldCancel)
		return orNil(m, DecodeTokenHoldCancel(b, m))
	}
}

// orNil returns (m, nil) or, on error, a nil Message (not a typed nil
// pointer wrapped in the interface).
func orNil(m Message, err error) (Message, error) {
	if err != nil {
		return nil, err
	}
	return m, nil
}
