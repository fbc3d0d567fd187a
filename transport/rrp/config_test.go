package rrp

import (
	"testing"
	"time"
)

func TestModeStringParse(t *testing.T) {
	for _, m := range []Mode{None, Active, Passive} {
		got, err := ParseMode(m.String())
		if err != nil || got != m {
			t.Errorf("ParseMode(%q) = %v, %v; want %v", m.String(), got, err, m)
		}
	}
	if s := Mode(7).String(); s != "mode(7)" {
		t.Errorf("Mode(7).String() = %q", s)
	}
	for _, s := range []string{"", "Active", "both", "none "} {
		if _, err := ParseMode(s); err == nil {
			t.Errorf("ParseMode(%q) succeeded", s)
		}
	}
	if _, err := ParseMode("actve"); err == nil || err.Error() != `rrp_mode "actve": must be none, active or passive` {
		t.Errorf("ParseMode error %v", err)
	}
}

func TestValidate(t *testing.T) {
	ok := Config{Mode: Active, Addrs: addrs, TokenExpiredTimeout: expired}
	tests := []struct {
		name string
		edit func(*Config)
		want string // "" = valid
	}{
		{"active defaults", func(*Config) {}, ""},
		{"passive", func(c *Config) { c.Mode = Passive }, ""},
		{"none one ring", func(c *Config) { c.Mode, c.Addrs = None, addrs[:1] }, ""},
		{"minimums", func(c *Config) {
			c.ProblemCountThreshold, c.ProblemCountMcastThreshold = 5, 5
			c.ProblemCountTimeout, c.TokenExpiredTimeout = 30*time.Millisecond, 30*time.Millisecond
		}, ""},
		{"none two rings", func(c *Config) { c.Mode = None },
			"rrp_mode none: 2 interfaces configured, but it uses only one; set rrp_mode to active or passive"},
		{"none no ring", func(c *Config) { c.Mode, c.Addrs = None, nil },
			"rrp_mode none: needs one interface, got 0"},
		{"active one ring", func(c *Config) { c.Addrs = addrs[:1] },
			"rrp_mode active: needs 2 interfaces (ring 0 and ring 1), got 1"},
		{"passive three rings", func(c *Config) { c.Mode, c.Addrs = Passive, []string{"a", "b", "c"} },
			"rrp_mode passive: needs 2 interfaces (ring 0 and ring 1), got 3"},
		{"bad mode", func(c *Config) { c.Mode = 3 }, "rrp_mode mode(3): must be none, active or passive"},
		{"threshold", func(c *Config) { c.ProblemCountThreshold = 3 }, "rrp_problem_count_threshold 3: the minimum is 5"},
		{"negative threshold", func(c *Config) { c.ProblemCountThreshold = -1 }, "rrp_problem_count_threshold -1: the minimum is 5"},
		{"mcast threshold", func(c *Config) { c.ProblemCountMcastThreshold = 4 }, "rrp_problem_count_mcast_threshold 4: the minimum is 5"},
		{"problem timeout", func(c *Config) { c.ProblemCountTimeout = 20 * time.Millisecond }, "rrp_problem_count_timeout 20ms: the minimum is 30ms"},
		{"negative problem timeout", func(c *Config) { c.ProblemCountTimeout = -time.Second }, "rrp_problem_count_timeout -1s: the minimum is 30ms"},
		{"expired missing", func(c *Config) { c.TokenExpiredTimeout = 0 },
			"rrp_token_expired_timeout: required (see DefaultTokenExpiredTimeout for the value openais computes)"},
		{"expired short", func(c *Config) { c.TokenExpiredTimeout = 29 * time.Millisecond }, "rrp_token_expired_timeout 29ms: the minimum is 30ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := ok
			tt.edit(&c)
			err := c.Validate()
			_, newErr := New(c)
			switch {
			case tt.want == "" && (err != nil || newErr != nil):
				t.Fatalf("Validate: %v, New: %v; want valid", err, newErr)
			case tt.want != "" && (err == nil || err.Error() != tt.want):
				t.Fatalf("Validate: %v\nwant: %s", err, tt.want)
			case tt.want != "" && (newErr == nil || newErr.Error() != tt.want):
				t.Fatalf("New: %v\nwant: %s", newErr, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	m, _ := newMonitor(t, Active)
	c := m.cfg
	if c.ProblemCountTimeout != 2000*time.Millisecond || c.ProblemCountThreshold != 10 || c.ProblemCountMcastThreshold != 100 {
		t.Fatalf("defaults: timeout %v threshold %d mcast threshold %d", c.ProblemCountTimeout, c.ProblemCountThreshold, c.ProblemCountMcastThreshold)
	}
	m, _ = newMonitor(t, Passive, func(c *Config) { c.ProblemCountThreshold = 7 })
	if m.cfg.ProblemCountMcastThreshold != 70 {
		t.Fatalf("mcast threshold %d, want 10 × 7", m.cfg.ProblemCountMcastThreshold)
	}
	for i, s := range m.Status() {
		want := RingStatus{Ring: i, Addr: addrs[i], Status: noFaults(i)}
		if s != want {
			t.Errorf("initial status %+v, want %+v", s, want)
		}
	}
	if got := statuses(m); got[0] != "ring 0 active with no faults" || got[1] != "ring 1 active with no faults" {
		t.Fatalf("initial statuses %q", got)
	}
}

func TestNewDoesNotKeepAddrs(t *testing.T) {
	a := []string{"x", "y"}
	m, err := New(Config{Mode: Passive, Addrs: a, TokenExpiredTimeout: expired})
	if err != nil {
		t.Fatal(err)
	}
	a[1] = "changed"
	if s := m.Status()[1].Addr; s != "y" {
		t.Fatalf("address %q after the caller changed its slice", s)
	}
}

func TestDefaultTokenExpiredTimeout(t *testing.T) {
	for _, tt := range []struct {
		token     time.Duration
		threshold int
		want      time.Duration
	}{
		{1000 * time.Millisecond, 20, 47500 * time.Microsecond}, // openais's 47 ms
		{1000 * time.Millisecond, 0, 95 * time.Millisecond},
		{3000 * time.Millisecond, 10, 295 * time.Millisecond},
		{200 * time.Millisecond, 10, 30 * time.Millisecond}, // 15 ms, raised to the minimum
	} {
		if got := DefaultTokenExpiredTimeout(tt.token, tt.threshold); got != tt.want {
			t.Errorf("DefaultTokenExpiredTimeout(%v, %d) = %v, want %v", tt.token, tt.threshold, got, tt.want)
		}
	}
}
