package totem

import "goais/totem/wire"

// NodeID and RingID are the wire types; the core uses them directly.
type (
	NodeID = wire.NodeID
	RingID = wire.RingID
)

// ConfigType tells a transitional from a regular configuration.
type ConfigType uint8

const (
	// Transitional is delivered first on a membership change: the members
	// that come from this node's previous ring into the new one.
	Transitional ConfigType = iota + 1
	// Regular is the new ring's full membership.
	Regular
)

func (t ConfigType) String() string {
	switch t {
	case Transitional:
		return "transitional"
	case Regular:
		return "regular"
	}
	return "unknown"
}

// ConfigChange is a configuration delivered to the layer above, in order
// with the messages (reference §3.5, §3.8).
type ConfigChange struct {
	Type    ConfigType
	Ring    RingID   // the new ring, for both types
	Members []NodeID // ascending
	Left    []NodeID // transitional only: previous members not carried over
	Joined  []NodeID // regular only: new members not in the transitional set
}

// Delivery is one message handed up in agreed (or safe) order.
type Delivery struct {
	Sender NodeID // the originator (MCAST header nodeid)
	Ring   RingID // ring the message was ordered on
	Seq    uint32 // its seq on that ring
	Safe   bool   // sent with the safe guarantee
	// BigEndian is set when the sender wrote its integers big-endian; the
	// layers above swap their own fields accordingly (reference §2.1).
	BigEndian bool
	Payload   []byte // the totempg packet; valid until Advance
}

// EventKind selects the populated part of an Event.
type EventKind uint8

const (
	EventDeliver EventKind = iota + 1
	EventConfig
)

// Event is one entry of the ordered stream a node hands upward: messages
// and configuration changes interleaved exactly as they must be applied.
type Event struct {
	Kind    EventKind
	Deliver Delivery
	Config  ConfigChange
}

// Datagram is a message the caller must put on the network. To is 0 for a
// "multicast" (every configured node, this one included) and a node id for
// a unicast (the ORF and commit tokens).
type Datagram struct {
	To   NodeID
	Data []byte // valid until Advance
}
