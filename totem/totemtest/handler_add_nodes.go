package totemtest

import (
	"fmt"
	"strconv"
	"time"

	"goais/totem"
)

// handleAddNodes is "add-nodes N [key=value ...]": nodes 1..N with the
// nodelist 1..N, each starting on its way to a singleton ring.
func (env *InteractionEnv) handleAddNodes(d *TestData) error {
	if len(env.nodes) > 0 {
		return fmt.Errorf("add-nodes may be used once per script")
	}
	pos := d.positional()
	if len(pos) != 1 {
		return fmt.Errorf("usage: add-nodes N [option=value ...]")
	}
	count, err := strconv.Atoi(pos[0])
	if err != nil || count < 1 {
		return fmt.Errorf("bad node count %q", pos[0])
	}
	ids := make([]totem.NodeID, count)
	for i := range ids {
		ids[i] = totem.NodeID(i + 1)
	}
	base := totem.Config{Nodes: ids}
	var ringSeq uint64
	for _, a := range d.Args {
		if a.Vals == nil {
			continue
		}
		v, _ := d.value(a.Key)
		if a.Key == "ring_seq" {
			if ringSeq, err = strconv.ParseUint(v, 10, 64); err != nil {
				return fmt.Errorf("ring_seq=%s: %v", v, err)
			}
			continue
		}
		if err := setOption(&base, a.Key, v); err != nil {
			return err
		}
	}
	for _, id := range ids {
		cfg := base
		cfg.NodeID = id
		env.nodes = append(env.nodes, &envNode{id: id, cfg: cfg})
	}
	for _, n := range env.nodes {
		if err := env.start(n, ringSeq); err != nil {
			return err
		}
	}
	return nil
}

// setOption sets the Config field named by its openais.conf(5) key.
func setOption(c *totem.Config, key, val string) error {
	durations := map[string]*time.Duration{
		"token":             &c.Token,
		"token_coefficient": &c.TokenCoefficient,
		"token_retransmit":  &c.TokenRetransmit,
		"hold":              &c.Hold,
		"join":              &c.Join,
		"send_join":         &c.SendJoin,
		"consensus":         &c.Consensus,
		"merge":             &c.Merge,
		"downcheck":         &c.Downcheck,
		"max_network_delay": &c.MaxNetworkDelay,
	}
	ints := map[string]*int{
		"retransmits_before_loss":             &c.RetransmitsBeforeLoss,
		"token_retransmits_before_loss_const": &c.RetransmitsBeforeLoss,
		"fail_recv_const":                     &c.FailToRecvConst,
		"fail_to_recv_const":                  &c.FailToRecvConst,
		"seqno_unchanged_const":               &c.SeqnoUnchangedConst,
		"heartbeat_failures_allowed":          &c.HeartbeatFailuresAllowed,
		"window_size":                         &c.WindowSize,
		"max_messages":                        &c.MaxMessages,
		"miss_count_const":                    &c.MissCountConst,
		"netmtu":                              &c.NetMTU,
	}
	if p, ok := durations[key]; ok {
		d, err := parseDuration(val)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", key, val, err)
		}
		*p = d
		return nil
	}
	if p, ok := ints[key]; ok {
		v, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("%s=%s: %v", key, val, err)
		}
		*p = v
		return nil
	}
	return fmt.Errorf("unknown option %q", key)
}
