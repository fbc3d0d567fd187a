package sim

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"goais/totem"
)

// Fault is one kind of fault the simulator injects.
type Fault uint8

const (
	FaultLoss Fault = 1 << iota
	FaultDup
	FaultReorder
	FaultPartition
	FaultPause
	FaultCrash
	// FaultTokenDrop makes one node throw away most ORF tokens it
	// receives (70–95%), and some of the MCASTs (10–50%), for up to a few
	// token timeouts, while joins and commit tokens get through: a
	// receiver that loses tokens after reading them (an overloaded
	// process, a redundant-ring monitor that gives up on a held token).
	// The membership stays the same, so the ring goes through GATHER,
	// COMMIT and RECOVERY again and again, and recoveries are cut short
	// by token loss part-way through: what random link loss, which also
	// hits the joins and commit tokens, rarely does.
	FaultTokenDrop

	FaultAll = FaultLoss | FaultDup | FaultReorder | FaultPartition | FaultPause | FaultCrash | FaultTokenDrop
)

var faultNames = []struct {
	f    Fault
	name string
}{
	{FaultLoss, "loss"},
	{FaultDup, "dup"},
	{FaultReorder, "reorder"},
	{FaultPartition, "partition"},
	{FaultPause, "pause"},
	{FaultCrash, "crash"},
	{FaultTokenDrop, "tokendrop"},
}

// ParseFaults reads a comma list of loss,dup,reorder,partition,pause,crash,
// tokendrop, or "all", or "none"/"" for a fault-free run.
func ParseFaults(s string) (Fault, error) {
	var f Fault
	for _, w := range strings.Split(s, ",") {
		w = strings.TrimSpace(strings.ToLower(w))
		switch w {
		case "", "none":
			continue
		case "all":
			f |= FaultAll
			continue
		}
		found := false
		for _, fn := range faultNames {
			if fn.name == w {
				f |= fn.f
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown fault %q (want a comma list of loss,dup,reorder,partition,pause,crash,tokendrop or all)", w)
		}
	}
	return f, nil
}

func (f Fault) String() string {
	if f == 0 {
		return "none"
	}
	if f == FaultAll {
		return "all"
	}
	var parts []string
	for _, fn := range faultNames {
		if f&fn.f != 0 {
			parts = append(parts, fn.name)
		}
	}
	return strings.Join(parts, ",")
}

// Options configure one simulation run.
type Options struct {
	Nodes    int           // 2..16
	Seed     uint64        // everything random derives from it
	Faults   Fault         // which faults to inject
	Duration time.Duration // faults and load run this long; then the network heals
	// Defects, if set, are injected into node 1 (checker tests).
	Defects totem.Defects
	// Trace, if set, receives one line per notable event.
	Trace func(string)
	// Logger, if set, receives the cores' protocol logs.
	Logger *slog.Logger
}

func (o *Options) validate() error {
	if o.Nodes < 2 || o.Nodes > 16 {
		return fmt.Errorf("sim: nodes must be 2..16, got %d", o.Nodes)
	}
	if o.Duration <= 0 {
		return fmt.Errorf("sim: duration must be positive, got %v", o.Duration)
	}
	return nil
}
