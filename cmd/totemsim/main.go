// Command totemsim runs N Totem nodes in virtual time with seeded faults and
// checks the protocol's invariants after every step. It ends with one line
// beginning PASS or FAIL; the exit status is 0 for PASS and 1 for FAIL.
//
//	go run ./cmd/totemsim -nodes 5 -seed 1 -faults all -duration 60s
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"goais/sim"
)

func main() {
	nodes := flag.Int("nodes", 5, "number of nodes, 2..16")
	seed := flag.Uint64("seed", 1, "seed of every random choice")
	faults := flag.String("faults", "all", "comma list of loss,dup,reorder,partition,pause,crash,tokendrop, or all, or none")
	duration := flag.Duration("duration", 60*time.Second, "virtual time during which faults and load run")
	trace := flag.Bool("trace", false, "print fault and configuration events as they happen")
	flag.Parse()

	f, err := sim.ParseFaults(*faults)
	if err != nil {
		fmt.Fprintln(os.Stderr, "totemsim:", err)
		os.Exit(2)
	}
	opts := sim.Options{Nodes: *nodes, Seed: *seed, Faults: f, Duration: *duration}
	if *trace {
		opts.Trace = func(s string) { fmt.Println(s) }
	}
	res, err := sim.Run(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "totemsim:", err)
		os.Exit(2)
	}
	fmt.Println(res.Line())
	if !res.Pass() {
		os.Exit(1)
	}
}
