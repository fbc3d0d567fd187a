package sim

import (
	"strings"
	"testing"
	"time"

	"goais/totem"
)

var (
	chkR1 = chkRID(1, 4)
	chkR2 = chkRID(1, 8)
	chkR3 = chkRID(1, 12)
)

func TestAgreedOrder(t *testing.T) {
	t.Run("pass", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		a, b, c := h.send(1, false), h.send(2, false), h.send(3, false)
		h.deliver(1, a)
		h.deliver(2, a, b)
		h.deliver(1, b, c)
		h.deliver(3, b) // a subsequence is fine
		h.deliver(3, c)
		h.deliver(2, c)
		h.ok()
	})
	t.Run("inverted-by-second", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		a, b := h.send(1, false), h.send(1, false)
		h.deliver(1, a, b)
		h.deliver(2, b)
		h.ok()
		h.deliver(2, a)
		v := h.want(PropAgreedOrder, 2, 1)
		if !strings.Contains(v.Detail, "n2 delivered 1.0#2 (its #1) then 1.0#1 (its #2)") ||
			!strings.Contains(v.Detail, "n1 delivered 1.0#1 (its #1) before 1.0#2 (its #2)") {
			t.Errorf("detail %q", v.Detail)
		}
	})
	t.Run("inverted-by-first", func(t *testing.T) {
		// Interleaved: the last of the four deliveries is n1's second.
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		a, b := h.send(1, false), h.send(1, false)
		h.deliver(1, a)
		h.deliver(2, b)
		h.deliver(2, a)
		h.ok()
		h.deliver(1, b)
		h.want(PropAgreedOrder, 1, 2)
	})
	t.Run("inverted-across-incarnations", func(t *testing.T) {
		// The crashed incarnation's history still counts.
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		a, b := h.send(1, false), h.send(1, false)
		h.deliver(2, a, b)
		h.crash(2)
		h.restart(2)
		h.deliver(1, b)
		h.deliver(1, a)
		h.want(PropAgreedOrder, 1, 2)
	})
}

func TestNoDuplication(t *testing.T) {
	t.Run("pass-new-incarnation", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		a := h.send(1, false)
		h.deliver(2, a)
		h.restart(2) // implies the crash
		h.change(2, chkR1, chkIDs(2), chkIDs(1, 2))
		h.deliver(2, a) // a new process
		h.deliver(1, a)
		h.ok()
	})
	t.Run("twice", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		a, b := h.send(1, false), h.send(1, false)
		h.deliver(2, a, b, a)
		h.want(PropNoDuplication, 2)
	})
}

func TestNoCreation(t *testing.T) {
	setup := func(t *testing.T) (*chkHist, MsgID) {
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		return h, h.send(1, true)
	}
	t.Run("pass", func(t *testing.T) {
		h, a := setup(t)
		h.held[1], h.held[2] = true, true
		h.deliver(1, a)
		h.deliver(2, a)
		h.ok()
	})
	t.Run("never-sent", func(t *testing.T) {
		h, _ := setup(t)
		h.deliver(2, MsgID{Origin: 1, Counter: 7})
		h.want(PropNoCreation, 2)
	})
	t.Run("other-incarnation", func(t *testing.T) {
		h, _ := setup(t)
		h.deliver(2, MsgID{Origin: 1, Incarnation: 1, Counter: 1})
		h.want(PropNoCreation, 2)
	})
	t.Run("content", func(t *testing.T) {
		h, a := setup(t)
		h.c.Delivered(h.now, 2, a, chkSum(a)+1, chkR1, 1, true)
		h.want(PropNoCreation, 2, 1)
	})
	t.Run("safe-flag", func(t *testing.T) {
		h, a := setup(t)
		h.c.Delivered(h.now, 2, a, chkSum(a), chkR1, 1, false)
		h.want(PropNoCreation, 2, 1)
	})
}

