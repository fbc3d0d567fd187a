package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"goais/internal/lab"
)

// report is the outcome of a run.
type report struct {
	started  time.Time
	settings settings
	machine  string
	raw      float64 // MB/s per receiver
	rawErr   error
	results  []*result
}

// machine describes the host: CPUs, model, kernel, Go and corosync.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	kernel := "?"
	if out, err := exec.Command("uname", "-r").Output(); err == nil {
		kernel = strings.TrimSpace(string(out))
	}
	cs := "?"
	if out, err := exec.Command("corosync", "-v").Output(); err == nil {
		cs, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
	}
	return fmt.Sprintf("%d CPUs (%s), Linux %s, %s, %s", runtime.NumCPU(), model, kernel, runtime.Version(), cs)
}

// row is one line of the table: a cell per engine and the ratio.
type row struct {
	name  string
	cells []string
	ratio string
}

// better says which of two figures is better for a metric.
type better func(a, b float64) bool

func higher(a, b float64) bool { return a > b }
func lower(a, b float64) bool  { return a < b }

// ratioOf is goais's best over corosync's best for values (NaN = failed).
func (r *report) ratioOf(values []float64, best better) string {
	pick := func(kind lab.Kind) float64 {
		b := math.NaN()
		for i, res := range r.results {
			v := values[i]
			if res.engine.kind != kind || res.engine.secure || math.IsNaN(v) {
				continue
			}
			if math.IsNaN(b) || best(v, b) {
				b = v
			}
		}
		return b
	}
	g, c := pick(lab.Goais), pick(lab.Corosync)
	if math.IsNaN(g) || math.IsNaN(c) || c == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", g/c)
}

func (r *report) rows() []row {
	var rows []row
	// add makes one row: value gives each engine's figure and its cell.
	add := func(name string, best better, value func(*result) (float64, string, error)) {
		rw := row{name: name}
		var values []float64
		for _, res := range r.results {
			v, cell, err := value(res)
			if res.err != nil {
				err = res.err
			}
			if err != nil {
				values = append(values, math.NaN())
				rw.cells = append(rw.cells, "failed")
				continue
			}
			values = append(values, v)
			rw.cells = append(rw.cells, cell)
		}
		rw.ratio = r.ratioOf(values, best)
		rows = append(rows, rw)
	}
	for _, size := range r.settings.sizes {
		for _, n := range []int{1, 3} {
			label := "1 sender"
			if n > 1 {
				label = "3 senders"
			}
			add(fmt.Sprintf("B1 %s, %s: msgs/s (MB/s)", sizeName(size), label), higher,
				func(res *result) (float64, string, error) {
					rt := res.one[size]
					if n > 1 {
						rt = res.three[size]
					}
					return rt.msgs, fmt.Sprintf("%s (%.1f)", kilo(rt.msgs), rt.mb), rt.err
				})
		}
	}
	duration := func(d func(*result) (time.Duration, error), format func(float64) string) func(*result) (float64, string, error) {
		return func(res *result) (float64, string, error) {
			v, err := d(res)
			return float64(v), format(float64(v)), err
		}
	}
	add("B3 latency p50, 1 KB at 1,000/s", lower, duration(func(res *result) (time.Duration, error) { return res.p50, res.latErr }, micros))
	add("B3 latency p99, 1 KB at 1,000/s", lower, duration(func(res *result) (time.Duration, error) { return res.p99, res.latErr }, micros))
	add("B5 failure detection, token 1000 ms", lower, duration(func(res *result) (time.Duration, error) { return res.detect, res.detectErr }, millis))
	add("B7 RSS per node, idle", lower, func(res *result) (float64, string, error) {
		return float64(res.rssIdle), megabytes(float64(res.rssIdle)), res.rssErr
	})
	add("B7 RSS per node, after B1", lower, func(res *result) (float64, string, error) {
		return float64(res.rssAfter), megabytes(float64(res.rssAfter)), res.rssErr
	})
	return rows
}

func sizeName(n int) string {
	switch {
	case n >= 1024 && n%1024 == 0:
		return fmt.Sprintf("%d KB", n/1024)
	default:
		return fmt.Sprintf("%d B", n)
	}
}

func kilo(v float64) string {
	if v >= 10000 {
		return fmt.Sprintf("%.1f k", v/1000)
	}
	return fmt.Sprintf("%.0f", v)
}

func micros(v float64) string    { return fmt.Sprintf("%.0f µs", v/1e3) }
func millis(v float64) string    { return fmt.Sprintf("%.0f ms", v/1e6) }
func megabytes(v float64) string { return fmt.Sprintf("%.1f MB", v/1e6) }

