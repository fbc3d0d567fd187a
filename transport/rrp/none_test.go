package rrp

import "testing"

func TestNone(t *testing.T) {
	m, _ := newMonitor(t, None)
	for _, d := range [][]byte{token(r1, 1, 0), token(r1, 1, 0), mcast(r1, 1), join(), commitToken(r1), mergeDetect(), holdCancel(), {1, 2, 3}} {
		wantRings(t, m, d, 0)
		recv(t, m, t0, 0, d, Deliver)
	}
	if !m.NextDeadline().IsZero() || m.Released() != nil {
		t.Fatalf("mode none armed a timer or released something")
	}
	st := m.Stats().Rings
	if len(st) != 1 || st[0].Datagrams != 8 || st[0].Tokens != 2 || st[0].Messages != 5 || st[0].Malformed != 1 {
		t.Fatalf("stats %+v", st)
	}
}