func TestSelfDelivery(t *testing.T) {
	t.Run("pass-crashed-sender", func(t *testing.T) {
		// An undelivered message of a crashed incarnation is no violation.
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		a := h.send(1, false)
		h.deliver(2, a)
		h.send(1, false) // lost with the crash
		h.crash(1)
		h.change(2, chkR2, chkIDs(2), chkIDs(2))
		h.restart(1)
		h.trans(1, chkR3, 1)
		h.trans(2, chkR3, 2)
		h.reg(1, chkR3, 1, 2)
		h.reg(2, chkR3, 1, 2)
		b := h.send(1, false)
		h.deliver(1, b)
		h.deliver(2, b)
		h.ok()
		if v := h.c.CheckFinal(h.now, chkIDs(1, 2), h.now); v != nil {
			t.Fatal(v)
		}
	})
	t.Run("own-message-lost", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		h.boot(chkR1, 1, 2)
		a, b := h.send(1, false), h.send(1, false)
		h.deliver(2, a, b)
		h.deliver(1, a)
		h.ok()
		wantFinal(t, h.c.CheckFinal(h.now, chkIDs(1, 2), 0), PropSelfDelivery, 1)
	})
}

func wantFinal(t *testing.T, v *Violation, prop string, nodes ...totem.NodeID) {
	t.Helper()
	chkWant(t, v, prop, nodes...)
}

func TestVirtualSynchrony(t *testing.T) {
	// n1, n2, n3 on chkR1; n3 leaves; n1 and n2 go to chkR2 through the
	// transitional configuration {1, 2}.
	setup := func(t *testing.T) (*chkHist, MsgID, MsgID) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		return h, h.send(1, false), h.send(3, false)
	}
	leave := func(h *chkHist, n totem.NodeID) { h.trans(n, chkR2, 1, 2) }
	install := func(h *chkHist, n totem.NodeID) { h.reg(n, chkR2, 1, 2) }
	t.Run("pass", func(t *testing.T) {
		h, a, b := setup(t)
		h.deliver(1, a)
		h.deliver(2, a)
		h.deliver(3, a, b)
		leave(h, 1)
		h.held[2] = true // n2 has b too (transitional-held)
		h.deliver(1, b)  // in the transitional part, on chkR1
		install(h, 1)
		leave(h, 2)
		h.deliver(2, b)
		install(h, 2)
		// n3 goes elsewhere with another set: a different (C, C').
		h.change(3, chkRID(3, 8), chkIDs(3), chkIDs(3))
		h.ok()
	})
	t.Run("missing", func(t *testing.T) {
		h, a, b := setup(t)
		h.deliver(1, a, b)
		h.deliver(2, a)
		leave(h, 1)
		install(h, 1)
		leave(h, 2)
		h.ok()
		install(h, 2)
		v := h.want(PropVirtualSynchrony, 2, 1)
		if !strings.Contains(v.Detail, "only n2: []; only n1: [3.0#1]") {
			t.Errorf("detail %q", v.Detail)
		}
	})
	t.Run("transitional-part", func(t *testing.T) {
		// Same set overall, but b delivered in the regular part by n1 and
		// in the transitional part by n2.
		h, a, b := setup(t)
		h.deliver(1, a, b)
		h.deliver(2, a)
		leave(h, 1)
		install(h, 1)
		leave(h, 2)
		h.deliver(2, b)
		install(h, 2)
		v := h.want(PropVirtualSynchrony, 2, 1)
		if !strings.Contains(v.Detail, "transitional") || !strings.Contains(v.Detail, "only n2: [3.0#1]; only n1: []") {
			t.Errorf("detail %q", v.Detail)
		}
	})
	t.Run("crashed-first", func(t *testing.T) {
		// The first process to reach chkR2 crashes afterwards; its history
		// still serves for the comparison.
		h, a, b := setup(t)
		h.deliver(1, a)
		leave(h, 1)
		install(h, 1)
		h.crash(1)
		h.deliver(2, a, b)
		leave(h, 2)
		install(h, 2)
		h.want(PropVirtualSynchrony, 2, 1)
	})
}

