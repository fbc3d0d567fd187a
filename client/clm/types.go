package clm

import (
	"net/netip"
	"strconv"
	"time"
)

// NodeID is SaClmNodeIdT: a node's Totem node id.
type NodeID uint32

// LocalNodeID is SA_CLM_LOCAL_NODE_ID: ClusterNodeGet and
// ClusterNodeGetAsync take it for the node the library runs on.
const LocalNodeID NodeID = 0

// Invocation is SaInvocationT: the caller's tag that ties
// ClusterNodeGetAsync to its callback.
type Invocation uint64

// TrackFlags is the trackFlags argument of ClusterTrack (SaUint8T).
type TrackFlags uint8

// The track flags of SA Forum AIS B.01.01.
const (
	// TrackCurrent asks for the current membership: in the buffer passed
	// to ClusterTrack, or through the track callback if there is none.
	TrackCurrent TrackFlags = 0x1
	// TrackChanges starts tracking: after every membership change the
	// track callback receives the whole membership, changed entries
	// flagged.
	TrackChanges TrackFlags = 0x2
	// TrackChangesOnly starts tracking: after every membership change the
	// track callback receives only the changed entries.
	TrackChangesOnly TrackFlags = 0x4

	allTrackFlags = TrackCurrent | TrackChanges | TrackChangesOnly
)

// Check applies the flag rules of saClmClusterTrack: at least one known
// flag, no unknown bits, and not TrackChanges with TrackChangesOnly. It
// returns nil or an error wrapping ErrBadFlags. The executive applies the
// same rules.
func (f TrackFlags) Check() error {
	switch {
	case f == 0:
		return &opError{op: "track flags", code: ErrBadFlags, msg: "no flag set"}
	case f&^allTrackFlags != 0:
		return &opError{op: "track flags", code: ErrBadFlags, msg: "unknown bits " + strconv.FormatUint(uint64(f&^allTrackFlags), 16)}
	case f&TrackChanges != 0 && f&TrackChangesOnly != 0:
		return &opError{op: "track flags", code: ErrBadFlags, msg: "TrackChanges and TrackChangesOnly together"}
	}
	return nil
}

// Tracking reports whether f starts tracking (TrackChanges or
// TrackChangesOnly).
func (f TrackFlags) Tracking() bool { return f&(TrackChanges|TrackChangesOnly) != 0 }

// ClusterChange is SaClmClusterChangesT: how a node changed in a view.
type ClusterChange uint8

// The values of SaClmClusterChangesT.
const (
	NoChange     ClusterChange = 1 // SA_CLM_NODE_NO_CHANGE
	Joined       ClusterChange = 2 // SA_CLM_NODE_JOINED
	Left         ClusterChange = 3 // SA_CLM_NODE_LEFT
	Reconfigured ClusterChange = 4 // SA_CLM_NODE_RECONFIGURED
)

// String is the SA name without its prefix: "NO_CHANGE", "JOINED", …
func (c ClusterChange) String() string {
	switch c {
	case NoChange:
		return "NO_CHANGE"
	case Joined:
		return "JOINED"
	case Left:
		return "LEFT"
	case Reconfigured:
		return "RECONFIGURED"
	}
	return "ClusterChange(" + strconv.Itoa(int(c)) + ")"
}

// AddressFamily is SaClmNodeAddressFamilyT.
type AddressFamily uint8

// The address families of SA Forum CLM. AddressNone is ours: a member
// whose address nobody knows (a node of the ring that sent no record and
// that the configuration does not list).
const (
	AddressNone AddressFamily = 0
	AddressIPv4 AddressFamily = 1 // SA_CLM_AF_INET
	AddressIPv6 AddressFamily = 2 // SA_CLM_AF_INET6
)

// String is "INET", "INET6" or "NONE".
func (f AddressFamily) String() string {
	switch f {
	case AddressNone:
		return "NONE"
	case AddressIPv4:
		return "INET"
	case AddressIPv6:
		return "INET6"
	}
	return "AddressFamily(" + strconv.Itoa(int(f)) + ")"
}

// Limits of the variable fields, as in the SA types.
const (
	// AddressMax is SA_CLM_MAX_ADDRESS_LENGTH: the longest printable
	// address.
	AddressMax = 64
	// NameMax is SA_MAX_NAME_LENGTH: the longest node name.
	NameMax = 256
)

// NodeAddress is SaClmNodeAddressT: the family and the printable address
// ("192.168.1.10", "fe80::1"), as SA carries it.
type NodeAddress struct {
	Family AddressFamily
	Value  string
}

// AddressOf returns the NodeAddress of a: its family and printable form.
// An IPv4-mapped IPv6 address counts as IPv4 and a zone is dropped; an
// invalid Addr gives AddressNone.
func AddressOf(a netip.Addr) NodeAddress {
	if !a.IsValid() {
		return NodeAddress{}
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return NodeAddress{Family: AddressIPv4, Value: a.String()}
	}
	return NodeAddress{Family: AddressIPv6, Value: a.String()}
}

// Addr parses the printable address; it is the zero Addr for AddressNone
// or a value that does not parse.
func (a NodeAddress) Addr() netip.Addr {
	ip, err := netip.ParseAddr(a.Value)
	if err != nil {
		return netip.Addr{}
	}
	return ip
}

// ClusterNode is SaClmClusterNodeT.
type ClusterNode struct {
	// NodeID is the Totem node id: the configured nodeid, or derived
	// from the ring-0 address.
	NodeID      NodeID
	NodeAddress NodeAddress
	// NodeName is the node's name: its nodelist name if the
	// configuration gives one, else its printable address (openais set
	// it to the address always).
	NodeName string
	// Member is true for nodes of the current view; false only for LEFT
	// entries of a track notification.
	Member bool
	// BootTimestamp is when the node's executive started; the zero Time
	// when unknown (a node that sent no record).
	BootTimestamp time.Time
	// InitialViewNumber is the view in which the node joined.
	InitialViewNumber uint64
}

// ClusterNotification is SaClmClusterNotificationT: one node and how it
// changed.
type ClusterNotification struct {
	ClusterNode   ClusterNode
	ClusterChange ClusterChange
}

// ClusterNotificationBuffer is SaClmClusterNotificationBufferT. The SA
// caller-supplied array and its numberOfItems are the slice: the library
// returns every entry, never truncates and never reports NO_SPACE.
type ClusterNotificationBuffer struct {
	// ViewNumber is the view the notification describes: the Totem ring
	// sequence number divided by 4.
	ViewNumber   uint64
	Notification []ClusterNotification
}

// DispatchFlags is SaDispatchFlagsT.
type DispatchFlags int

// The dispatch flags.
const (
	// DispatchOne runs at most one pending callback.
	DispatchOne DispatchFlags = 1
	// DispatchAll runs every pending callback.
	DispatchAll DispatchFlags = 2
	// DispatchBlocking runs callbacks as they come until Finalize, the
	// context ends or the executive is lost.
	DispatchBlocking DispatchFlags = 3
)

// Version is SaVersionT.
type Version struct {
	ReleaseCode  byte
	MajorVersion uint8
	MinorVersion uint8
}

// String is "B.1.1".
func (v Version) String() string {
	return string(v.ReleaseCode) + "." + strconv.Itoa(int(v.MajorVersion)) + "." + strconv.Itoa(int(v.MinorVersion))
}

// SupportedVersion is the CLM version the library implements: B.01.01.
var SupportedVersion = Version{ReleaseCode: 'B', MajorVersion: 1, MinorVersion: 1}
