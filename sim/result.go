package sim

import (
	"fmt"
	"time"
)

// Result is the outcome of a run.
type Result struct {
	Options   Options
	Violation *Violation
	Stats     Stats
	End       time.Duration // virtual time at the end
	Converged time.Duration // when all live nodes formed one ring after healing
	Events    int           // simulation steps
	Proposed  uint64        // messages accepted by Propose
	Refused   uint64        // Propose refusals (queue full)
	// TokensDropped counts ORF tokens thrown away by FaultTokenDrop.
	TokensDropped uint64
}

// Pass reports whether no property was violated.
func (r *Result) Pass() bool { return r.Violation == nil }

// Line is the one-line summary totemsim prints: it begins with PASS or FAIL
// and names the seed, messages delivered and configurations installed; a
// failure adds the property, the nodes and the virtual time.
func (r *Result) Line() string {
	o := r.Options
	head := fmt.Sprintf("seed=%d nodes=%d faults=%s duration=%v delivered=%d configurations=%d",
		o.Seed, o.Nodes, o.Faults, o.Duration, r.Stats.Delivered, r.Stats.Configs)
	if r.Violation == nil {
		return fmt.Sprintf("PASS %s converged=%v end=%v", head, r.Converged, r.End)
	}
	v := r.Violation
	return fmt.Sprintf("FAIL %s property=%s nodes=%v at=%v: %s", head, v.Property, v.Nodes, v.At, v.Detail)
}