func TestConfigRules(t *testing.T) {
	tr := func(ring totem.RingID, members, left []totem.NodeID) totem.ConfigChange {
		return totem.ConfigChange{Type: totem.Transitional, Ring: ring, Members: members, Left: left}
	}
	rg := func(ring totem.RingID, members, joined []totem.NodeID) totem.ConfigChange {
		return totem.ConfigChange{Type: totem.Regular, Ring: ring, Members: members, Joined: joined}
	}
	// Each case starts with n1, n2, n3 on chkR1 and has n1 do something.
	cases := []struct {
		name   string
		detail string // in the violation; "" for a correct history
		run    func(h *chkHist)
	}{
		{"pass-leave", "", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, rg(chkR2, chkIDs(1, 2), nil))
		}},
		{"pass-merge", "", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2, 3), nil))
			h.cfg(1, rg(chkR2, chkIDs(1, 2, 3, 4), chkIDs(4)))
		}},
		{"pass-old-ring-messages-in-transitional", "", func(h *chkHist) {
			a := h.send(2, false)
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.deliverOn(1, a, chkR1)
			h.cfg(1, rg(chkR2, chkIDs(1, 2), nil))
		}},
		{"regular-without-transitional", "not preceded by a transitional", func(h *chkHist) {
			h.cfg(1, rg(chkR2, chkIDs(1, 2, 3), nil))
		}},
		{"transitional-twice", "without its regular configuration", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, tr(chkR3, chkIDs(1), chkIDs(2, 3)))
		}},
		{"regular-other-ring", "ring differs from the preceding transitional", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, rg(chkR3, chkIDs(1, 2), nil))
		}},
		{"self-not-member", "do not include the node itself", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(2, 3), chkIDs(1)))
		}},
		{"members-unsorted", "not ascending", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(2, 1), chkIDs(3)))
		}},
		{"members-duplicate", "not ascending without duplicates", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2, 3), nil))
			h.cfg(1, rg(chkR2, chkIDs(1, 2, 2), chkIDs(2)))
		}},
		{"unknown-member", "unknown node 9", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2, 3), nil))
			h.cfg(1, rg(chkR2, chkIDs(1, 2, 3, 9), chkIDs(9)))
		}},
		{"transitional-not-subset-of-previous", "not a subset of the previous regular members", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2, 4), chkIDs(3)))
		}},
		{"transitional-not-subset-of-new", "do not include the transitional members", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, rg(chkR2, chkIDs(1, 4), chkIDs(4)))
		}},
		{"wrong-left", "left [], want previous members [1 2 3] minus transitional members = [3]", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), nil))
		}},
		{"wrong-joined", "joined [2 4], want members minus transitional members [1 2] = [4]", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, rg(chkR2, chkIDs(1, 2, 4), chkIDs(2, 4)))
		}},
		{"joined-in-transitional", "must be empty in a transitional", func(h *chkHist) {
			h.cfg(1, totem.ConfigChange{Type: totem.Transitional, Ring: chkR2, Members: chkIDs(1, 2, 3), Joined: chkIDs(4)})
		}},
		{"left-in-regular", "must be empty in a regular", func(h *chkHist) {
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.cfg(1, totem.ConfigChange{Type: totem.Regular, Ring: chkR2, Members: chkIDs(1, 2), Left: chkIDs(3)})
		}},
		{"ring-seq-not-increasing", "ring seq does not exceed", func(h *chkHist) {
			h.cfg(1, tr(chkRID(2, 4), chkIDs(1, 2, 3), nil))
		}},
		{"unknown-type", "unknown type 7", func(h *chkHist) {
			h.cfg(1, totem.ConfigChange{Type: 7, Ring: chkR2, Members: chkIDs(1)})
		}},
		{"delivery-on-other-ring", "ordered on ring {1 8} while in regular configuration {1 4}", func(h *chkHist) {
			a := h.send(2, false)
			h.deliverOn(1, a, chkR2)
		}},
		{"delivery-on-new-ring-in-transitional", "the previous ring is {1 4}", func(h *chkHist) {
			a := h.send(2, false)
			h.cfg(1, tr(chkR2, chkIDs(1, 2), chkIDs(3)))
			h.deliverOn(1, a, chkR2)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newChkHist(t, 1, 2, 3, 4)
			h.boot(chkR1, 1, 2, 3)
			h.held[1], h.held[2], h.held[3] = true, true, true
			h.ok()
			tc.run(h)
			if tc.detail != "" {
				if v := h.want(PropConfigRules, 1); !strings.Contains(v.Detail, tc.detail) {
					t.Errorf("detail %q lacks %q", v.Detail, tc.detail)
				}
			} else {
				h.ok()
			}
		})
	}
}

