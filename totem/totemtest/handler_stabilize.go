package totemtest

import "goais/totem"

// handleStabilize is "stabilize [quiet]": deliver every datagram in
// flight, in send order, and when nothing is in flight advance the clock to
// the earliest timer, until the environment is settled (see settled) or
// maxStabilizeSteps have run. quiet prints only the time it settled at,
// for the setup phase of a script.
func (env *InteractionEnv) handleStabilize(d *TestData) {
	mark := env.out.Len()
	settled := false
	for range maxStabilizeSteps {
		if settled = env.settled(); settled {
			break
		}
		if p, dests := env.nextDeliverable(); p != nil {
			env.take(p, dests)
			env.deliver(p, dests, false)
			continue
		}
		next := env.nextDeadline()
		if next.IsZero() {
			break
		}
		env.advanceTo(next, false)
	}
	if d.has("quiet") {
		s := env.out.String()[:mark]
		env.out.Reset()
		env.out.WriteString(s)
		if settled {
			env.printf("settled at t=%s", env.elapsed())
		}
	}
	if !settled {
		env.printf("stabilize: not settled at t=%s", env.elapsed())
	}
}

// nextDeliverable returns the first datagram in flight that a node can take
// now, and those nodes.
func (env *InteractionEnv) nextDeliverable() (*packet, []totem.NodeID) {
	for _, p := range env.queue {
		if dests := env.deliverable(p); len(dests) > 0 {
			return p, dests
		}
	}
	return nil, nil
}
