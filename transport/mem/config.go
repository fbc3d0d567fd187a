package mem

import (
	"errors"
	"fmt"
	"time"
)

// LinkConfig describes the faults of one directed link. The zero value is a
// perfect link: no loss, no duplication, no reordering, zero delay.
type LinkConfig struct {
	// Loss, Dup and Reorder are probabilities in [0, 1]: that a packet is
	// dropped, that a second copy is delivered, and that a copy is delayed
	// so that later packets on the link overtake it.
	Loss, Dup, Reorder float64
	// Delay is the base one-way delay. Jitter adds a uniform extra delay in
	// [0, Jitter]; it does not reorder, because links are FIFO.
	Delay, Jitter time.Duration
}

// Validate reports whether the probabilities lie in [0, 1] and the
// durations are not negative.
func (c LinkConfig) Validate() error {
	var errs []error
	for _, p := range []struct {
		name string
		v    float64
	}{{"Loss", c.Loss}, {"Dup", c.Dup}, {"Reorder", c.Reorder}} {
		// Written so that NaN fails too.
		if !(p.v >= 0 && p.v <= 1) {
			errs = append(errs, fmt.Errorf("mem: %s = %v, want a probability in [0, 1]", p.name, p.v))
		}
	}
	if c.Delay < 0 {
		errs = append(errs, fmt.Errorf("mem: Delay = %v, want >= 0", c.Delay))
	}
	if c.Jitter < 0 {
		errs = append(errs, fmt.Errorf("mem: Jitter = %v, want >= 0", c.Jitter))
	}
	return errors.Join(errs...)
}

// mustValidate panics on an invalid configuration: a bad fault setting is a
// bug in the test or simulator script, and silently clamping it would make
// the run mean something other than what was written.
func mustValidate(c LinkConfig) {
	if err := c.Validate(); err != nil {
		panic(err)
	}
}

// Reordering delay bounds: the extra delay lies in
// [reorderMin, reorderMin + max(reorderFactor×(Delay+Jitter), reorderMin)].
// The 1 ms floor makes reordering happen on zero-delay links too.
const (
	reorderMin    = time.Millisecond
	reorderFactor = 3
)