func TestConfigRulesFirst(t *testing.T) {
	t.Run("pass-singleton-start", func(t *testing.T) {
		// The core's start: transitional {self}, regular {self}, then a
		// merge.
		h := newChkHist(t, 1, 2)
		h.change(1, chkRID(1, 4), chkIDs(1), chkIDs(1))
		h.change(2, chkRID(2, 4), chkIDs(2), chkIDs(2))
		h.change(1, chkR2, chkIDs(1), chkIDs(1, 2))
		h.change(2, chkR2, chkIDs(2), chkIDs(1, 2))
		h.ok()
	})
	t.Run("pass-regular-first", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.reg(1, chkR1, 1, 2, 3) // joined = others
		h.cfg(2, totem.ConfigChange{Type: totem.Regular, Ring: chkR1, Members: chkIDs(1, 2, 3), Joined: chkIDs(1, 2, 3)})
		h.ok()
	})
	t.Run("strict-regular-first", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.c.SetStrictStart(true)
		h.boot(chkR1, 1, 2) // transitional first: fine
		h.ok()
		h.reg(3, chkR1, 1, 2, 3)
		h.want(PropConfigRules, 3)
	})
	t.Run("regular-first-wrong-joined", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.cfg(2, totem.ConfigChange{Type: totem.Regular, Ring: chkR1, Members: chkIDs(1, 2, 3), Joined: chkIDs(3)})
		h.want(PropConfigRules, 2)
	})
	t.Run("first-transitional-not-self", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		h.cfg(1, totem.ConfigChange{Type: totem.Transitional, Ring: chkR1, Members: chkIDs(1, 2)})
		h.want(PropConfigRules, 1)
	})
	t.Run("first-transitional-left", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		h.cfg(1, totem.ConfigChange{Type: totem.Transitional, Ring: chkR1, Members: chkIDs(1), Left: chkIDs(2)})
		h.want(PropConfigRules, 1)
	})
	t.Run("delivery-before-configuration", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		a := h.send(1, false)
		h.deliverOn(1, a, chkR1)
		h.want(PropConfigRules, 1)
	})
	t.Run("delivery-in-first-transitional", func(t *testing.T) {
		h := newChkHist(t, 1, 2)
		a := h.send(1, false)
		h.trans(1, chkR1, 1)
		h.deliverOn(1, a, chkR1)
		h.want(PropConfigRules, 1)
	})
	t.Run("restart-starts-over", func(t *testing.T) {
		// A new incarnation may start again with a lower ring seq and a
		// transitional {self}.
		h := newChkHist(t, 1, 2)
		h.boot(chkR2, 1, 2)
		h.restart(1)
		h.change(1, chkRID(1, 4), chkIDs(1), chkIDs(1))
		h.ok()
	})
}

