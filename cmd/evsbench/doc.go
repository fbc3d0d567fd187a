// Command evsbench measures EVS multicast throughput as openais's
// test/evsbench did:
//
//	evsbench [-d run_dir] [-rounds n] [-duration d] [-size bytes] [-window n] [-json]
//
// It joins the groups key1, key2 and key3 and leaves key1, then runs
// rounds (225 by default) of mcast_joined for -duration each (10 s), with
// message sizes 1, 1001, 2001, … bytes, or -size bytes in every round. A
// message refused with TRY_AGAIN is not counted and is tried again. After
// each round it prints
//
//	<n> Writes <size> bytes per write <t> Seconds runtime <tps> TP/s <mbs> MB/s.
//
// in the original's printf widths (MB/s counts 10^6 bytes), or with -json one
// JSON object per round. Up to -window multicasts are in flight at once (10,
// as the original's ≤10 outstanding). Configuration changes are printed as
// testevs prints them. Ctrl-C (SIGINT) or SIGTERM ends it cleanly: the
// round in progress is dropped and the connection finalized.
package main
