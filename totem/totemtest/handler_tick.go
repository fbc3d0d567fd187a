package totemtest

import (
	"fmt"
)

// handleTick is "tick D": advance the clock by D, firing the nodes' timers
// in deadline order. Nothing is delivered; the datagrams the timers send
// are printed ("sent ...") and stay in flight.
func (env *InteractionEnv) handleTick(d *TestData) error {
	pos := d.positional()
	if len(pos) != 1 {
		return fmt.Errorf("usage: tick DURATION")
	}
	dur, err := parseDuration(pos[0])
	if err != nil {
		return err
	}
	target := env.now.Add(dur)
	for {
		next := env.nextDeadline()
		if next.IsZero() || next.After(target) {
			break
		}
		env.advanceTo(next, true)
	}
	if env.now.Before(target) {
		env.now = target
		env.printf("t=%s", env.elapsed())
	}
	return nil
}
