package udpsock

import (
	"math"
	"testing"
)

// TestLimiterCountsWhatItHoldsBack moves the limiter's next-message time
// by hand instead of waiting for the clock.
func TestLimiterCountsWhatItHoldsBack(t *testing.T) {
	var l Limiter
	if ok, n := l.Allow(); !ok || n != 0 {
		t.Fatalf("first Allow = %v, %d; want true, 0", ok, n)
	}
	l.next.Store(math.MaxInt64) // the interval has not passed
	for i := range 3 {
		if ok, _ := l.Allow(); ok {
			t.Fatalf("Allow %d inside the interval let a message through", i)
		}
	}
	l.next.Store(0) // the interval has passed
	if ok, n := l.Allow(); !ok || n != 3 {
		t.Fatalf("Allow after the interval = %v, %d; want true, 3 suppressed", ok, n)
	}
	l.next.Store(0)
	if ok, n := l.Allow(); !ok || n != 0 {
		t.Fatalf("next Allow = %v, %d; want true, 0 (the count was reported)", ok, n)
	}
}
