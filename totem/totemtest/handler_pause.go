package totemtest

// handlePause is "pause X": freeze node X, as a stopped process or a long
// scheduling stall. Its timers do not fire and the datagrams addressed to
// it stay in flight (in its socket buffer) until it resumes.
func (env *InteractionEnv) handlePause(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.upNode(id)
	if err != nil {
		return err
	}
	n.paused = true
	return nil
}
