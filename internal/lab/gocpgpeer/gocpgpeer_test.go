package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"goais/client/cpg"
	"goais/internal/svctest"
	"goais/service"
	servicecpg "goais/service/cpg"
)

// wait bounds every wait for output: generous, not a measurement.
const wait = 30 * time.Second

func cluster(t *testing.T) *svctest.Cluster {
	return svctest.New(t, 2, func(_ service.NodeID, env func(service.ID) service.Env, log *slog.Logger) []service.Service {
		return []service.Service{servicecpg.NewLibrary(env(service.CPG), log)}
	}, svctest.Options{})
}

// lines is a peer's standard output, read line by line as it grows.
type lines struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.changed)
	l.changed = make(chan struct{})
	return l.b.Write(p)
}

// all returns the complete lines written so far.
func (l *lines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return strings.Split(s[:i], "\n")
	}
	return nil
}

// await waits for a line at index from or later that matches re and
// returns its index.
func (l *lines) await(t *testing.T, from int, re *regexp.Regexp) int {
	t.Helper()
	deadline := time.After(wait)
	for {
		l.mu.Lock()
		ch := l.changed
		l.mu.Unlock()
		all := l.all()
		for i := from; i < len(all); i++ {
			if re.MatchString(all[i]) {
				return i
			}
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("no line matching %q after line %d in %v:\n%s", re, from, wait, strings.Join(all, "\n"))
		}
	}
}

type peerProc struct {
	in   *io.PipeWriter
	out  *lines
	code chan int
	pid  int
}

