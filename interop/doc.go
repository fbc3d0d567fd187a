// Package interop holds the mixed-ring tests: goais executives and
// Debian's corosync 3.1.7 daemons in one ring, in network namespaces
// (goais/internal/lab), checked with corosync's own tools
// (corosync-cfgtool, corosync-cmapctl, corosync-quorumtool), goais's
// ais-cfgtool, and CPG peers on both kinds of node that all send into one
// group and compare what they received.
//
// The package has only tests. They need root; the README's test command
// installs corosync, libcpg-dev and gcc when missing.
package interop
