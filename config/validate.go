package config

import (
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Defaults of the protocol core (totem.Config.WithDefaults) that the
// cross-option checks need to know.
const (
	defaultToken            = 3000 * time.Millisecond
	defaultTokenCoefficient = 650 * time.Millisecond
	defaultWindowSize       = 50
	defaultMaxMessages      = 17
)

// validate fills the defaults that depend on other options and checks the
// options against each other. It runs only when every value parsed.
func (d *decoder) validate() {
	c := d.cfg
	t := &c.Totem
	if t.Line == 0 {
		d.failAt(0, "totem", "", "missing: a totem { version: 2 } block is required")
		return
	}
	if !c.IsSet("totem.version") {
		d.failAt(t.Line, "totem.version", "", "missing: must be 2")
	}
	d.checkInterfaces()
	d.checkTransport()
	d.checkNodes()
	d.checkTimers()
	d.checkRedundancy()
	d.checkSecurity()
	d.checkSections()
}

func (d *decoder) checkInterfaces() {
	t := &d.cfg.Totem
	if len(t.Interfaces) > 2 {
		d.failAt(t.Interfaces[2].Line, "totem.interface", "", "at most 2 interfaces (rings 0 and 1) are allowed")
		return
	}
	rings := map[int]int{} // ring number → interface line
	for _, in := range t.Interfaces {
		if prev, dup := rings[in.RingNumber]; dup {
			if s, ok := in.set["totem.interface.ringnumber"]; ok {
				d.failSetting(s, fmt.Sprintf("ring %d already has the interface at line %d", in.RingNumber, prev))
			} else {
				d.failAt(in.Line, "totem.interface.ringnumber", "", fmt.Sprintf("missing: ring 0 already has the interface at line %d", prev))
			}
		}
		rings[in.RingNumber] = in.Line
		if s, ok := in.set["totem.interface.mcastaddr"]; ok && in.BindNetAddr.IsValid() && in.BindNetAddr.Is4() != in.McastAddr.Is4() {
			d.failSetting(s, "mcastaddr and bindnetaddr are of different address families")
		}
	}
	if _, ok := rings[1]; ok && len(rings) == 1 {
		d.failSetting(t.Interfaces[0].set["totem.interface.ringnumber"], "an interface for ring 1 needs one for ring 0")
	}
	if len(t.Interfaces) == 2 && t.RRPMode == "none" {
		if s, ok := d.cfg.set["totem.rrp_mode"]; ok {
			d.failSetting(s, "two interfaces need rrp_mode active or passive")
		} else {
			d.failAt(t.Interfaces[1].Line, "totem.rrp_mode", "", "missing: two interfaces need rrp_mode active or passive")
		}
	}
	slices.SortStableFunc(t.Interfaces, func(a, b Interface) int { return a.RingNumber - b.RingNumber })
}

func (d *decoder) checkTransport() {
	c := d.cfg
	t := &c.Totem
	if t.Transport == "" {
		if len(c.Nodes) > 0 {
			t.Transport = "udpu"
			d.warn(t.Line, "transport not set: corosync 3 would use knet; goais uses udpu")
		} else {
			t.Transport = "udp"
		}
	}
	if t.IPVersion == "" {
		t.IPVersion = "ipv4"
		if t.Transport == "udpu" {
			t.IPVersion = "ipv6-4"
		}
	}
	if len(c.Nodes) == 0 {
		if t.Transport == "udpu" {
			d.failSetting(c.set["totem.transport"], "udpu needs a nodelist { node { ring0_addr: ... } }")
			return
		}
		// openais style: this node is found by its interface 0 address.
		switch {
		case len(t.Interfaces) == 0:
			d.failAt(t.Line, "totem.interface", "", "missing: without a nodelist an interface { bindnetaddr: ... } block is required")
			return
		case !t.Interfaces[0].BindNetAddr.IsValid():
			d.failAt(t.Interfaces[0].Line, "totem.interface.bindnetaddr", "", "missing: needed to find this node when there is no nodelist")
			return
		case t.Interfaces[0].BindNetAddr.Is6() && t.NodeID == 0:
			s := t.Interfaces[0].set["totem.interface.bindnetaddr"]
			d.failAt(s.line, "totem.nodeid", "", fmt.Sprintf("missing: required because bindnetaddr %s is IPv6", s.value))
		}
	}
	if t.Transport == "udp" && t.ClusterName == "" {
		line := t.Line
		if s, ok := c.set["totem.transport"]; ok {
			line = s.line
		}
		if len(t.Interfaces) == 0 {
			d.failAt(line, "totem.interface.mcastaddr", "", "missing: udp needs an interface with mcastaddr, or a cluster_name to derive one from")
		}
		for _, in := range t.Interfaces {
			if !in.McastAddr.IsValid() && !in.Broadcast {
				d.failAt(in.Line, "totem.interface.mcastaddr", "", "missing: udp needs mcastaddr, broadcast: yes, or a cluster_name to derive the address from")
			}
		}
	}
}

func (d *decoder) checkNodes() {
	c := d.cfg
	t := &c.Totem
	if len(c.Nodes) == 0 {
		return
	}
	ids := map[uint32]int{} // nodeid → line of the node that has it
	for _, n := range c.Nodes {
		for _, key := range []string{"ring0_addr", "ring1_addr"} {
			s, ok := n.set["nodelist.node."+key]
			if !ok {
				continue
			}
			a, err := netip.ParseAddr(s.value)
			if err != nil {
				continue // a host name; checked when resolved
			}
			if t.IPVersion == "ipv4" && !a.Is4() {
				d.failSetting(s, "ip_version ipv4 allows only IPv4 addresses")
			}
			if t.IPVersion == "ipv6" && !a.Is6() {
				d.failSetting(s, "ip_version ipv6 allows only IPv6 addresses")
			}
		}
		id, from := n.NodeID, n.set["nodelist.node.nodeid"]
		if id == 0 {
			from = n.set["nodelist.node.ring0_addr"]
			a, err := netip.ParseAddr(n.Ring0Addr)
			if err != nil {
				continue // derived when the name is resolved
			}
			id, err = deriveNodeID(a, t.ClearNodeHighBit)
			if err != nil {
				d.failAt(from.line, "nodelist.node.nodeid", "", err.Error())
				continue
			}
		}
		if prev, dup := ids[id]; dup {
			d.failSetting(from, fmt.Sprintf("nodeid %d is also the node at line %d", id, prev))
			continue
		}
		ids[id] = n.Line
	}
}

// runtimeToken is the token timeout corosync runs with: the configured (or
// default) token plus token_coefficient for each node beyond two.
func (c *Config) runtimeToken(nodes int) time.Duration {
	tok := c.Totem.Token
	if tok == 0 {
		tok = defaultToken
	}
	coef := c.Totem.TokenCoefficient
	if !c.IsSet("totem.token_coefficient") {
		coef = defaultTokenCoefficient
	}
	if nodes > 2 {
		tok += time.Duration(nodes-2) * coef
	}
	return tok
}

func (d *decoder) checkTimers() {
	c := d.cfg
	t := &c.Totem
	if c.IsSet("totem.token") && c.IsSet("totem.consensus") {
		tok := c.runtimeToken(len(c.Nodes))
		if least := time.Duration(1.2 * float64(tok)); t.Consensus < least {
			how := ""
			if tok != t.Token {
				how = fmt.Sprintf(", token %d ms with token_coefficient for %d nodes", tok.Milliseconds(), len(c.Nodes))
			}
			d.failSetting(c.set["totem.consensus"], fmt.Sprintf("must be at least 1.2 × token (%d ms%s)", least.Milliseconds(), how))
		}
	}
	if c.IsSet("totem.token") && c.IsSet("totem.token_retransmit") && t.TokenRetransmit >= t.Token {
		d.failSetting(c.set["totem.token_retransmit"], fmt.Sprintf("must be below token (%d ms)", t.Token.Milliseconds()))
	}
	window, most := t.WindowSize, t.MaxMessages
	if window == 0 {
		window = defaultWindowSize
	}
	if most == 0 {
		most = defaultMaxMessages
	}
	if most > window {
		if s, ok := c.set["totem.max_messages"]; ok {
			d.failSetting(s, fmt.Sprintf("must not exceed window_size (%d)", window))
		} else {
			d.failSetting(c.set["totem.window_size"], fmt.Sprintf("must be at least max_messages (%d by default)", most))
		}
	}
}

func (d *decoder) checkSections() {
	c := d.cfg
	if c.Logging.ToFile && c.Logging.LogFile == "" {
		d.failSetting(c.set["logging.to_file"], "no logfile is given")
	}
	if ev := c.Event; ev.DeliveryQueueResume >= ev.DeliveryQueueSize {
		if s, ok := c.set["event.delivery_queue_resume"]; ok {
			d.failSetting(s, fmt.Sprintf("must be below delivery_queue_size (%d)", ev.DeliveryQueueSize))
		} else {
			d.failSetting(c.set["event.delivery_queue_size"], fmt.Sprintf("must be above delivery_queue_resume (%d by default)", ev.DeliveryQueueResume))
		}
	}
}
