package totemtest

import (
	"fmt"
	"strconv"
	"strings"

	"goais/totem"
)

// handleHolds is "holds ring=R seq=S": for each node that is up, whether
// its core holds message S of ring R ([totem.Node.Holds], the question the
// simulator's checker asks of every member when a safe message, or any
// message after a transitional configuration, is delivered).
func (env *InteractionEnv) handleHolds(d *TestData) error {
	rs, ok := d.value("ring")
	if !ok {
		return fmt.Errorf("usage: holds ring=REP.SEQ seq=S")
	}
	r, err := parseRing(rs)
	if err != nil {
		return err
	}
	seq, ok, err := d.intArg("seq")
	if err != nil {
		return err
	}
	if !ok || seq <= 0 {
		return fmt.Errorf("usage: holds ring=REP.SEQ seq=S")
	}
	var held, lacking []string
	for _, n := range env.nodes {
		if n.core == nil {
			continue
		}
		id := strconv.Itoa(int(n.id))
		if n.core.Holds(r, uint32(seq)) {
			held = append(held, id)
		} else {
			lacking = append(lacking, id)
		}
	}
	env.printf("ring=%s seq=%d held by [%s], not by [%s]", rs, seq, strings.Join(held, " "), strings.Join(lacking, " "))
	return nil
}

// parseRing reads a ring id written rep.seq, as transcripts print it.
func parseRing(s string) (totem.RingID, error) {
	rep, seq, ok := strings.Cut(s, ".")
	if !ok {
		return totem.RingID{}, fmt.Errorf("bad ring id %q (want rep.seq)", s)
	}
	id, err := parseNodeID(rep)
	if err != nil {
		return totem.RingID{}, err
	}
	v, err := strconv.ParseUint(seq, 10, 64)
	if err != nil {
		return totem.RingID{}, fmt.Errorf("bad ring id %q (want rep.seq)", s)
	}
	return totem.RingID{Rep: id, Seq: v}, nil
}
