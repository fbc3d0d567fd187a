package totemtest

// handlePending is "pending": list the datagrams in flight, in send order,
// without delivering them.
func (env *InteractionEnv) handlePending() {
	if len(env.queue) == 0 {
		env.printf("nothing in flight")
	}
	for _, p := range env.queue {
		env.printf("%s", env.formatPacket(p, p.to))
	}
}
