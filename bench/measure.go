package main

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"golang.org/x/sys/unix"

	"goais/internal/lab"
)

// rate is a throughput figure.
type rate struct {
	msgs float64 // messages per second
	mb   float64 // megabytes (10^6 bytes) of payload per second
	err  error
}

// result is everything measured for one engine.
type result struct {
	engine    engine
	rounds    int           // rounds merged into this result (medianResult)
	err       error         // the lab could not be set up: nothing measured
	one       map[int]rate  // B1, one sender, by size
	three     map[int]rate  // B1, three senders, by size
	p50, p99  time.Duration // B3
	latErr    error
	detect    time.Duration // B5
	detectErr error
	rssIdle   int64 // B7, the largest of the three daemons, bytes
	rssAfter  int64
	rssErr    error
}

const group = "bench"

// measure runs every benchmark for one engine on a lab of its own.
func measure(bin string, e engine, s settings) *result {
	r := &result{engine: e, one: map[int]rate{}, three: map[int]rate{}}
	l, err := lab.New(lab.Options{Prefix: "goaisbench", Hosts: 3, Bin: bin})
	if err != nil {
		r.err = err
		return r
	}
	defer l.Close()
	ring := lab.NewRing(e.transport,
		lab.Node{ID: 1, Host: 0, Kind: e.kind},
		lab.Node{ID: 2, Host: 1, Kind: e.kind},
		lab.Node{ID: 3, Host: 2, Kind: e.kind})
	if e.secure {
		key := filepath.Join(l.Dir, "authkey")
		if out, err := exec.Command(l.Bin("ais-keygen"), "-k", key).CombinedOutput(); err != nil {
			r.err = fmt.Errorf("ais-keygen: %v: %s", err, out)
			return r
		}
		ring.Keyfile = key
	}
	var daemons []*lab.Daemon
	for _, n := range ring.Nodes {
		d, err := l.Start(ring, n.ID)
		if err != nil {
			r.err = err
			return r
		}
		daemons = append(daemons, d)
	}
	if err := lab.WaitMembers(daemons, []uint32{1, 2, 3}, 60*time.Second); err != nil {
		r.err = err
		return r
	}
	var peers []*lab.Peer
	for i, d := range daemons {
		p, err := l.StartPeer(d, group, fmt.Sprintf("p%d", i+1))
		if err != nil {
			r.err = err
			return r
		}
		peers = append(peers, p)
	}
	if err := waitGroup(peers); err != nil {
		r.err = err
		return r
	}
	// Let start-up garbage settle before the idle figure.
	time.Sleep(2 * time.Second)
	r.rssIdle, r.rssErr = maxRSS(daemons)

	secs := s.duration.Seconds()
	for _, size := range s.sizes {
		s.logf("  B1 %d B, one sender", size)
		r.one[size] = flood(peers[:1], peers, size, secs)
		s.logf("  B1 %d B, three senders", size)
		r.three[size] = flood(peers, peers, size, secs)
	}
	if rss, err := maxRSS(daemons); err == nil {
		r.rssAfter = rss
	} else if r.rssErr == nil {
		r.rssErr = err
	}

	s.logf("  B3 latency")
	r.p50, r.p99, r.latErr = latency(peers[0], peers, s.duration)

	s.logf("  B5 failure detection")
	r.detect, r.detectErr = detection(daemons[2], peers[2], peers[:2])
	return r
}

// waitGroup waits until every peer's latest confchg lists all of them.
func waitGroup(peers []*lab.Peer) error {
	for _, p := range peers {
		_, err := p.WaitEvents(func(ev []string) bool {
			ccs, err := lab.Confchgs(ev)
			return err == nil && len(ccs) > 0 && len(ccs[len(ccs)-1].Members) == len(peers)
		}, 60*time.Second)
		if err != nil {
			return err
		}
	}
	return nil
}