func startPeer(t *testing.T, c *svctest.Cluster, node service.NodeID, tag string) *peerProc {
	t.Helper()
	r, w := io.Pipe()
	p := &peerProc{in: w, out: &lines{changed: make(chan struct{})}, code: make(chan int, 1), pid: os.Getpid()}
	var stderr bytes.Buffer
	go func() {
		p.code <- run(context.Background(), []string{"-d", c.RunDir(node), "GROUP", tag}, r, p.out, &stderr)
		r.Close()
	}()
	t.Cleanup(func() { w.Close() })
	p.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^ready %d %d$`, node, p.pid)))
	return p
}

func (p *peerProc) typeLine(t *testing.T, line string) {
	t.Helper()
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		t.Fatalf("typing %q: %v", line, err)
	}
}

var resultLine = regexp.MustCompile(`^(ok|sent |flood |watch |stats |error )`)

// cmd types a command and returns its result line and the lines printed
// from the moment it was typed up to the result.
func (p *peerProc) cmd(t *testing.T, line string) (string, []string) {
	t.Helper()
	from := len(p.out.all())
	p.typeLine(t, line)
	i := p.out.await(t, from, resultLine)
	all := p.out.all()
	return all[i], all[from:i]
}

func (p *peerProc) want(t *testing.T, line, want string) {
	t.Helper()
	if got, _ := p.cmd(t, line); got != want {
		t.Fatalf("%q answered %q, want %q", line, got, want)
	}
}

func (p *peerProc) exit(t *testing.T) int {
	t.Helper()
	select {
	case code := <-p.code:
		return code
	case <-time.After(wait):
		t.Fatalf("the peer did not exit:\n%s", strings.Join(p.out.all(), "\n"))
	}
	return -1
}

// fields parses "name k=v k=v ..." into a map of the values.
func fields(t *testing.T, line string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, f := range strings.Fields(line)[1:] {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			t.Fatalf("field %q of %q", f, line)
		}
		m[k] = v
	}
	return m
}

func num(t *testing.T, m map[string]string, k string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(m[k], 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", k, m[k], err)
	}
	return v
}

var deliverRe = regexp.MustCompile(`^deliver (\d+) (\d+) (\S+) (\S+) (\d+) (ok|bad)$`)

// hashOf is the stats hash of the deliver lines.
func hashOf(t *testing.T, lines []string) (string, int, uint64) {
	t.Helper()
	h := uint64(fnvOffset)
	n, b := 0, uint64(0)
	for _, l := range lines {
		m := deliverRe.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		h = fnv1a(h, []byte(m[1]+" "+m[2]+" "+m[3]+" "+m[4]+"\n"))
		n++
		size, _ := strconv.ParseUint(m[5], 10, 64)
		b += size
	}
	return fmt.Sprintf("%016x", h), n, b
}

func TestTwoPeers(t *testing.T) {
	c := cluster(t)
	a := startPeer(t, c, 1, "alpha")
	b := startPeer(t, c, 2, "beta")
	pid := a.pid
	both := regexp.MustCompile(fmt.Sprintf(`^confchg \d+ members=1:%d,2:%d left= joined=2:%d:1$`, pid, pid, pid))
	a.out.await(t, 0, both)
	b.out.await(t, 0, both)
	// The initial totem line follows the first configuration change, as
	// corosync delivers CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF.
	first := a.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^confchg \d+ members=1:%d left= joined=1:%d:1$`, pid, pid)))
	a.out.await(t, first+1, regexp.MustCompile(`^totem \d+ ring=1\.\d+ members=1(,2)?$`))
	b.out.await(t, 0, regexp.MustCompile(`^totem \d+ ring=1\.\d+ members=1,2$`))

	a.want(t, "verbose on", "ok")
	b.want(t, "verbose on", "ok")
	a.want(t, "send 3 100", "sent 3")
	b.want(t, "send 2 10", "sent 2")
	for _, p := range []*peerProc{a, b} {
		p.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^deliver 1 %d alpha 3 100 ok$`, pid)))
		p.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^deliver 2 %d beta 2 \d+ ok$`, pid)))
	}
	sa, _ := a.cmd(t, "stats")
	sb, _ := b.cmd(t, "stats")
	fa, fb := fields(t, sa), fields(t, sb)
	if fa["hash"] != fb["hash"] || fa["delivered"] != "5" || fb["delivered"] != "5" || fa["bytes"] != fb["bytes"] {
		t.Fatalf("stats differ:\n%s\n%s", sa, sb)
	}
	if fa["self"] != "3" || fb["self"] != "2" || fa["lat_n"] != "3" || fb["lat_n"] != "2" {
		t.Fatalf("self deliveries:\n%s\n%s", sa, sb)
	}
	// The hash is FNV-1a over the deliver lines' identities, in order.
	if h, n, by := hashOf(t, a.out.all()); h != fa["hash"] || n != 5 || strconv.FormatUint(by, 10) != fa["bytes"] {
		t.Fatalf("deliver lines hash to %s (%d, %d bytes), stats say %s", h, n, by, sa)
	}
	// Short messages are the header alone, of its real length.
	m := deliverRe.FindStringSubmatch(a.out.all()[a.out.await(t, 0, regexp.MustCompile(` beta 1 `))])
	if hdr := len(fmt.Sprintf("beta 1 %d\n", monoNow())); m[5] != strconv.Itoa(hdr) {
		t.Fatalf("a 10-byte send delivered %s bytes, want the %d-byte header", m[5], hdr)
	}

	// Paced: the last of 5 messages at 100/s goes 40 ms after the first.
	a.want(t, "reset", "ok")
	b.want(t, "reset", "ok")
	began := time.Now()
	a.want(t, "rate 100 5 40", "sent 5")
	if d := time.Since(began); d < 40*time.Millisecond {
		t.Fatalf("rate 100 5 took %v", d)
	}
	for _, p := range []*peerProc{a, b} {
		p.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^deliver 1 %d alpha 8 40 ok$`, pid)))
	}
	sa, _ = a.cmd(t, "stats")
	sb, _ = b.cmd(t, "stats")
	if fa, fb = fields(t, sa), fields(t, sb); fa["delivered"] != "5" || fa["hash"] != fb["hash"] || fa["self"] != "5" || fb["self"] != "0" {
		t.Fatalf("after reset and rate:\n%s\n%s", sa, sb)
	}

	// Flood: what it counts is every delivery it handled, so exactly the
	// deliver lines printed while it ran.
	res, during := a.cmd(t, "flood 0.3 100")
	ff := fields(t, res)
	if !regexp.MustCompile(`^flood sent=\d+ delivered=\d+ bytes=\d+ secs=\d+\.\d{3}$`).MatchString(res) || num(t, ff, "sent") == 0 {
		t.Fatalf("flood answered %q", res)
	}
	if secs, _ := strconv.ParseFloat(ff["secs"], 64); secs < 0.3 {
		t.Fatalf("flood 0.3 ran %v s", secs)
	}
	if _, n, by := hashOf(t, during); uint64(n) != num(t, ff, "delivered") || by != num(t, ff, "bytes") {
		t.Fatalf("flood counted %s, its deliver lines are %d (%d bytes)", res, n, by)
	}
	// Both end with the same stream once the last message is in.
	last := 8 + num(t, ff, "sent")
	for _, p := range []*peerProc{a, b} {
		p.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^deliver 1 %d alpha %d 100 ok$`, pid, last)))
	}
	sa, _ = a.cmd(t, "stats")
	sb, _ = b.cmd(t, "stats")
	fa, fb = fields(t, sa), fields(t, sb)
	if fa["hash"] != fb["hash"] || fa["delivered"] != fb["delivered"] || num(t, fa, "self") != 5+num(t, ff, "sent") {
		t.Fatalf("after the flood:\n%s\n%s", sa, sb)
	}
	if num(t, fa, "lat_n") != num(t, fa, "self") || num(t, fa, "p50") > num(t, fa, "p99") || num(t, fa, "p99") > num(t, fa, "max") {
		t.Fatalf("latencies: %s", sa)
	}

	// Watch counts what it handles: nothing when nobody sends; the last
	// deliver lines before its result when someone does.
	if res, _ := b.cmd(t, "watch 0.05"); !regexp.MustCompile(`^watch delivered=0 bytes=0 secs=0\.\d{3}$`).MatchString(res) {
		t.Fatalf("an idle watch answered %q", res)
	}
	from := len(b.out.all())
	b.typeLine(t, "watch 0.3")
	a.want(t, "rate 100 10 50", "sent 10")
	i := b.out.await(t, from, regexp.MustCompile(`^watch `))
	fw := fields(t, b.out.all()[i])
	lines := b.out.all()[from:i]
	d := int(num(t, fw, "delivered"))
	if _, n, _ := hashOf(t, lines); d > n || d > 10 {
		t.Fatalf("watch counted %d of %d deliver lines", d, n)
	}
	if _, _, by := hashOf(t, lines[len(lines)-d:]); by != num(t, fw, "bytes") {
		t.Fatalf("watch counted %d bytes, its last %d deliver lines have %d", num(t, fw, "bytes"), d, by)
	}

	a.typeLine(t, "quit")
	if code := a.exit(t); code != 0 {
		t.Fatalf("quit exited %d", code)
	}
	b.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^confchg \d+ members=2:%d left=1:%d:2 joined=$`, pid, pid)))
	b.in.Close()
	if code := b.exit(t); code != 0 {
		t.Fatalf("end of input exited %d", code)
	}
}

func TestCommandsAndErrors(t *testing.T) {
	c := cluster(t)
	a := startPeer(t, c, 1, "alpha")
	for _, bad := range []string{"bogus", "send x 3", "send 1", "send 1 2 3", "send -1 3", "rate 0 1 1", "rate -5 1 1",
		"rate nan 1 1", "flood -1 3", "flood 1", "watch", "verbose maybe", "send 1 1048577", "stats now", "Send 1 1"} {
		a.want(t, bad, "error unknown command: "+bad)
	}
	// Blank lines are no commands; the next result is reset's.
	a.typeLine(t, "")
	a.typeLine(t, " \t")
	a.want(t, "reset", "ok")
	a.want(t, "send 0 10", "sent 0")
	a.want(t, "send 1 1048576", "sent 1")
	a.want(t, "flood 0 10", "flood sent=0 delivered=0 bytes=0 secs=0.000")

	a.want(t, "join", "error cpg_join: 14") // already joined: CS_ERR_EXIST
	a.want(t, "leave", "ok")
	a.want(t, "send 1 10", "error cpg_mcast_joined: 12") // not joined: CS_ERR_NOT_EXIST
	a.want(t, "leave", "error cpg_leave: 12")
	a.want(t, "join", "ok")
	a.want(t, "verbose on", "ok")
	a.want(t, "send 1 10", "sent 1")
	a.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^deliver 1 %d alpha 2 \d+ ok$`, a.pid)))
	a.in.Close()
	if code := a.exit(t); code != 0 {
		t.Fatalf("exit %d", code)
	}
}