func TestMembershipAgreement(t *testing.T) {
	t.Run("regular", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.change(1, chkR1, chkIDs(1), chkIDs(1, 2))
		h.change(2, chkR1, chkIDs(2), chkIDs(1, 2, 3))
		h.want(PropMembershipAgreement, 2, 1)
	})
	t.Run("transitional", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		h.trans(1, chkR2, 1, 2)
		h.trans(2, chkR2, 2)
		h.want(PropMembershipAgreement, 2, 1)
	})
	t.Run("pass", func(t *testing.T) {
		// n1, n2 come from chkR1, n3 from its own ring: different
		// transitional sets for the same new ring are fine.
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2)
		h.change(3, chkRID(3, 4), chkIDs(3), chkIDs(3))
		for _, n := range chkIDs(1, 2) {
			h.change(n, chkR2, chkIDs(1, 2), chkIDs(1, 2, 3))
		}
		h.change(3, chkR2, chkIDs(3), chkIDs(1, 2, 3))
		h.ok()
	})
}

func TestSafeDelivery(t *testing.T) {
	setup := func(t *testing.T) (*chkHist, MsgID) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		return h, h.send(2, true)
	}
	t.Run("pass-held", func(t *testing.T) {
		h, a := setup(t)
		h.held[2], h.held[3] = true, true
		h.deliver(1, a)
		h.ok()
	})
	t.Run("pass-delivered", func(t *testing.T) {
		h, a := setup(t)
		h.held[1], h.held[2], h.held[3] = true, true, true
		h.deliver(3, a)
		h.deliver(1, a)
		// n1 and n3 delivered it: they need not hold it any more.
		h.held[1], h.held[2], h.held[3] = false, false, false
		h.deliver(2, a)
		h.ok()
	})
	t.Run("pass-crashed", func(t *testing.T) {
		h, a := setup(t)
		h.held[2] = true
		h.crash(3)
		h.deliver(1, a)
		h.restart(3) // new incarnation, not a member of chkR1: exempt
		h.deliver(2, a)
		h.ok()
	})
	t.Run("pass-no-holder", func(t *testing.T) {
		h, a := setup(t)
		h.c.SetHolder(nil)
		h.deliver(1, a)
		h.ok()
	})
	t.Run("not-held", func(t *testing.T) {
		h, a := setup(t)
		h.held[2] = true
		h.deliver(1, a)
		h.want(PropSafeDelivery, 1, 3)
	})
	t.Run("transitional", func(t *testing.T) {
		// In the transitional configuration {1, 2} only n2 must hold it.
		h, a := setup(t)
		h.trans(1, chkR2, 1, 2)
		h.held[2] = true
		h.deliver(1, a)
		h.ok()
		b := h.send(2, true)
		h.held[2] = false
		h.held[3] = true
		h.deliver(1, b)
		h.want(PropSafeDelivery, 1, 2)
	})
}

// TestTransitionalHeld: Totem's recovery ends only once every member of
// the transitional configuration has every old-ring message any of them
// holds, so even an agreed message delivered in the transitional part is
// held (or delivered) by every member of it. In the regular part only safe
// messages are checked.
func TestTransitionalHeld(t *testing.T) {
	setup := func(t *testing.T) (*chkHist, MsgID) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		return h, h.send(2, false)
	}
	t.Run("regular-unchecked", func(t *testing.T) {
		h, a := setup(t)
		h.deliver(1, a) // agreed, in chkR1: nobody else need hold it
		h.ok()
	})
	t.Run("pass-held", func(t *testing.T) {
		h, a := setup(t)
		h.trans(1, chkR2, 1, 2)
		h.held[2] = true // n3 left: not asked
		h.deliver(1, a)
		h.ok()
	})
	t.Run("pass-delivered", func(t *testing.T) {
		h, a := setup(t)
		h.deliver(2, a)
		h.trans(1, chkR2, 1, 2)
		h.deliver(1, a)
		h.ok()
	})
	t.Run("pass-crashed", func(t *testing.T) {
		h, a := setup(t)
		h.crash(2)
		h.trans(1, chkR2, 1, 2)
		h.deliver(1, a)
		h.ok()
	})
	t.Run("not-held", func(t *testing.T) {
		// A member of the transitional configuration was still
		// recovering without the message: the deliverer left RECOVERY
		// too early.
		h, a := setup(t)
		h.held[3] = true
		h.trans(1, chkR2, 1, 2)
		h.deliver(1, a)
		v := h.want(PropTransitionalHeld, 1, 2)
		if !strings.Contains(v.Detail, "n1 delivered message 2.0#1") ||
			!strings.Contains(v.Detail, "in transitional configuration") {
			t.Errorf("detail %q", v.Detail)
		}
	})
}

