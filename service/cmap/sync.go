package cmap

import (
	"errors"
	"fmt"
	"slices"

	"goais/service"
)

// SyncInit starts a round (cmap_sync_init): it remembers the transitional
// and regular members and clears the highest version received. It may come
// again without SyncActivate in between; the round starts over.
func (c *CMAP) SyncInit(trans, members []service.NodeID, _ service.RingID) {
	c.round = round{
		open:    true,
		trans:   slices.Clone(trans),
		members: slices.Clone(members),
	}
}

// SyncProcess multicasts this node's totem.config_version
// (cmap_sync_process): a UINT64 item when the configuration sets it, else
// a NOT_EXIST item. When the ring has no room it returns false and is
// called again; the message goes out once per round.
func (c *CMAP) SyncProcess() bool {
	if !c.round.open || c.round.sent {
		return true
	}
	body, err := c.syncBody()
	if err == nil {
		err = c.env.Mcast(FnMcast, body)
	}
	if errors.Is(err, service.ErrTryAgain) {
		return false
	}
	if err != nil {
		// The others then have no config_version for us, as for a node
		// that does not run cmap; there is nothing better to do.
		c.log.Error("cannot send the config version", "err", err)
	}
	c.round.sent = true
	return true
}

// syncBody is the body of this node's sync MCAST.
func (c *CMAP) syncBody() ([]byte, error) {
	it := Item{Key: KeyConfigVersion, Type: TypeNotExist}
	if c.cfg.HasConfigVersion {
		it = Uint64Item(KeyConfigVersion, c.cfg.ConfigVersion)
	}
	return Mcast{Reason: ReasonSync, Items: []Item{it}}.Body()
}

// SyncAbort forgets the round (cmap has no sync_abort work; the next
// SyncInit starts over). It may come twice.
func (c *CMAP) SyncAbort() {
	c.round = round{}
}

// SyncActivate ends the round as cmap_sync_activate does: on the first
// round that brings this node from a membership of its own into a shared
// one, a node whose configuration sets a non-zero version exits when
// another member reported a higher one. See the package doc.
func (c *CMAP) SyncActivate() {
	if !c.round.open {
		return
	}
	r := c.round
	c.round = round{}
	self := c.env.NodeID()
	if len(r.trans) == 0 || slices.Equal(r.members, []service.NodeID{self}) {
		c.debug("Single node sync -> no action")
		return
	}
	if c.firstDone {
		c.debug("Not first sync -> no action")
		return
	}
	c.firstDone = true
	mine := c.cfg.ConfigVersion
	if !c.cfg.HasConfigVersion || mine == 0 {
		c.debug("My config version is 0 -> no action")
		return
	}
	if r.highest <= mine || c.shutdownSent {
		return
	}
	reason := fmt.Sprintf("Received config version (%d) is different than my config version (%d)! Exiting", r.highest, mine)
	c.log.Error(reason)
	c.shutdownSent = true
	if c.cfg.Shutdown != nil {
		c.cfg.Shutdown(reason)
	}
}