// flood has senders send size-byte messages flat out for secs seconds,
// and reports the messages delivered per second to the senders (each
// counts what the whole group sent; the figure is their mean).
func flood(senders, all []*lab.Peer, size int, secs float64) rate {
	for _, p := range senders {
		if err := p.Start(fmt.Sprintf("flood %.3f %d", secs, size)); err != nil {
			return rate{err: err}
		}
	}
	var msgs, bytes float64
	for _, p := range senders {
		line, err := p.Result(time.Duration(secs*float64(time.Second)) + 2*time.Minute)
		if err != nil {
			return rate{err: err}
		}
		t := lab.Float(line, "secs")
		if t <= 0 {
			return rate{err: fmt.Errorf("bad flood result %q", line)}
		}
		msgs += float64(lab.Int(line, "delivered")) / t
		bytes += float64(lab.Int(line, "bytes")) / t
	}
	n := float64(len(senders))
	res := rate{msgs: msgs / n, mb: bytes / n / 1e6}
	if err := drain(all); err != nil {
		res.err = err
	}
	return res
}

// drain waits until no peer receives anything for half a second: the
// backlog of the last measurement must not count in the next.
func drain(peers []*lab.Peer) error {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		quiet := true
		for _, p := range peers {
			line, err := p.Do("watch 0.5", time.Minute)
			if err != nil {
				return err
			}
			if lab.Int(line, "delivered") > 0 {
				quiet = false
			}
		}
		if quiet {
			return nil
		}
	}
	return fmt.Errorf("the ring did not drain in 2 minutes")
}

// latency sends 1 KB messages at 1,000 per second from one peer for d and
// reports the percentiles of its self-delivery latency.
func latency(sender *lab.Peer, all []*lab.Peer, d time.Duration) (p50, p99 time.Duration, err error) {
	n := int(d.Seconds() * 1000)
	if _, err := sender.Do("reset", time.Minute); err != nil {
		return 0, 0, err
	}
	if _, err := sender.Do(fmt.Sprintf("rate 1000 %d 1024", n), d+2*time.Minute); err != nil {
		return 0, 0, err
	}
	if err := drain(all); err != nil {
		return 0, 0, err
	}
	line, err := sender.Do("stats", time.Minute)
	if err != nil {
		return 0, 0, err
	}
	if got := lab.Int(line, "lat_n"); got != int64(n) {
		return 0, 0, fmt.Errorf("%d of %d messages self-delivered: %s", got, n, line)
	}
	return time.Duration(lab.Int(line, "p50")), time.Duration(lab.Int(line, "p99")), nil
}

// detection kills victim (kill -9) while the survivors send 1,000 1 KB
// messages per second, and returns the time until the survivors' CPG
// configuration change that removes victim's peer (the later of the two).
func detection(victim *lab.Daemon, gone *lab.Peer, survivors []*lab.Peer) (time.Duration, error) {
	for _, p := range survivors {
		if err := p.Start("rate 1000 1000000 1024"); err != nil {
			return 0, err
		}
	}
	time.Sleep(time.Second) // the load runs before the kill: part of the setup, not a wait for a result
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, err
	}
	killed := ts.Nano()
	victim.Kill()
	var worst int64
	for _, p := range survivors {
		ev, err := p.WaitEvents(func(ev []string) bool { return leftAfter(ev, gone, killed) > 0 }, time.Minute)
		if err != nil {
			return 0, err
		}
		worst = max(worst, leftAfter(ev, gone, killed)-killed)
	}
	return time.Duration(worst), nil
}

// leftAfter is the time of the first confchg after t in which gone left,
// or 0.
func leftAfter(ev []string, gone *lab.Peer, t int64) int64 {
	ccs, _ := lab.Confchgs(ev)
	for _, cc := range ccs {
		if cc.Mono < t {
			continue
		}
		if slices.ContainsFunc(cc.Left, func(m lab.Member) bool { return m.NodeID == gone.NodeID && m.PID == gone.PID }) {
			return cc.Mono
		}
	}
	return 0
}

func maxRSS(daemons []*lab.Daemon) (int64, error) {
	var m int64
	for _, d := range daemons {
		rss, err := d.RSS()
		if err != nil {
			return 0, err
		}
		m = max(m, rss)
	}
	return m, nil
}
