// Package lab builds the mixed-ring laboratory: hosts in network
// namespaces on one bridge, Debian's corosync 3.1.7 daemons and goais
// executives on them with one shared nodelist, and CPG peer programs
// (a C one against corosync's libcpg, a Go one against goais's client
// library) that speak the same line protocol. The interoperability tests
// (goais/interop) and the side-by-side benchmark (goais/bench) use it.
//
// A lab needs root, iproute2 and nftables; corosync, libcpg-dev and gcc
// for the corosync side ([EnsurePackages] installs what is missing).
// Everything it creates is named "<prefix>-<pid>-…" and removed by
// [Lab.Close]: processes are killed by PID, namespaces deleted. Leftovers
// of a killed run are swept by the next [New] with the same prefix.
//
// Each corosync daemon gets a private /run (a tmpfs in its own mount
// namespace: corosync 3.1.7 locks /run/corosync.pid) and its own run and
// state directories; its IPC sockets are abstract, so its clients run in
// its network namespace ([Host.Command]).
//
// The peers' protocol (one command per line on stdin, one result line
// each, events printed as they happen) is documented in
// cpgpeer/cpgpeer.c; [Peer] drives it.
package lab
