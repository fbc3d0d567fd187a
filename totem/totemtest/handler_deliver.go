package totemtest

import (
	"fmt"
	"slices"

	"goais/totem"
	"goais/totem/wire"
)

var typeNames = map[string]wire.MessageType{
	"token":       wire.TypeORFToken,
	"mcast":       wire.TypeMcast,
	"merge":       wire.TypeMergeDetect,
	"join":        wire.TypeJoin,
	"commit":      wire.TypeCommitToken,
	"hold_cancel": wire.TypeTokenHoldCancel,
}

// handleDeliver is "deliver [from=X] [to=Y] [type=T] [limit=N] [drop]":
// deliver, or drop, the datagrams in flight that match, in send order.
// Datagrams sent while this runs wait for the next command.
func (env *InteractionEnv) handleDeliver(d *TestData) error {
	var from, to totem.NodeID
	var err error
	if s, ok := d.value("from"); ok {
		if from, err = parseNodeID(s); err != nil {
			return err
		}
	}
	if s, ok := d.value("to"); ok {
		if to, err = parseNodeID(s); err != nil {
			return err
		}
	}
	typ, hasType := wire.MessageType(0), false
	if s, ok := d.value("type"); ok {
		if typ, hasType = typeNames[s]; !hasType {
			return fmt.Errorf("unknown message type %q", s)
		}
	}
	limit, hasLimit, err := d.intArg("limit")
	if err != nil {
		return err
	}
	drop := d.has("drop")

	matched := 0
	for _, p := range slices.Clone(env.queue) {
		if hasLimit && matched >= limit {
			break
		}
		if from != 0 && p.from != from || hasType && p.typ != typ {
			continue
		}
		dests := env.deliverable(p)
		if to != 0 {
			if !slices.Contains(dests, to) {
				continue
			}
			dests = []totem.NodeID{to}
		}
		matched++
		env.take(p, dests)
		env.deliver(p, dests, drop)
	}
	if matched == 0 {
		env.printf("no datagram matches")
	}
	return nil
}
