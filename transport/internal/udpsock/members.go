package udpsock

import (
	"errors"
	"fmt"
	"net/netip"

	"goais/transport"
)

// MemberTable is an immutable snapshot of the member list, prepared for
// sending. A transport builds a new one on every reload and publishes it
// with an atomic pointer, so Send and Recv never wait for a reload and never
// see half of one.
type MemberTable struct {
	members []transport.Member // the accepted members, in the order given
	dests   []Dest             // dests[i] is members[i] at the cluster port
	byID    map[transport.NodeID]*Dest
	byAddr  map[netip.Addr]struct{} // addresses without zone
}

// NewMemberTable checks the members and prepares a table for sending to
// them at port; want4 is the socket's address family. Every member that is
// refused (nodeid 0, an address of the other family, a duplicate nodeid or
// address, an unknown IPv6 zone) is left out and gets one error naming it;
// the table holds the rest, IPv4-mapped addresses unmapped.
func NewMemberTable(members []transport.Member, port uint16, want4 bool) (*MemberTable, error) {
	t := &MemberTable{
		members: make([]transport.Member, 0, len(members)),
		dests:   make([]Dest, 0, len(members)),
		byID:    make(map[transport.NodeID]*Dest, len(members)),
		byAddr:  make(map[netip.Addr]struct{}, len(members)),
	}
	var errs []error
	seenID := make(map[transport.NodeID]bool, len(members))
	for i, m := range members {
		addr := m.Addr.Unmap()
		key := addr.WithZone("")
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("member %d (nodeid %d, %v): %s", i, m.NodeID, m.Addr, fmt.Sprintf(format, args...)))
		}
		switch {
		case m.NodeID == 0:
			bad("nodeid 0 is reserved")
			continue
		case !addr.IsValid():
			bad("no address")
			continue
		case addr.Is4() != want4:
			bad("address family differs from the local address")
			continue
		case seenID[m.NodeID]:
			bad("duplicate nodeid")
			continue
		}
		if _, dup := t.byAddr[key]; dup {
			bad("duplicate address")
			continue
		}
		d, err := NewDest(netip.AddrPortFrom(addr, port))
		if err != nil {
			bad("%v", err)
			continue
		}
		seenID[m.NodeID] = true
		t.byAddr[key] = struct{}{}
		t.members = append(t.members, transport.Member{NodeID: m.NodeID, Addr: addr})
		t.dests = append(t.dests, *d)
	}
	// Index only once dests has stopped growing: the pointers must stay put.
	for i := range t.dests {
		t.byID[t.members[i].NodeID] = &t.dests[i]
	}
	return t, errors.Join(errs...)
}

// Members returns a copy of the accepted members, in the order given.
func (t *MemberTable) Members() []transport.Member {
	return append([]transport.Member(nil), t.members...)
}

// Len returns the number of accepted members.
func (t *MemberTable) Len() int { return len(t.dests) }

// Dest returns the destination of the i-th accepted member, 0 <= i < Len().
func (t *MemberTable) Dest(i int) *Dest { return &t.dests[i] }

// Lookup returns the destination of the member with nodeid id, or nil.
func (t *MemberTable) Lookup(id transport.NodeID) *Dest { return t.byID[id] }

// Has reports whether addr (without zone) is a member's address.
func (t *MemberTable) Has(addr netip.Addr) bool {
	_, ok := t.byAddr[addr]
	return ok
}
