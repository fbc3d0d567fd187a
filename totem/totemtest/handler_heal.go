package totemtest

// handleHeal is "heal": undo any partition.
func (env *InteractionEnv) handleHeal() { env.groups = nil }
