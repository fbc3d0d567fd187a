package main

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"
)

// quitError ends the command loop normally.
type quitError struct{}

func (quitError) Error() string { return "quit" }

// command runs one line. It returns quitError{} for quit, a *callError
// whose fatal() ends the program, or nil; refusals and unknown commands
// are printed here.
func (p *peer) command(line string) error {
	f := strings.FieldsFunc(line, func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' })
	if len(f) == 0 {
		return nil // a blank line
	}
	known, err := p.dispatch(f)
	if !known {
		p.printf("error unknown command: %s\n", strings.TrimSuffix(line, "\r"))
		return nil
	}
	if ce, ok := err.(*callError); ok && !ce.fatal() {
		p.printf("%s\n", ce)
		return nil
	}
	return err
}

// dispatch runs a tokenized command; known is false when it is not one.
func (p *peer) dispatch(f []string) (known bool, err error) {
	switch {
	case f[0] == "verbose" && len(f) == 2 && (f[1] == "on" || f[1] == "off"):
		p.verbose = f[1] == "on"
		p.printf("ok\n")
	case f[0] == "join" && len(f) == 1:
		return true, p.cmdJoin()
	case f[0] == "leave" && len(f) == 1:
		return true, p.cmdLeave()
	case f[0] == "send" && len(f) == 3:
		n, ok1 := parseUint(f[1], math.MaxUint64)
		size, ok2 := parseUint(f[2], maxSize)
		if !ok1 || !ok2 {
			return false, nil
		}
		return true, p.cmdRate(0, n, int(size))
	case f[0] == "rate" && len(f) == 4:
		r, ok1 := parseReal(f[1], 0, true, 1e9)
		n, ok2 := parseUint(f[2], math.MaxUint64)
		size, ok3 := parseUint(f[3], maxSize)
		if !ok1 || !ok2 || !ok3 {
			return false, nil
		}
		return true, p.cmdRate(r, n, int(size))
	case f[0] == "flood" && len(f) == 3:
		secs, ok1 := parseReal(f[1], 0, false, 1e6)
		size, ok2 := parseUint(f[2], maxSize)
		if !ok1 || !ok2 {
			return false, nil
		}
		return true, p.cmdFlood(secs, int(size))
	case f[0] == "watch" && len(f) == 2:
		secs, ok := parseReal(f[1], 0, false, 1e6)
		if !ok {
			return false, nil
		}
		return true, p.cmdWatch(secs)
	case f[0] == "stats" && len(f) == 1:
		p50, p99, mx := p.st.percentiles()
		p.printf("stats delivered=%d bytes=%d hash=%016x self=%d lat_n=%d p50=%d p99=%d max=%d\n",
			p.st.delivered, p.st.bytes, p.st.hash, p.st.self, len(p.st.samples), p50, p99, mx)
	case f[0] == "reset" && len(f) == 1:
		p.st.reset()
		p.printf("ok\n")
	case f[0] == "quit" && len(f) == 1:
		return true, quitError{}
	default:
		return false, nil
	}
	return true, nil
}

// parseUint reads a decimal count no larger than maxV (digits only).
func parseUint(s string, maxV uint64) (uint64, bool) {
	if s == "" {
		return 0, false
	}
	var v uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		d := uint64(s[i] - '0')
		if v > (maxV-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// parseReal reads a finite number in [minV, maxV], minV excluded if open.
func parseReal(s string, minV float64, open bool, maxV float64) (float64, bool) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < minV || (open && v == minV) || v > maxV {
		return 0, false
	}
	return v, true
}

// cmdRate sends n messages: paced at r per second on an absolute schedule
// (message k at start + k/r; a late one goes at once, the next keeps its
// own time), or as fast as flow control allows when r is 0 (send).
func (p *peer) cmdRate(r float64, n uint64, size int) error {
	start := monoNow()
	for k := uint64(0); k < n; k++ {
		if r > 0 {
			// Capped at about 31 years so that it always fits.
			if err := p.until(start + int64(min(float64(k)*1e9/r, 1e18))); err != nil {
				return err
			}
		}
		if _, err := p.sendOne(size, -1); err != nil {
			return err
		}
	}
	p.printf("sent %d\n", n)
	return nil
}

func (p *peer) cmdFlood(secs float64, size int) error {
	var sent uint64
	d0, b0 := p.allDelivered, p.allBytes
	start := monoNow()
	end := start + int64(secs*1e9)
	for monoNow() < end {
		ok, err := p.sendOne(size, end)
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		sent++
	}
	t := float64(monoNow()-start) / 1e9
	p.printf("flood sent=%d delivered=%d bytes=%d secs=%.3f\n", sent, p.allDelivered-d0, p.allBytes-b0, t)
	return nil
}

func (p *peer) cmdWatch(secs float64) error {
	d0, b0 := p.allDelivered, p.allBytes
	start := monoNow()
	if err := p.until(start + int64(secs*1e9)); err != nil {
		return err
	}
	t := float64(monoNow()-start) / 1e9
	p.printf("watch delivered=%d bytes=%d secs=%.3f\n", p.allDelivered-d0, p.allBytes-b0, t)
	return nil
}

func (p *peer) cmdJoin() error {
	if err := p.retry("cpg_join", func() error { return p.c.Join(p.ctx, p.group) }); err != nil {
		return err
	}
	p.joined = true
	p.printf("ok\n")
	return nil
}

func (p *peer) cmdLeave() error {
	if err := p.retry("cpg_leave", func() error { return p.c.Leave(p.ctx, p.group) }); err != nil {
		return err
	}
	p.joined = false
	p.printf("ok\n")
	return nil
}

// quit leaves the group if joined and disconnects.
func (p *peer) quit() {
	if p.joined {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_ = p.c.Leave(ctx, p.group)
		cancel()
	}
	_ = p.c.Close()
}
