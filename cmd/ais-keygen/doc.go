// Command ais-keygen generates the shared authentication key of a secauth
// ring, as openais's ais-keygen did.
//
// # Synopsis
//
//	ais-keygen [-k path] [-f]
//
// # Description
//
// ais-keygen reads 1024 bits (128 bytes) from the kernel random source with
// getrandom(2), which blocks until the kernel's pool is initialised, as
// /dev/random did for the original, and writes them to /etc/ais/authkey, or
// to the path given with -k. The directory is created with mode 0700 if it
// is missing; an existing directory is left as it is, with a warning on
// standard error if group or others may enter or read it.
//
// The key is written atomically with mode 0400: a temporary file in the
// same directory is written and synced, then renamed over the target and
// the directory synced, so a crash leaves either no key or a whole one, never
// a partial key. The file belongs to the user that runs the command.
//
// Every node of the cluster must have the same key. The generated file is
// to be copied to every node, to the same path (or the one its totem {
// keyfile } directive or the OPENAIS_TOTEM_AUTHKEY_FILE environment variable
// names), owned by root with mode 0400, for example with
//
//	install -D --group=0 --owner=0 --mode=0400 /etc/ais/authkey /etc/ais/authkey
//
// Nodes whose keys differ log "Invalid digest" and never join each other's
// ring.
//
// # Options
//
//	-k path  write the key to path instead of /etc/ais/authkey
//	-f       replace an existing key; without it an existing file is
//	         never touched
//	-h       print the usage
//
// # Exit status
//
// 0 when the key was written (or -h), 1 on an error (the target exists
// without -f, not root for the default path, an I/O or random-source
// failure), 2 on a usage error.
//
// # Differences from openais
//
// openais refused to run unless the effective user was root. ais-keygen
// refuses only when writing the default path, so that an unprivileged user
// can make a key for testing with -k. openais silently overwrote an existing
// key, which splits a running cluster; ais-keygen needs -f for that.
package main
