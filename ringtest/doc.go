// Package ringtest runs goais rings in network namespaces under the faults
// their features exist for: secauth rings with a node holding another key
// and with corrupted, truncated and replayed datagrams injected by a host
// that spoofs a member's address; and two-link rings (the redundant ring
// protocol, active and passive) losing one link, its ring marked FAULTY,
// then re-enabled with ais-cfgtool -r. Every test checks that CPG traffic
// keeps arriving once, intact and in one order.
//
// The tests need root (network namespaces, nftables, raw sockets); the
// README's test command runs them.
package ringtest
