package config

import (
	"fmt"
	"time"
)

// minRRPTimeout is the smallest rrp timeout openais accepted: three of its
// 10 ms timer ticks.
const minRRPTimeout = 30 * time.Millisecond

// checkRedundancy checks rrp_mode against the rings the file describes and
// the rrp_* options against their minimums.
func (d *decoder) checkRedundancy() {
	c := d.cfg
	t := &c.Totem
	rings := c.RingCount()
	mode, modeSet := c.set["totem.rrp_mode"]
	switch {
	case rings == 2 && t.RRPMode == "none":
		// Two interfaces without rrp_mode are reported by checkInterfaces.
		if len(t.Interfaces) < 2 {
			where := d.ring1Where()
			if modeSet {
				d.failSetting(mode, fmt.Sprintf("two rings (%s) need rrp_mode active or passive", where))
			} else {
				d.failAt(t.Line, "totem.rrp_mode", "", fmt.Sprintf("missing: two rings (%s) need rrp_mode active or passive", where))
			}
		}
	case rings == 1 && t.RRPMode != "none":
		how := "ring1_addr in every node { } of the nodelist"
		if t.Transport == "udp" {
			how = "an interface { ringnumber: 1 mcastaddr: … } block"
		}
		d.failSetting(mode, fmt.Sprintf("rrp_mode %s needs a second ring: add %s", t.RRPMode, how))
	}
	if rings == 2 && len(c.Nodes) > 0 {
		// Every node needs its ring 1 address, or the others cannot
		// reach it on that ring.
		var with, without int
		for _, n := range c.Nodes {
			if n.Ring1Addr != "" {
				with = n.Line
			} else if without == 0 {
				without = n.Line
			}
		}
		if with != 0 && without != 0 {
			d.failAt(without, "nodelist.node.ring1_addr", "", fmt.Sprintf("missing: the node at line %d has one, and every node needs its ring 1 address", with))
		}
		if with == 0 && t.Transport == "udpu" {
			d.failAt(c.NodelistLine, "nodelist.node.ring1_addr", "", "missing: udpu finds the ring 1 address of each node in the nodelist")
		}
	}
	if t.Transport == "udp" && len(t.Interfaces) == 2 {
		p0, p1 := t.Interfaces[0].McastPort, t.Interfaces[1].McastPort
		s1, set1 := t.Interfaces[1].set["totem.interface.mcastport"]
		if set1 && p1 >= p0-1 && p1 <= p0+1 {
			d.failSetting(s1, fmt.Sprintf("ring 1 needs a port at least 2 away from ring 0's (%d): udp binds the wildcard address, so the rings would receive each other's datagrams", p0))
		}
	}
	if s, ok := c.set["totem.rrp_problem_count_threshold"]; ok && t.RRPProblemCountThreshold < 5 {
		d.failSetting(s, "the minimum is 5")
	}
	if s, ok := c.set["totem.rrp_problem_count_mcast_threshold"]; ok && t.RRPProblemCountMcastThreshold < 5 {
		d.failSetting(s, "the minimum is 5")
	}
	for _, opt := range []struct {
		key string
		v   time.Duration
	}{
		{"totem.rrp_problem_count_timeout", t.RRPProblemCountTimeout},
		{"totem.rrp_token_expired_timeout", t.RRPTokenExpiredTimeout},
	} {
		if s, ok := c.set[opt.key]; ok && opt.v < minRRPTimeout {
			d.failSetting(s, fmt.Sprintf("the minimum is %d ms (three 10 ms timer ticks)", minRRPTimeout.Milliseconds()))
		}
	}
	if s, ok := c.set["totem.rrp_token_expired_timeout"]; ok && c.IsSet("totem.token") && t.RRPTokenExpiredTimeout >= t.Token {
		d.failSetting(s, fmt.Sprintf("must be below token (%d ms): a token held that long is lost", t.Token.Milliseconds()))
	}
}

// ring1Where names what makes the file describe a second ring.
func (d *decoder) ring1Where() string {
	for _, n := range d.cfg.Nodes {
		if n.Ring1Addr != "" {
			return fmt.Sprintf("ring1_addr at line %d", n.set["nodelist.node.ring1_addr"].line)
		}
	}
	for _, in := range d.cfg.Totem.Interfaces {
		if in.RingNumber == 1 {
			return fmt.Sprintf("interface at line %d", in.Line)
		}
	}
	return "ring 1"
}

// checkSecurity warns about options goais accepts but does not use.
func (d *decoder) checkSecurity() {
	c := d.cfg
	t := &c.Totem
	if c.Encrypted() {
		for _, key := range []string{"totem.crypto_cipher", "totem.crypto_hash"} {
			if s, ok := c.set[key]; ok && s.value != "none" && s.value != "aes256" && s.value != "sha256" {
				d.warn(s.line, "%s %s: goais rings always use AES-256-GCM authenticated encryption when crypto is on", s.name, s.value)
			}
		}
		if t.Keyfile != "" && t.Key != "" {
			d.failSetting(c.set["totem.key"], "set either key or keyfile, not both")
		}
	} else if s, ok := c.set["totem.threads"]; ok && t.Threads > 0 {
		d.warn(s.line, "threads %d has no effect without secauth", t.Threads)
	}
}
