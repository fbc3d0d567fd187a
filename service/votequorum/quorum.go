package votequorum

import (
	"context"
	"fmt"
	"math"
	"strings"

	"goais/logging"
)

// recompute computes quorum from the members' NODEINFO as votequorum's
// calculate_quorum and are_we_quorate do, and stores it as the status:
//
//   - total votes: the votes of the members with NODEINFO (a member
//     without counts 0; a LEAVING one is not a member any more);
//   - highest expected: the highest expectation of those members and of
//     this node, raised to the total votes if they are more;
//   - quorum: highest expected / 2 + 1, or 1 with two_node when the
//     highest expected is 2;
//   - quorate: total votes ≥ quorum, except that with wait_for_all the
//     node stays inquorate until it once saw all its expected votes.
//
// Sums are done in 64 bits and reported saturated to 32, so that absurd
// votes from a peer cannot wrap around into a quorum.
func (v *Votequorum) recompute() {
	mine := v.nodes[v.self]
	var total uint64
	highest := uint64(mine.expected)
	nodes := make([]NodeStatus, 0, len(v.members))
	for _, id := range v.members {
		inf, ok := v.nodes[id]
		nodes = append(nodes, NodeStatus{NodeID: id, Votes: inf.votes, ExpectedVotes: inf.expected,
			Flags: inf.flags, HasInfo: ok})
		if !ok || inf.flags&FlagLeaving != 0 {
			continue
		}
		total += uint64(inf.votes)
		highest = max(highest, uint64(inf.expected))
	}
	highest = max(highest, total)
	quorum := highest/2 + 1
	if v.twoNode && highest == 2 {
		quorum = 1
	}
	quorate := total >= quorum
	if v.waiting {
		if total >= uint64(mine.expected) {
			v.waiting = false
		} else {
			quorate = false
			v.log.Log(context.Background(), logging.LevelNotice, fmt.Sprintf(
				"Waiting for all cluster members. Current votes: %d expected_votes: %d", total, mine.expected))
		}
	}
	v.status = Status{
		Quorate:         quorate,
		ExpectedVotes:   mine.expected,
		HighestExpected: sat32(highest),
		TotalVotes:      sat32(total),
		Quorum:          sat32(quorum),
		Nodes:           nodes,
	}
}

func sat32(x uint64) uint32 { return uint32(min(x, math.MaxUint32)) }

// announce logs a change of the quorate state in corosync's words, then,
// when it changed or always is set, the members (vsf_quorum's
// quorum_api_set_quorum, which votequorum calls after every sync round
// and on every change outside one).
func (v *Votequorum) announce(always bool) {
	ctx := context.Background()
	if q := v.status.Quorate; q != v.announced {
		v.announced = q
		always = true
		if q {
			v.log.Log(ctx, logging.LevelNotice, "This node is within the primary component and will provide service.")
		} else {
			v.log.Log(ctx, logging.LevelNotice, "This node is within the non-primary component and will NOT provide any services.")
		}
	}
	if !always {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Members[%d]:", len(v.members))
	for _, id := range v.members {
		fmt.Fprintf(&b, " %d", id)
	}
	v.log.Log(ctx, logging.LevelNotice, b.String())
}