// markdown is the table, with the raw UDP figure and failures below it.
func (r *report) markdown() string {
	var b strings.Builder
	b.WriteString("| benchmark |")
	for _, res := range r.results {
		fmt.Fprintf(&b, " %s |", res.engine.name)
	}
	b.WriteString(" goais / corosync |\n|---|")
	for range r.results {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, rw := range r.rows() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", rw.name, strings.Join(rw.cells, " | "), rw.ratio)
	}
	b.WriteString("\n")
	if r.rawErr != nil {
		fmt.Fprintf(&b, "Plain UDP through the same lab: failed: %v\n", r.rawErr)
	} else {
		fmt.Fprintf(&b, "Plain UDP through the same lab (one host sending %d-byte datagrams to both others): %.1f MB/s per receiver.\n", rawDatagram, r.raw)
		for _, res := range r.results {
			if res.engine.kind != lab.Goais || res.err != nil {
				continue
			}
			var parts []string
			for _, size := range r.settings.sizes {
				if size >= 8192 && res.one[size].err == nil {
					parts = append(parts, fmt.Sprintf("%s %.0f %%", sizeName(size), 100*res.one[size].mb/r.raw))
				}
			}
			if len(parts) > 0 {
				fmt.Fprintf(&b, "%s, one sender, as a share of it: %s.\n", res.engine.name, strings.Join(parts, ", "))
			}
		}
	}
	for _, line := range r.securityCost() {
		b.WriteString(line + "\n")
	}
	for _, res := range r.results {
		for _, e := range res.errors() {
			fmt.Fprintf(&b, "\n%s: %v", res.engine.name, e)
		}
	}
	b.WriteString("\n")
	return b.String()
}

// securityCost compares each secure engine's throughput with its
// plaintext twin's, at every size and sender count.
func (r *report) securityCost() []string {
	var out []string
	for _, sec := range r.results {
		plain := plainTwin(sec.engine, r.results)
		if !sec.engine.secure || plain == nil || sec.err != nil || plain.err != nil {
			continue
		}
		var parts []string
		for _, size := range r.settings.sizes {
			for _, n := range []int{1, 3} {
				s, p := sec.one[size], plain.one[size]
				if n > 1 {
					s, p = sec.three[size], plain.three[size]
				}
				if s.err != nil || p.err != nil || p.msgs == 0 {
					continue
				}
				parts = append(parts, fmt.Sprintf("%s × %d: %+.0f %%", sizeName(size), n, 100*(s.msgs/p.msgs-1)))
			}
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("Cost of security, %s against %s (throughput change; size × senders): %s.", sec.engine.name, plain.engine.name, strings.Join(parts, ", ")))
		}
	}
	return out
}

func (res *result) errors() []error {
	var out []error
	if res.err != nil {
		return []error{res.err}
	}
	for _, m := range []map[int]rate{res.one, res.three} {
		for _, rt := range m {
			if rt.err != nil {
				out = append(out, rt.err)
			}
		}
	}
	for _, e := range []error{res.latErr, res.detectErr, res.rssErr} {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// document is BENCHMARKS.md: how the table was made, the table, what it
// measures.
func (r *report) document(args []string) string {
	var b strings.Builder
	cmd := "sudo go run ./bench"
	if len(args) > 0 {
		cmd += " " + strings.Join(args, " ")
	}
	fmt.Fprintf(&b, "# Benchmarks: goais against corosync 3.1.7\n\n")
	fmt.Fprintf(&b, "Measured %s with\n\n    %s\n\non %s.\n\n", r.started.UTC().Format("2006-01-02 15:04 MST"), cmd, r.machine)
	b.WriteString("Three hosts in network namespaces on one bridge (veth, MTU 1500), one daemon per host, one CPG peer per daemon; token 1000 ms and every other totem setting at its default, for every engine. Each throughput and latency figure is one measurement of " + r.settings.duration.String() + ". All hosts share the machine's CPUs, so the engines compete with their own peers for them, as they would not on three machines. Every engine was measured " + fmt.Sprint(r.settings.rounds) + " times, the engines taking turns, and each cell is the median.\n\n")
	b.WriteString(r.markdown())
	b.WriteString(`
What each line measures (see bench/doc.go):

- B1: CPG messages delivered per second to a node in agreed order, with one node sending as fast as the engine accepts, and with all three sending (then the figure is the group's traffic one node receives). MB/s counts payload only.
- B3: time from cpg_mcast_joined to the sender's own delivery, 1 KB messages paced at 1,000 per second.
- B5: kill -9 of one node while the other two send 1,000 messages per second; time from the kill to the survivors' CPG configuration change.
- B7: resident memory of the largest of the three daemons, idle (ring formed, peers joined) and after B1.
- The last column is goais's best figure over corosync's best, among the plaintext engines (for B3, B5 and B7 lower is better, so below 1 favours goais).
- Cost of security: the throughput of an engine with authentication and encryption (goais secauth: AES-256-GCM; corosync knet: crypto_cipher aes256, crypto_hash sha256) against the same engine in plaintext, from the B1 figures above.
`)
	return b.String()
}
