// Package svcharness holds what the services' tests share: the bench of
// their golden-transcript scripts, fakes of what the executive hands a
// service, and the helpers of their fuzz targets. Only tests import it.
//
// The scripts are internal/datadriven files in a service's testdata:
//
//	# comments and blank lines between cases are kept
//	command key=value key=v1,v2 word
//	----
//	expected output, ended by a blank line or the end of the file
//
// [Run] runs each of them on a fresh bench, with -rewrite writing the
// actual output back instead of comparing.
//
// A [Cluster] is that bench: instances of one service, each with its
// [Node] as service.Env, fed one stream of exec messages per ring by a
// fake bus, and a sync driver that calls ConfigChange, SyncInit,
// SyncProcess, SyncActivate and SyncAbort in the engine's order
// ([Cluster.Ring]). "Foreign" members are ring members without an
// instance (corosync nodes, or broken ones), whose messages a script
// injects byte for byte ("raw", with the service's [Config].Raw).
// Everything the instances do that a script should see becomes a line of
// the command's [Transcript]: the bus trace, the log records
// ([Cluster.Logger]), refused sends, and whatever the service's own
// commands say. [Cluster.Do] runs a command: the service's own (creating
// nodes, client requests, dumps of its state: [Config].Commands), or one
// of those every service's scripts share ([Cluster.Command]); then it
// checks the service's invariants ([Config].Check).
//
// For unit tests and fuzz targets there are [Env], a service.Env that
// records what is sent, [Conn], the identity of a library connection,
// [Input], which reads a fuzz target's operations from its bytes, and
// [Seeds] and [RoundTrip] for the targets of wire decoders.
package svcharness