// Payloads not made by a peer are reported, never trusted.
func TestForeignPayloads(t *testing.T) {
	c := cluster(t)
	a := startPeer(t, c, 1, "alpha")
	a.want(t, "verbose on", "ok")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cl, err := cpg.Dial(ctx, cpg.Options{RunDir: c.RunDir(2), PID: 77})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.Join(ctx, "GROUP"); err != nil {
		t.Fatal(err)
	}
	good := (&builder{tag: "zz"}).build(^uint64(0), 300, 7)
	msgs := [][]byte{{}, {0}, []byte("\n"), []byte("tag 1 2\n"), []byte("tag 01 2\n"), []byte("tag 1 2\nAAAA"),
		bytes.Repeat([]byte{0xff}, 3000), good}
	for _, m := range msgs {
		for {
			err := cl.Mcast(ctx, cpg.Agreed, m)
			if err == nil {
				break
			}
			if !errors.Is(err, cpg.ErrTryAgain) {
				t.Fatal(err)
			}
			if err := cl.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := []string{"- - 0 bad", "- - 1 bad", "- - 1 bad", "tag 1 8 ok", "- - 9 bad", "tag 1 12 bad", "- - 3000 bad",
		"zz 18446744073709551615 300 ok"}
	i := a.out.await(t, 0, regexp.MustCompile(`^deliver 2 77 zz `))
	var got []string
	for _, l := range a.out.all()[:i+1] {
		if rest, ok := strings.CutPrefix(l, "deliver 2 77 "); ok {
			got = append(got, rest)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("deliver lines\n%q\nwant\n%q", got, want)
	}
	res, _ := a.cmd(t, "stats")
	if f := fields(t, res); f["delivered"] != "8" || f["self"] != "0" || f["lat_n"] != "0" || f["p50"] != "0" {
		t.Fatalf("stats: %s", res)
	}
}

func TestExecutiveLost(t *testing.T) {
	c := cluster(t)
	a := startPeer(t, c, 1, "alpha")
	b := startPeer(t, c, 2, "beta")
	b.typeLine(t, "flood 1 1000")
	c.Crash(1)
	a.out.await(t, 0, regexp.MustCompile(`^error cpg_dispatch: 2$`))
	if code := a.exit(t); code != 2 {
		t.Fatalf("exit %d", code)
	}
	// The survivor saw the crashed node's peer go, and goes on.
	b.out.await(t, 0, regexp.MustCompile(fmt.Sprintf(`^confchg \d+ members=2:%d left=1:%d:3 joined=$`, b.pid, a.pid)))
	b.out.await(t, 0, regexp.MustCompile(`^flood `))
}

func TestStartupErrors(t *testing.T) {
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"-d", t.TempDir(), "G", "t"}, strings.NewReader(""), &out, &errw); code != 2 || out.String() != "error cpg_model_initialize: 2\n" {
		t.Fatalf("no executive: exit %d, %q", code, out.String())
	}
	for _, args := range [][]string{{}, {"G"}, {"G", "a b"}, {"G", ""}, {"", "t"}, {"G", strings.Repeat("t", 65)},
		{strings.Repeat("g", 129), "t"}, {"G", "t", "x"}, {"-x", "G", "t"}} {
		out.Reset()
		errw.Reset()
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errw); code != 1 || out.Len() != 0 || !strings.Contains(errw.String(), "usage") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out.String(), errw.String())
		}
	}
}
