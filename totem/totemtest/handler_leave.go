package totemtest

// handleLeave is "leave X": a graceful shutdown. The node sends its LEAVE
// (a join with header nodeid 0) and goes down.
func (env *InteractionEnv) handleLeave(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.upNode(id)
	if err != nil {
		return err
	}
	n.core.Leave(env.now)
	env.processReady(n, true)
	n.core, n.down = nil, "left"
	return nil
}
