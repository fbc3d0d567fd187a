package totemtest

import (
	"strconv"
)

// handleRestart is "restart X [keep-seq | ring_seq=S]": start node X again
// (crashing it first if it is up). With keep-seq it starts from the ring
// seq it persisted, with ring_seq=S from S, and otherwise from 0, as after
// losing its state directory.
func (env *InteractionEnv) handleRestart(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.node(id)
	if err != nil {
		return err
	}
	var ringSeq uint64
	if d.has("keep-seq") {
		ringSeq = n.persisted
	}
	if s, ok := d.value("ring_seq"); ok {
		if ringSeq, err = strconv.ParseUint(s, 10, 64); err != nil {
			return err
		}
	}
	env.printf("node %d: restart with ring_seq=%d", id, ringSeq)
	return env.start(n, ringSeq)
}
