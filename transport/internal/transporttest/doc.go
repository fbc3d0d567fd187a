// Package transporttest holds what the tests and benchmarks of the udpu and
// udp transports share: a reader that drains a transport in the background
// and waits for the datagrams a test expects, receiving an exact number of
// datagrams, the check that Close unblocks Recv, and the send and receive
// benchmark loops with their per-datagram figures. It works on any
// transport.Transport and is imported only by tests.
//
// Every wait is bounded by WaitLimit, a deadline for failing with a message,
// never a claim about speed.
package transporttest
