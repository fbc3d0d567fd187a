// Package cfg is the client of the executive's cfg service (service id 1,
// as corosync's): ring status, the member list, shutting the executive
// down, and the load generator the tests use to prove that no message is
// lost or reordered. ais-cfgtool is built on it.
//
// Requests and replies are JSON bodies in ipc frames: this is an
// administrative interface, read by people and scripts, where clarity
// matters more than a few microseconds.
package cfg
