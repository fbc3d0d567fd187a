// Package service is the service engine: the Service interface every
// replicated service implements, the exec message header shared with
// corosync (reference §5.1), and the corosync 3.1 sync protocol (§5.3)
// that runs after every membership change so that mixed rings of goais and
// corosync nodes stay consistent.
package service