func TestLiveness(t *testing.T) {
	setup := func(t *testing.T) *chkHist {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		h.crash(3)
		for _, n := range chkIDs(1, 2) {
			h.change(n, chkR2, chkIDs(1, 2), chkIDs(1, 2))
		}
		return h
	}
	t.Run("pass", func(t *testing.T) {
		h := setup(t)
		healed := h.now
		a := h.send(1, false)
		h.deliver(1, a)
		h.deliver(2, a)
		if v := h.c.CheckFinal(h.now+time.Minute, chkIDs(2, 1), healed); v != nil {
			t.Fatal(v)
		}
	})
	t.Run("pass-before-healed", func(t *testing.T) {
		// Messages sent before healing need only reach their sender.
		h := setup(t)
		a := h.send(1, false)
		h.deliver(1, a)
		if v := h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2), h.now); v != nil {
			t.Fatal(v)
		}
	})
	t.Run("undelivered", func(t *testing.T) {
		h := setup(t)
		healed := h.now
		a := h.send(1, false)
		h.deliver(1, a)
		wantFinal(t, h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2), healed), PropLiveness, 2)
	})
	t.Run("members-not-alive-set", func(t *testing.T) {
		h := setup(t)
		h.restart(3) // alive but never joined
		h.change(3, chkRID(3, 100), chkIDs(3), chkIDs(3))
		wantFinal(t, h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2, 3), h.now), PropLiveness, 3, 1)
	})
	t.Run("members-more-than-alive", func(t *testing.T) {
		h := newChkHist(t, 1, 2, 3)
		h.boot(chkR1, 1, 2, 3)
		h.crash(3)
		wantFinal(t, h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2), h.now), PropLiveness, 1, 2)
	})
	t.Run("transitional", func(t *testing.T) {
		h := setup(t)
		h.trans(1, chkR3, 1)
		wantFinal(t, h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2), h.now), PropLiveness, 1)
	})
	t.Run("no-configuration", func(t *testing.T) {
		h := setup(t)
		h.restart(3)
		wantFinal(t, h.c.CheckFinal(h.now+time.Minute, chkIDs(1, 2, 3), h.now), PropLiveness, 3)
	})
}

func TestStopsAtFirstViolation(t *testing.T) {
	h := newChkHist(t, 1, 2)
	h.boot(chkR1, 1, 2)
	a := h.send(1, false)
	h.deliver(1, a, a)
	first := h.want(PropNoDuplication, 1)
	h.deliverOn(2, MsgID{Origin: 2, Counter: 99}, chkR1)
	if h.c.Err() != first || h.c.CheckFinal(h.now, chkIDs(1, 2), 0) != first {
		t.Fatal("first violation not kept")
	}
	if s := first.Error(); strings.Contains(s, "\n") || !strings.HasPrefix(s, "no-duplication at ") {
		t.Fatalf("Error() = %q", s)
	}
}

func TestStats(t *testing.T) {
	h := newChkHist(t, 1, 2)
	h.boot(chkR1, 1, 2)
	a, b := h.send(1, false), h.send(2, false)
	h.deliver(1, a, b)
	h.deliver(2, a, b)
	h.crash(2)
	h.restart(2)
	h.ok()
	want := Stats{Sent: 2, Delivered: 4, Configs: 2, Transitionals: 2, Crashes: 1, Restarts: 1}
	if got := h.c.Stats(); got != want {
		t.Fatalf("Stats() = %v, want %v", got, want)
	}
}

