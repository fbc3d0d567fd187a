package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"goais/internal/lab"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// settings are the knobs of one run.
type settings struct {
	duration time.Duration // per throughput and latency measurement
	rounds   int
	sizes    []int
	engines  []engine
	out      string
	logw     io.Writer
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	duration := fs.Duration("duration", 5*time.Second, "length of each throughput and latency measurement")
	sizes := fs.String("sizes", "64,1024,8192,65536", "message sizes for B1, in bytes")
	only := fs.String("engines", "", "comma-separated subset of: "+engineNames())
	out := fs.String("o", "", "also write the table as Markdown to this file (e.g. BENCHMARKS.md)")
	rounds := fs.Int("rounds", 3, "measure every engine this many times, in turn, and report the medians")
	quiet := fs.Bool("q", false, "do not log progress to stderr")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "bench: no arguments expected")
		return 2
	}
	s := settings{duration: *duration, rounds: *rounds, out: *out, logw: stderr}
	if s.rounds < 1 || s.rounds > 99 {
		fmt.Fprintln(stderr, "bench: -rounds must be 1 to 99")
		return 2
	}
	if *quiet {
		s.logw = io.Discard
	}
	var err error
	if s.sizes, err = parseSizes(*sizes); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if s.engines, err = selectEngines(*only); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	if s.duration < time.Second {
		fmt.Fprintln(stderr, "bench: -duration must be at least 1s")
		return 2
	}
	if os.Geteuid() != 0 {
		fmt.Fprintln(stderr, "bench: the lab uses network namespaces: run as root")
		return 1
	}
	if err := lab.EnsurePackages(); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	bin, err := os.MkdirTemp("", "goais-bench-bin-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(bin)
	s.logf("building the programs")
	if err := lab.Build(bin); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	rep := report{started: time.Now(), settings: s, machine: machine()}
	// Rounds take every engine in turn, so that a busy spell of a shared
	// machine falls on all of them rather than on one.
	var raws []float64
	perEngine := make([][]*result, len(s.engines))
	for round := range s.rounds {
		s.logf("round %d of %d: raw UDP through the lab", round+1, s.rounds)
		if raw, err := rawUDP(bin, s.duration); err == nil {
			raws = append(raws, raw)
		} else {
			rep.rawErr = err
		}
		for i, e := range s.engines {
			s.logf("round %d of %d: %s", round+1, s.rounds, e.name)
			perEngine[i] = append(perEngine[i], measure(bin, e, s))
		}
	}
	if len(raws) > 0 {
		rep.raw, rep.rawErr = medianFloat(raws), nil
	}
	for _, rs := range perEngine {
		rep.results = append(rep.results, medianResult(rs))
	}
	table := rep.markdown()
	fmt.Fprint(stdout, table)
	if s.out != "" {
		if err := os.WriteFile(s.out, []byte(rep.document(args)), 0o644); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
	}
	return 0
}

func (s settings) logf(format string, args ...any) {
	fmt.Fprintf(s.logw, "bench: "+format+"\n", args...)
}

func parseSizes(list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err != nil || n < 1 || n > 1<<20 {
			return nil, fmt.Errorf("bad size %q: want 1 to 1048576 bytes", f)
		}
		out = append(out, n)
	}
	return out, nil
}
