package totemtest

import "fmt"

// handleCrash is "crash X": the node stops at once, keeping only its
// persisted ring seq. Datagrams it sent stay in flight; those addressed to
// it are lost.
func (env *InteractionEnv) handleCrash(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.node(id)
	if err != nil {
		return err
	}
	if n.core == nil {
		return fmt.Errorf("node %d is down (%s)", id, n.down)
	}
	n.core, n.down, n.paused = nil, "crashed", false
	return nil
}