func TestMisusePanics(t *testing.T) {
	for name, f := range map[string]func(c *Checker){
		"unknown-node":   func(c *Checker) { c.Crashed(0, 9) },
		"foreign-origin": func(c *Checker) { c.Sent(0, 1, MsgID{Origin: 2, Counter: 1}, false, 0) },
		"sent-twice": func(c *Checker) {
			c.Sent(0, 1, MsgID{Origin: 1, Counter: 1}, false, 0)
			c.Sent(0, 1, MsgID{Origin: 1, Counter: 1}, false, 0)
		},
		"crashed-delivers": func(c *Checker) {
			c.Crashed(0, 1)
			c.Delivered(0, 1, MsgID{Origin: 1, Counter: 1}, 0, chkR1, 1, false)
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("no panic")
				}
			}()
			f(NewChecker(chkIDs(1, 2)))
		})
	}
}

func TestStoreCounters(t *testing.T) {
	// Counters need not be dense: gaps, a counter 0 and far counters (in the
	// overflow map) all work, and a counter in a gap was never sent.
	h := newChkHist(t, 1, 2)
	h.boot(chkR1, 1, 2)
	var sent []MsgID
	for _, k := range []uint64{1, 5, 0, 1 << 40, 3, 6000, 100000} {
		id := MsgID{Origin: 1, Incarnation: 7, Counter: k}
		h.c.Sent(h.now, 1, id, false, chkSum(id))
		sent = append(sent, id)
	}
	for _, id := range sent {
		h.deliver(1, id)
		h.deliver(2, id)
	}
	h.ok()
	h.deliver(2, MsgID{Origin: 1, Incarnation: 7, Counter: 2})
	h.want(PropNoCreation, 2)
}

func TestManyIncarnations(t *testing.T) {
	// A message delivered again by many incarnations of the same node
	// outgrows its reserved deliverer room.
	h := newChkHist(t, 1, 2)
	h.boot(chkR1, 1, 2)
	a, b := h.send(1, false), h.send(1, false)
	h.deliver(1, a, b)
	for range 20 {
		h.restart(2)
		h.reg(2, chkR1, 1, 2)
		h.deliver(2, a, b)
	}
	h.ok()
	h.restart(2)
	h.reg(2, chkR1, 1, 2)
	h.deliver(2, b, a)
	v := h.want(PropAgreedOrder, 2, 1)
	if !strings.HasPrefix(v.Detail, "n2(21) delivered") {
		t.Errorf("detail %q", v.Detail)
	}
}

func TestDuplicationBeforeOrder(t *testing.T) {
	// A re-delivery is reported as a duplicate even when it also looks
	// like an inversion against another process.
	h := newChkHist(t, 1, 2)
	h.boot(chkR1, 1, 2)
	a, b := h.send(1, false), h.send(1, false)
	h.deliver(2, a)
	h.deliver(1, a)
	h.deliver(1, b)
	h.deliver(2, b)
	h.deliver(1, a)
	h.want(PropNoDuplication, 1)
}

// A node that restarts without its persisted ring seq may form a singleton
// ring whose id an earlier ring already had. That is the deployment hazard
// the persisted seq exists for, not a protocol fault: once the simulator
// says the seq was forgotten, the reused id is not compared across
// processes; without that word it is a membership-agreement violation.
func TestForgottenRingSeq(t *testing.T) {
	history := func(t *testing.T, forget bool) *chkHist {
		h := newChkHist(t, 1, 2)
		h.boot(chkRID(1, 5), 1, 2)
		h.restart(1)
		if forget {
			h.c.ForgotRingSeq(1, 5)
		}
		// Its singleton reuses ring id 1.5 with other members.
		h.change(1, chkRID(1, 5), chkIDs(1), chkIDs(1))
		return h
	}
	t.Run("forgotten", func(t *testing.T) { history(t, true).ok() })
	t.Run("not forgotten", func(t *testing.T) {
		history(t, false).want(PropMembershipAgreement, 1, 1)
	})
}
