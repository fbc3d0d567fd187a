package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMedianResult(t *testing.T) {
	e := engines[0]
	fail := errors.New("lost")
	rounds := []*result{
		{engine: e, one: map[int]rate{64: {msgs: 100, mb: 1}}, three: map[int]rate{64: {err: fail}}, p50: 3, p99: 30, detect: 5 * time.Second, rssIdle: 10, rssAfter: 30},
		{engine: e, one: map[int]rate{64: {msgs: 300, mb: 3}}, three: map[int]rate{64: {msgs: 7}}, p50: 1, p99: 10, detect: 3 * time.Second, rssIdle: 12, rssAfter: 20},
		{engine: e, err: fail},
		{engine: e, one: map[int]rate{64: {msgs: 200, mb: 2}}, three: map[int]rate{64: {err: fail}}, p50: 2, p99: 20, detectErr: fail, rssIdle: 11, rssAfter: 25},
	}
	m := medianResult(rounds)
	if m.err != nil || m.rounds != 3 {
		t.Fatalf("err %v, rounds %d; want nil, 3", m.err, m.rounds)
	}
	if got := m.one[64]; got.msgs != 200 || got.mb != 2 || got.err != nil {
		t.Errorf("one sender = %+v, want the middle round's 200 msgs/s, 2 MB/s", got)
	}
	if got := m.three[64]; got.msgs != 7 || got.err != nil {
		t.Errorf("three senders = %+v, want the only round that measured it", got)
	}
	if m.p50 != 2 || m.p99 != 20 || m.rssIdle != 11 || m.rssAfter != 25 {
		t.Errorf("p50 %v p99 %v rss %d/%d, want 2 20 11/25", m.p50, m.p99, m.rssIdle, m.rssAfter)
	}
	if m.detect != 5*time.Second || m.detectErr != nil {
		t.Errorf("detect %v %v, want the upper of two: 5s", m.detect, m.detectErr)
	}
	if all := medianResult([]*result{{engine: e, err: fail}}); all.err == nil {
		t.Errorf("every round failed, yet no error")
	}
}

func TestFlags(t *testing.T) {
	if _, err := parseSizes("64,1024"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"", "0", "x", "64,2000000"} {
		if _, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) accepted", bad)
		}
	}
	if es, err := selectEngines("goais-udpu,corosync-knet"); err != nil || len(es) != 2 || es[0].name != "goais udpu" {
		t.Errorf("selectEngines = %v, %v", es, err)
	}
	if _, err := selectEngines("goais-knet"); err == nil || !strings.Contains(err.Error(), "unknown engine") {
		t.Errorf("selectEngines(goais-knet) = %v", err)
	}
	var out, errb strings.Builder
	for _, args := range [][]string{{"-rounds", "0"}, {"-duration", "10ms"}, {"-sizes", "x"}, {"extra"}} {
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("run(%v) = %d, want 2", args, code)
		}
	}
}
