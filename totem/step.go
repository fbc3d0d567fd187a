package totem

import (
	"fmt"
	"time"

	"goais/totem/wire"
)

// Step feeds one received datagram to the node. A datagram that does not
// decode is dropped and the error says why; the node's state is unchanged.
func (n *Node) Step(now time.Time, data []byte) error {
	if n.state == StateStopped {
		return nil
	}
	h, _, err := wire.PeekHeader(data)
	if err != nil {
		n.stats.DecodeErrors++
		return err
	}
	switch h.Type {
	case wire.TypeORFToken:
		if err := wire.DecodeToken(data, &n.rxToken); err != nil {
			return n.decodeFailed(err)
		}
		n.handleToken(now, &n.rxToken)
	case wire.TypeMcast:
		if err := wire.DecodeMcast(data, &n.rxMcast); err != nil {
			return n.decodeFailed(err)
		}
		if len(data) > n.bufSize*2 {
			return n.decodeFailed(fmt.Errorf("totem: mcast of %d bytes exceeds the frame limit %d", len(data), n.bufSize*2))
		}
		n.handleMcast(now, data, &n.rxMcast)
	case wire.TypeMergeDetect:
		if err := wire.DecodeMergeDetect(data, &n.rxMerge); err != nil {
			return n.decodeFailed(err)
		}
		n.handleMergeDetect(now, &n.rxMerge)
	case wire.TypeJoin:
		if err := wire.DecodeJoin(data, &n.rxJoin); err != nil {
			return n.decodeFailed(err)
		}
		n.handleJoin(now, &n.rxJoin)
	case wire.TypeCommitToken:
		if err := wire.DecodeCommitToken(data, &n.rxCommit); err != nil {
			return n.decodeFailed(err)
		}
		n.handleCommitToken(now, &n.rxCommit)
	case wire.TypeTokenHoldCancel:
		if err := wire.DecodeTokenHoldCancel(data, &n.rxHold); err != nil {
			return n.decodeFailed(err)
		}
		n.handleTokenHoldCancel(now, &n.rxHold)
	}
	return nil
}

func (n *Node) decodeFailed(err error) error {
	n.stats.DecodeErrors++
	return err
}
