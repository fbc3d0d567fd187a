// Package pg is the totempg layer: it packs application messages into the
// payloads of Totem MCAST messages and unpacks them again, wire-compatible
// with corosync 3.1.7's exec/totempg.c (reference §4).
//
// Totem orders packets; applications send messages of up to
// [MaxMessageSize] bytes. totempg sits between them: several small
// messages share one packet, and a large one is cut into fragments that
// span several packets. The Totem core stays unaware of message
// boundaries.
//
// # Usage
//
// The sending side is one [Packer] per node: services call [Packer.Mcast]
// with a group list and payload, the Packer hands finished packets to a
// [Sink] (the Totem core's send queue), and the core calls [Packer.Flush]
// whenever it receives the token. The receiving side is one [Assembler]:
// the core calls [Assembler.Deliver] with each MCAST payload in agreed
// order, and [MatchGroup] routes each message to "a" or "sync". At a
// configuration change the core calls [Assembler.Forget] for every node
// that left. See the package example.
//
// # Packet format
//
// Every MCAST payload is one packet, in the sender's byte order (we always
// send little-endian):
//
//	off 0  u16 version       0
//	off 2  u16 type          0
//	off 4  u8  fragmented    0, or a fragment id if the LAST message continues in the next packet
//	off 5  u8  continuation  0, or the previous packet's fragment id if the FIRST message continues it
//	off 6  u16 msg_count M
//	off 8  u16 msg_len[M]    bytes of each message contained in this packet
//	       the message bytes, concatenated
//
// Each application message starts with a group header (u16 group_count,
// u16 group_len[...], the names without NUL), then the service payload.
// corosync uses one group per message: "a" for service messages and
// "sync" for the sync protocol. See [AppendGroups], [SplitGroups] and
// [MatchGroup].
//
// # Packing and fragmenting
//
// [Packer] follows mcast_msg(). With k messages and d data bytes already in
// the open packet, a new message may use
//
//	room = PacketSize − 8 − 2·(k+1) − d
//
// bytes of it, which is the reference's "1402 − 2·(M+1)" (M = k) less the
// data already there: a message that uses all of it fills the packet to
// exactly PacketSize. A message of n bytes
//
//   - stays in the open packet if n ≤ room − 3, leaving space for one more
//     length and one more byte (mcast_msg()'s "leave at least
//     sizeof(short) + 1 bytes");
//   - otherwise fills the packet with min(n, room) bytes and the packet is
//     proposed at once, with fragmented = the next fragment id if bytes
//     remain. The rest starts a new packet with continuation = that id,
//     where the same rule applies with k = 0.
//
// So a 1573-byte message into an empty 1410-byte packet goes out as
// fragmented=1, lens=[1400], then continuation=1, lens=[173], exactly as
// observed from corosync. Fragment ids come from one counter per Packer,
// 1..255 then back to 1 (0 means "none"); every fragmented packet takes a
// fresh id, so a message spanning many packets forms a chain of ids.
//
// The open packet goes out on [Packer.Flush], which the protocol core calls
// from its token-received hook as corosync's callback_token_received_fn()
// does, so messages submitted between two token visits share packets.
//
// corosync runs the rule above on each iovec of a message separately
// (group lengths, group names, then the caller's iovecs), so its fragment
// boundaries can fall a few bytes differently for multi-iovec messages;
// we treat the application message as one byte string. Receivers, corosync
// included, only follow the ids and lengths, so both are equally valid.
//
// Before accepting a message the Packer checks [Sink.Room] for every packet
// the message will need, counting the eventual flush, and refuses it whole
// with [ErrTryAgain] otherwise (corosync's flow control answers
// CS_ERR_TRY_AGAIN the same way). Messages are never truncated.
//
// # Reassembly
//
// [Assembler] follows totempg_deliver_fn(): one buffer per sender; if a
// packet's continuation equals the id its sender's previous packet left
// pending, the buffered bytes are joined to message 0. Complete messages
// go to the caller's function; a fragmented last message is kept. Where
// a chain breaks, the difference from corosync is documented on
// [Assembler.Deliver]. [Assembler.Forget] drops the state of a node that
// left, as corosync does at a configuration change.
//
// # Concurrency
//
// Neither Packer nor Assembler is safe for concurrent use. Both are meant
// to be owned by the daemon's single loop goroutine, next to the Totem
// core. Neither allocates per message in steady state.
package pg
