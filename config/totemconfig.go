package config

import "goais/totem"

// TotemConfig returns the protocol core's configuration for this node:
// its node id, the node ids of all members (just this node without a
// nodelist), and every timer and constant the file sets. Unset ones stay
// zero, so totem.Config.WithDefaults fills in corosync's defaults.
//
// As in corosync, token_coefficient extends an explicit token too: with n
// nodes beyond two the token becomes token + (n-2)·token_coefficient.
func (c *Config) TotemConfig(local Local, members []Member) totem.Config {
	t := &c.Totem
	cfg := totem.Config{
		NodeID:                   totem.NodeID(local.NodeID),
		TokenCoefficient:         t.TokenCoefficient,
		RetransmitsBeforeLoss:    t.RetransmitsBeforeLoss,
		TokenRetransmit:          t.TokenRetransmit,
		Hold:                     t.Hold,
		Join:                     t.Join,
		SendJoin:                 t.SendJoin,
		Consensus:                t.Consensus,
		Merge:                    t.Merge,
		Downcheck:                t.Downcheck,
		FailToRecvConst:          t.FailToRecvConst,
		SeqnoUnchangedConst:      t.SeqnoUnchangedConst,
		HeartbeatFailuresAllowed: t.HeartbeatFailuresAllowed,
		MaxNetworkDelay:          t.MaxNetworkDelay,
		WindowSize:               t.WindowSize,
		MaxMessages:              t.MaxMessages,
		MissCountConst:           t.MissCountConst,
		NetMTU:                   t.NetMTU,
	}
	hasLocal := false
	for i, m := range members {
		id := m.NodeID
		if i == local.Index {
			id = local.NodeID // the entry may take its id from totem.nodeid
		}
		hasLocal = hasLocal || id == local.NodeID
		cfg.Nodes = append(cfg.Nodes, totem.NodeID(id))
	}
	if !hasLocal {
		cfg.Nodes = append(cfg.Nodes, totem.NodeID(local.NodeID))
	}
	// WithDefaults adds the coefficient only to a defaulted token, and
	// cannot tell an explicit token_coefficient of 0 from unset.
	if c.IsSet("totem.token") || (c.IsSet("totem.token_coefficient") && t.TokenCoefficient == 0) {
		cfg.Token = c.runtimeToken(len(cfg.Nodes))
	}
	return cfg
}
