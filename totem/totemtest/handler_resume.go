package totemtest

import "fmt"

// handleResume is "resume X": unfreeze node X. The datagrams that waited
// for it are delivered, in order, by the next deliver or stabilize, and its
// overdue timers fire at the next tick or stabilize step.
func (env *InteractionEnv) handleResume(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.node(id)
	if err != nil {
		return err
	}
	if !n.paused {
		return fmt.Errorf("node %d is not paused", id)
	}
	n.paused = false
	return nil
}
