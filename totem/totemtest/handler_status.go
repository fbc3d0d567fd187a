package totemtest

// handleStatus is "status [node=X]": one line per node with its state,
// ring, members, aru, highest seq received and highest seq delivered (and
// its proc and failed lists when not OPERATIONAL).
func (env *InteractionEnv) handleStatus(d *TestData) error {
	if d.has("node") || len(d.positional()) > 0 {
		id, err := d.nodeArg()
		if err != nil {
			return err
		}
		n, err := env.node(id)
		if err != nil {
			return err
		}
		env.printf("%s", formatStatus(n))
		return nil
	}
	env.printf("t=%s", env.elapsed())
	for _, n := range env.nodes {
		env.printf("%s", formatStatus(n))
	}
	return nil
}
