// Package wire encodes and decodes the six Totem SRP messages exactly as
// corosync 3.1.7 puts them on the wire (udp/udpu, crypto off). Each UDP
// datagram is one message; there is no framing. The authoritative layouts
// are in shared/reference/corosync-wire.md §2; this package follows them
// field for field.
//
// # Layouts
//
// All structures are packed. A ring_id is 12 bytes: rep u32 at +0, seq u64
// at +4. Node addresses are u32 nodeids.
//
//	header (§2.1, 13 bytes)  0 magic u16 (70 c0), 2 version u8 (3), 3 type u8,
//	                         4 encapsulated u8, 5 nodeid u32, 9 target_nodeid u32
//	ORF_TOKEN (§2.2)         13 seq, 17 token_seq, 21 aru, 25 aru_addr, 29 ring_id,
//	  57 + 16·n              41 backlog, 45 fcc, 49 retrans_flg, 53 rtr_list_entries n,
//	                         57 rtr_list[n] {ring_id, seq u32}
//	MCAST (§2.3)             13 system_from, 17 seq, 21 this_seqno, 25 ring_id,
//	  45 + payload           37 node_id, 41 guarantee, 45 payload
//	MEMB_MERGE_DETECT (§2.4) 13 system_from, 17 ring_id
//	  29
//	MEMB_JOIN (§2.5)         13 system_from, 17 proc_list_entries P,
//	  33 + 4·(P+F)           21 failed_list_entries F, 25 ring_seq u64,
//	                         33 proc_list[P], 33+4P failed_list[F]
//	MEMB_COMMIT_TOKEN (§2.6) 13 token_seq, 17 ring_id, 29 retrans_flg, 33 memb_index,
//	  41 + 28·N              37 addr_entries N, 41 addr[N],
//	                         41+4N memb_list[N] {ring_id, aru, high_delivered, received_flg}
//	TOKEN_HOLD_CANCEL (§2.7) 13 ring_id
//	  25
//
// # Byte order
//
// Corosync senders use their native byte order. Encoders always write
// little-endian (the magic as bytes 70 c0), as the reference requires.
// Decoders accept both: magic bytes c0 70 mark a big-endian sender, and then
// every multi-byte field is byte-swapped (ring_id as its u32 and u64
// halves). An MCAST payload is never touched: upper layers swap their own
// fields, using the bigEndian result of [PeekHeader].
//
// Encoders write the header type themselves, whatever Header.Type says, and
// take Encapsulated, NodeID and TargetNodeID from the struct. List counts are
// the slice lengths. Encoders only allocate when dst must grow; they do not
// check protocol bounds such as [RetransmitEntriesMax].
//
// # Decoding contract
//
// Decoding never panics, whatever the input. It checks, in this order:
// header length >= 13, magic in either order, version 3, type <= 5 (as
// corosync's check_message_header_validity does), that the type is the one
// the decoder handles, the fixed part's length, each list count against its
// bound (rtr_list_entries <= 30; proc, failed and addr entries <= 384), and
// only then that the lists fit. Counts are bounded before any arithmetic or
// allocation, so a hostile count cannot cause a large allocation. Failures
// are [*DecodeError] values wrapping one of [ErrShort], [ErrBadMagic],
// [ErrBadVersion], [ErrBadType], [ErrTooMany] and [ErrWrongType].
//
// Bytes after the end of a message (after a fixed-size message, or after
// the last list) are ignored, as corosync ignores them: its sanity checks
// are minimum lengths only. For an MCAST there are no trailing bytes: the
// rest of the datagram is the payload.
//
// Nothing beyond the layout is validated (a zero header nodeid, an
// encapsulated value other than 1 or 2, an unsorted commit addr list are
// all accepted); that is the protocol core's business.
//
// # Aliasing and reuse
//
// The typed decoders (DecodeToken, DecodeJoin, ...) decode into a struct the
// caller provides and overwrite all of it. Its slices are reused when their
// capacity is enough, so a receive loop that keeps one struct per type does
// not allocate. The decoded slices therefore share memory with the previous
// contents of the struct: copy them before decoding into the same struct
// again if they must outlive it. On error the struct is left unchanged.
//
// [DecodeMcast] does not copy the payload: Mcast.Payload aliases the input
// buffer (with its capacity capped at its length), so it is valid only as
// long as that buffer is. [PutMcastHeader] is the converse on the send side:
// it writes the header in front of a payload already in place.
//
// [Decode] allocates a new struct per call and is meant for tools, tests and
// fuzzing rather than the receive path.
package wire
