package sim

import (
	"testing"
	"time"

	"goais/totem"
)

// TestCheckerCatchesDefects injects one class of bug at a time into node 1
// and requires the simulator to report FAIL naming the broken property. A
// checker that cannot fail proves nothing; this shows it can.
func TestCheckerCatchesDefects(t *testing.T) {
	cases := []struct {
		name   string
		defect totem.Defects
		opts   Options
		want   string
	}{
		{
			name:   "deliver two messages out of order",
			defect: totem.Defects{SwapDelivery: true},
			opts:   Options{Nodes: 3, Seed: 1, Duration: 10 * time.Second},
			want:   PropAgreedOrder,
		},
		{
			name:   "skip a recovery retransmission",
			defect: totem.Defects{SkipRecoveryRetransmit: true},
			opts:   Options{Nodes: 3, Seed: 1, Faults: FaultLoss | FaultPartition, Duration: 30 * time.Second},
			want:   PropVirtualSynchrony,
		},
		{
			name:   "drop a transitional configuration",
			defect: totem.Defects{DropTransitional: true},
			opts:   Options{Nodes: 3, Seed: 1, Duration: 10 * time.Second},
			want:   PropConfigRules,
		},
		{
			name:   "deliver a safe message early",
			defect: totem.Defects{EarlySafe: true},
			opts:   Options{Nodes: 3, Seed: 1, Duration: 10 * time.Second},
			want:   PropSafeDelivery,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			// The same run without the defect passes, so the failure below
			// is the defect's doing.
			clean, err := Run(o)
			if err != nil {
				t.Fatal(err)
			}
			if !clean.Pass() {
				t.Fatalf("run without the defect fails: %s", clean.Line())
			}
			o.Defects = tc.defect
			res, err := Run(o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Pass() {
				t.Fatalf("defect not caught: %s", res.Line())
			}
			if res.Violation.Property != tc.want {
				t.Fatalf("caught as %q, want %q: %s", res.Violation.Property, tc.want, res.Line())
			}
			t.Log(res.Line())
		})
	}
}
