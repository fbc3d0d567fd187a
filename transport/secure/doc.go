// Package secure is secauth for goais rings: a [transport.Transport] that
// wraps another one (udpu, udp) and authenticates and encrypts every
// datagram with AES-256-GCM, keyed from the cluster's shared authkey file.
//
// # Usage
//
//	key, err := secure.LoadKey("/etc/ais/authkey")
//	...
//	tr, err := secure.New(secure.Config{
//		Inner:  udpuTransport,
//		Key:    key,
//		NodeID: nodeID,
//		Start:  secure.NextStart(persistedStart, time.Now()),
//		Logger: logger,
//	})
//
// Sealing adds [Overhead] (37) bytes to every datagram, so the caller
// lowers the Totem frame budget (netmtu) by Overhead to keep full frames
// within the MTU.
//
// # Threat model
//
// All nodes share the authkey file (ais-keygen's 128 random bytes;
// corosync's 256-byte authkey works too). A host on the ring network
// without the key can neither read the traffic, nor inject a datagram that
// is accepted, nor replay one that was: a forged or modified datagram fails
// authentication, a recorded one is refused by the replay window. It can
// still drop, delay, reorder and flood datagrams, which Totem treats as
// loss and reordering (a flood costs the receivers a header check or one
// GCM open per datagram, and state is created only for senders that
// authenticate, so it cannot grow memory). The datagram's length, the
// sender's nodeid, boot salt and counter travel in the clear (they are
// authenticated, not encrypted). A node that has the key is trusted
// entirely: it can impersonate any nodeid.
//
// # Envelope
//
// A sealed datagram is a 21-byte header ([HeaderSize]), the ciphertext of
// the Totem datagram (as long as the plaintext) and the 16-byte GCM tag.
// Integers are little-endian.
//
//	offset  size  field
//	     0     1  envelope version, 1
//	     1     4  sender nodeid (u32)
//	     5     8  boot salt: random, chosen when the Transport is created
//	    13     8  counter (u64): strictly increasing per datagram sealed
//	    21     n  ciphertext (n ≥ 1: the plaintext's length)
//	  21+n    16  GCM tag
//
// Overhead: 21 + 16 = 37 bytes per datagram. Plaintext Totem datagrams
// start with the magic bytes 0x70 0xc0 or 0xc0 0x70, so a first byte of
// 0x70 or 0xc0 marks a datagram from a node without secauth (or a corosync
// ring with its own, different, crypto) and is counted and logged as such
// rather than as a bad digest. A multicast is sealed once: every
// destination gets the same bytes.
//
// # Keys
//
// The raw authkey is never used as a key. [LoadKey] extracts an HKDF-SHA256
// pseudorandom key from it (salt "goais secauth v1") and every key is
// expanded from that with its own info string:
//
//   - datagram key of a sender boot: info "datagram key" || nodeid (4 bytes
//     LE) || boot salt, 32 bytes, the AES-256 key;
//   - fingerprint: info "fingerprint", the first 8 bytes in hex, logged at
//     start ([Key.Fingerprint]) so that operators can compare keys across
//     nodes without revealing them.
//
// The GCM nonce is the counter (8 bytes LE) followed by 4 zero bytes, and
// the additional data is the 21-byte header, so nothing in it can be
// changed either.
//
// # Nonce uniqueness
//
// GCM breaks if a nonce is used twice with one key. Every (nodeid, boot
// salt) pair has its own key, and within one Transport the counter only
// grows (Send stops sealing if it would reach past 2^64-1). So a nonce
// repeats under a key only if two Transports draw the same nodeid and the
// same 64-bit random salt: with a few boots per node, a chance of the order
// of boots²/2^64. In particular two nodes misconfigured with one nodeid, or
// a clock that goes back, do not reuse a nonce; they only get their
// datagrams refused as replays.
//
// # Replay window and boot order
//
// Per sender nodeid the receiver keeps the highest authenticated counter H
// and a 2048-bit bitmap of the counters H-2047..H. A counter is a replay if
// it is at or below H-2048 (older than the window: it cannot be told apart
// from a replay) or its bit is set; the check runs before decryption
// (cheap) and the bit is set after authentication. Datagrams reordered by
// up to 2047 positions are accepted once each.
//
// The window spans the sender's boots: a datagram with a new boot salt is
// accepted only if its counter is above H (then the new salt and key
// replace the old ones, and the window slides on). A restarted node
// therefore must start its counter above everything its previous boot
// used: [NextStart] gives max(wall clock in ns, previous Start + 2^32), and
// the executive persists each boot's Start in its state directory. With
// Start 0 the counter starts at the wall clock in nanoseconds, which is
// enough while the clock never goes back. A boot that starts too low sees
// its datagrams refused (logged as an older boot) until its counter passes
// H, or until the receivers restart. Receiver state is kept for every
// sender that ever authenticated, so its size is bounded by the number of
// real nodes.
//
// # Counters and logs
//
// [Transport.Stats] returns the inner transport's counters with the
// receive side replaced: RecvDatagrams and RecvBytes count only the
// datagrams Recv returned (RecvBytes their sealed size, like the inner
// SentBytes), and every datagram dropped here moves exactly one of:
//
//   - ShortEnvelope: shorter than Overhead+1 bytes;
//   - Plaintext: a plaintext Totem datagram;
//   - BadDigest: an unknown envelope version, or authentication failed
//     (wrong key, corruption, forgery);
//   - Replayed: a duplicate, older than the window, or from an older boot.
//
// SendErrors also counts datagrams Send refused (empty ones). Each kind of
// drop is logged as a warning naming the source address (and the claimed
// nodeid, the counter, the reason, as they apply), the first time and then
// at most once per 10 s per kind, with the number suppressed since
// ([Config.Now] is the clock). A key mismatch shows up as the "Invalid
// digest" the openais README tells operators to look for, with the hint
// "key mismatch?".
//
// # Concurrency and buffers
//
// As for any transport: Send from one goroutine (the executive's loop),
// Recv from one reader goroutine, Stats, SetMembers and Close from any.
// Send seals into buffers the Transport owns and reuses, and passes all the
// sealed datagrams of a call to the inner Send at once; Recv decrypts in
// place, leaving the plaintext at the start of Packet.Buf, and removes
// dropped datagrams from the batch by exchanging whole Packet values, so
// an entry of pkts may come back with another entry's Buf. Neither
// allocates in the steady state. If every datagram of a batch is dropped,
// Recv receives again instead of returning zero.
//
// # Performance
//
// Measured on the development machine (2-core AMD EPYC VM with AES-NI, Go
// 1.26, go test -bench, median of three):
//
//	                  1024 B          1472 B          9000 B
//	Seal           350 ns 2.9 GB/s  560 ns 2.6 GB/s  2.77 µs 3.3 GB/s
//	Open           440 ns 2.3 GB/s  580 ns 2.5 GB/s  3.19 µs 2.8 GB/s
//	Seal, 2 cores  1472 B: 254 ns per datagram, 5.8 GB/s
//
// A 1472-byte datagram costs about 0.6 µs to seal and as much to open,
// against about 3.6 µs per datagram for a batched udpu send on loopback
// (and a multicast is sealed once for all of its copies). Sealing on
// several goroutines scales with the cores, but the gain would be a
// fraction of the send cost, so there is no counterpart of corosync's
// "threads" option: sealing stays on the executive's goroutine.
package secure
