package executive

import (
	"time"
)

// pauseCheck notices when the loop was not scheduled for longer than 0.8 ×
// token (corosync's "main process was not scheduled"): the loop wakes at
// least every threshold/2, so a longer gap between two wake-ups means the
// process itself was stopped or starved.
type pauseCheck struct {
	threshold time.Duration
	last      time.Time
}

func newPauseCheck(token time.Duration, now time.Time) pauseCheck {
	return pauseCheck{threshold: token * 8 / 10, last: now}
}

// wake records a wake-up and returns the pause if it exceeded the threshold.
func (p *pauseCheck) wake(now time.Time) (paused time.Duration, late bool) {
	gap := now.Sub(p.last)
	p.last = now
	return gap, gap > p.threshold
}

// deadline is the latest the loop may sleep until.
func (p *pauseCheck) deadline() time.Time { return p.last.Add(p.threshold / 2) }
