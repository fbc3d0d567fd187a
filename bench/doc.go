// Command bench measures goais against Debian's corosync 3.1.7 side by
// side, in one run, on one lab: three hosts in network namespaces on one
// bridge (veth, MTU 1500), the same totem settings for every engine
// (token 1000 ms, everything else at its default), one CPG peer per node.
//
//	sudo go run ./bench                  # print the table
//	sudo go run ./bench -o BENCHMARKS.md # and write it as Markdown
//
// Engines: corosync over udpu and over knet (its default transport), and
// knet with crypto (crypto_cipher aes256, crypto_hash sha256); goais over
// udpu and over udp multicast, and udpu with secauth (AES-256-GCM). The
// secure engines share an authkey made by ais-keygen. For each it measures
//
//   - B1 CPG agreed throughput (messages and MB per second delivered to a
//     node) at 64 B, 1 KB, 8 KB and 64 KB, with one sender and with all
//     three sending at once (the figure is the group's traffic one node
//     receives);
//   - B3 latency of agreed self-delivery, p50 and p99, sending 1 KB
//     messages paced at 1,000 per second;
//   - B5 failure detection: kill -9 of one node while the others send
//     1,000 messages per second; the time from the kill to the survivors'
//     CPG configuration change;
//   - B7 resident memory of each daemon, idle (ring formed, peers joined)
//     and after B1;
//
// and, for reference, what plain UDP moves through the same lab with the
// same fan-out (one host sending 1472-byte datagrams to both others): the
// physical limit of the machine.
//
// Each engine is measured -rounds times (default 3), the engines taking
// turns, and every cell is the median of its rounds: the machines this
// runs on are shared, and a neighbour's busy spell then falls on all
// engines rather than on one.
//
// The table gives each figure per engine and the ratio of goais's best
// plaintext figure to corosync's best plaintext figure; below it, the cost
// of security: each secure engine's throughput against its plaintext
// twin's (goais udpu secauth against goais udpu, corosync knet crypto
// against corosync knet). The ratio is of goais's best to
// corosync's best (for latency and detection time, lower is better, so a
// ratio below 1 favours goais). The peers are goais/internal/lab's: a C
// program on libcpg for corosync, the same protocol in Go on
// goais/client/cpg for goais.
//
// It needs root; it installs corosync, libcpg-dev and gcc when missing.
package main
