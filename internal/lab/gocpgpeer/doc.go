// Command gocpgpeer is the Go twin of internal/lab/cpgpeer (a C program
// against corosync's libcpg): a closed process group peer driven over
// standard input and output by interoperability tests and benchmarks,
// here against goais's client library goais/client/cpg.
//
//	gocpgpeer [-d run_dir] GROUP TAG
//
// -d defaults to $AIS_RUN_DIR, else the client library's default run
// directory. The line protocol (the ready line, event lines, the payload
// format and the commands with their result lines) is the one documented
// at the top of cpgpeer/cpgpeer.c, byte for byte. What the Go library
// does differently shows through only here:
//
//   - libcpg's CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF has no Go
//     counterpart, so gocpgpeer prints the initial "totem" line itself,
//     from Client.TotemMembership, right after the first configuration
//     change that lists this process as joined (where corosync 3.1.7
//     delivers it), unless the executive sent a totem callback first.
//   - Error codes are the corosync numbers of the status the executive
//     returned; a lost connection is CS_ERR_LIBRARY (2), as libcpg
//     reports it, and ends the program with status 2.
package main
