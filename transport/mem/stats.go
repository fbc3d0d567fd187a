package mem

// Stats counts what happened to the packets handed to a [Network]. Every
// copy ends up in exactly one outcome, so at any moment
//
//	Sent + Duplicated == Delivered + Lost + Blocked + Unattached + Pending()
type Stats struct {
	Sent       uint64 // copies handed to Send or Multicast (one per destination)
	Delivered  uint64 // copies returned by Pop
	Lost       uint64 // dropped by the Loss probability
	Duplicated uint64 // extra copies scheduled by the Dup probability
	Reordered  uint64 // copies given a reordering delay (whether or not anything overtook them)
	Blocked    uint64 // dropped because a partition or block cut the path, at send or at delivery
	Unattached uint64 // dropped because the sender or receiver was not attached at send time, or the receiver detached in flight
}

// Stats returns the counters accumulated since [NewNetwork].
func (n *Network) Stats() Stats { return n.stats }
