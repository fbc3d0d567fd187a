package config

import (
	"strconv"
	"strings"
)

func (d *decoder) event(b *block) {
	ev := &d.cfg.Event
	d.keysOnly(b, d.cfg.set, func(key string, e *entry) bool {
		switch key {
		case "delivery_queue_size":
			ev.DeliveryQueueSize = d.count(e, 1)
		case "delivery_queue_resume":
			ev.DeliveryQueueResume = d.count(e, 1)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) amf(b *block) {
	d.keysOnly(b, d.cfg.set, func(key string, e *entry) bool {
		if key != "mode" {
			return false
		}
		d.cfg.AMF.Enabled = d.choice(e, "enabled", "disabled") == "enabled"
		return true
	})
}

func (d *decoder) aisexec(b *block) {
	a := &d.cfg.AISExec
	d.keysOnly(b, d.cfg.set, func(key string, e *entry) bool {
		switch key {
		case "user":
			a.User = d.text(e)
		case "group":
			a.Group = d.text(e)
		case "defaultservices":
			a.DefaultServices = d.boolean(e)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) service(b *block) {
	s := Service{Line: b.line}
	set := settings{}
	d.keysOnly(b, set, func(key string, e *entry) bool {
		switch key {
		case "name":
			s.Name = d.text(e)
		case "ver":
			s.Ver = int(d.integer(e, 0, 1<<31-1))
		default:
			return false
		}
		return true
	})
	if _, ok := set["service.name"]; !ok {
		d.failAt(b.line, "service.name", "", "missing: every service block names a service")
	}
	d.cfg.Services = append(d.cfg.Services, s)
}

func (d *decoder) nodelist(b *block) {
	if d.cfg.NodelistLine == 0 {
		d.cfg.NodelistLine = b.line
	}
	for i := range b.entries {
		e := &b.entries[i]
		switch {
		case e.sub == nil:
			d.unknownOption(e)
		case e.sub.name == "node":
			d.node(e.sub)
		default:
			d.unknownSection(e.sub)
		}
	}
}

func (d *decoder) node(b *block) {
	n := Node{Line: b.line, set: settings{}}
	d.keysOnly(b, n.set, func(key string, e *entry) bool {
		switch key {
		case "ring0_addr":
			n.Ring0Addr = d.host(e)
		case "ring1_addr":
			n.Ring1Addr = d.host(e)
		case "nodeid":
			n.NodeID = uint32(d.integer(e, 1, 1<<32-1))
		case "name":
			n.Name = d.text(e)
		case "quorum_votes":
			n.QuorumVotes = int(d.integer(e, 0, 1<<31-1))
		default:
			if link, ok := strings.CutPrefix(key, "ring"); ok && strings.HasSuffix(link, "_addr") {
				if k, err := strconv.Atoi(strings.TrimSuffix(link, "_addr")); err == nil && k >= 2 && k <= 7 {
					d.ignored(e, "only ring0_addr and ring1_addr are used by udp and udpu")
					return true
				}
			}
			return false
		}
		return true
	})
	if _, ok := n.set["nodelist.node.ring0_addr"]; !ok {
		d.failAt(b.line, "nodelist.node.ring0_addr", "", "missing: every node needs a ring0_addr")
	}
	d.cfg.Nodes = append(d.cfg.Nodes, n)
}

func (d *decoder) quorum(b *block) {
	q := &d.cfg.Quorum
	if q.Line == 0 {
		q.Line = b.line
	}
	d.keysOnly(b, d.cfg.set, func(key string, e *entry) bool {
		switch key {
		case "provider":
			q.Provider = d.text(e)
		case "expected_votes":
			q.ExpectedVotes = d.count(e, 1)
		case "votes":
			q.Votes = d.count(e, 0)
		case "two_node":
			q.TwoNode = d.boolean(e)
		case "wait_for_all":
			q.WaitForAll = d.boolean(e)
		case "last_man_standing":
			q.LastManStanding = d.boolean(e)
		case "last_man_standing_window":
			q.LastManStandingWindow = d.millis(e, 1)
		case "auto_tie_breaker":
			q.AutoTieBreaker = d.boolean(e)
		case "auto_tie_breaker_node":
			q.AutoTieBreakerNode = d.text(e)
		case "allow_downscale":
			q.AllowDownscale = d.boolean(e)
		case "expected_votes_tracking":
			q.ExpectedVotesTracking = d.boolean(e)
		default:
			return false
		}
		return true
	})
}

func (d *decoder) system(b *block) {
	s := &d.cfg.System
	d.keysOnly(b, d.cfg.set, func(key string, e *entry) bool {
		switch key {
		case "run_dir":
			s.RunDir = d.text(e)
		case "state_dir":
			s.StateDir = d.text(e)
		case "sched_rr":
			s.SchedRR = d.boolean(e)
		case "priority":
			s.Priority = d.schedPriority(e)
		case "qb_ipc_type":
			s.QBIPCType = d.choice(e, "native", "shm", "socket")
		case "move_to_root_cgroup":
			s.MoveToRootCgroup = d.choice(e, "yes", "no", "auto")
		case "allow_knet_handle_fallback":
			s.AllowKnetHandleFallback = d.boolean(e)
		default:
			return false
		}
		return true
	})
}

// schedPriority accepts min, max or a nice value.
func (d *decoder) schedPriority(e *entry) string {
	v := strings.ToLower(e.value)
	if v == "min" || v == "max" {
		return v
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < -20 || n > 19 {
		d.fail(e, "want min, max or a whole number from -20 to 19")
		return ""
	}
	return strconv.Itoa(n)
}
