package totemtest

import (
	"fmt"
)

// handlePropose is "propose node=X data=S [count=N] [safe]": queue S (or
// S-1 .. S-N) for ordered multicast at node X.
func (env *InteractionEnv) handlePropose(d *TestData) error {
	id, err := d.nodeArg()
	if err != nil {
		return err
	}
	n, err := env.upNode(id)
	if err != nil {
		return err
	}
	data, ok := d.value("data")
	if !ok {
		return fmt.Errorf("usage: propose node=X data=S [count=N] [safe]")
	}
	count, hasCount, err := d.intArg("count")
	if err != nil {
		return err
	}
	payloads := []string{data}
	if hasCount {
		payloads = payloads[:0]
		for i := 1; i <= count; i++ {
			payloads = append(payloads, fmt.Sprintf("%s-%d", data, i))
		}
	}
	for _, p := range payloads {
		if err := n.core.Propose(env.now, []byte(p), d.has("safe")); err != nil {
			env.printf("node %d: propose %q: %v", id, p, err)
		}
	}
	env.processReady(n, true)
	return nil
}
