package pg

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"testing"

	"goais/totem/wire"
)

// encodeRecords frames packets for FuzzAssembler: sender, flags (bit 0 =
// big-endian), u16 length, packet bytes.
func encodeRecords(recs ...fuzzRecord) []byte {
	var b []byte
	for _, r := range recs {
		var flags byte
		if r.be {
			flags = 1
		}
		b = append(b, r.sender, flags)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(r.packet)))
		b = append(b, r.packet...)
	}
	return b
}

type fuzzRecord struct {
	sender byte
	be     bool
	packet []byte
}

// decodeRecords is the inverse of encodeRecords; a short tail becomes one
// last, truncated packet so every input is used.
func decodeRecords(b []byte) []fuzzRecord {
	var recs []fuzzRecord
	for len(b) >= 2 {
		r := fuzzRecord{sender: b[0] % 4, be: b[1]&1 != 0}
		b = b[2:]
		n := len(b)
		if len(b) >= 2 {
			n = int(binary.LittleEndian.Uint16(b))
			b = b[2:]
		}
		n = min(n, len(b))
		r.packet, b = b[:n], b[n:]
		recs = append(recs, r)
	}
	return recs
}

func FuzzAssembler(f *testing.F) {
	// Seeds: a packed stream from two senders, a fragment chain, and the
	// reference examples, plus a few broken chains.
	sink := newRecordSink()
	p := NewPacker(100, sink)
	_ = p.Mcast([]string{"a"}, pattern(1, 30))
	_ = p.Mcast([]string{"sync"}, pattern(2, 250))
	_ = p.Mcast([]string{"a"}, pattern(3, 10))
	_ = p.Flush()
	var recs []fuzzRecord
	for i, pk := range sink.packets {
		recs = append(recs, fuzzRecord{sender: byte(i % 2), packet: pk})
	}
	f.Add(encodeRecords(recs...))
	f.Add(encodeRecords(
		fuzzRecord{1, true, buildPacket(true, 9, 0, groupMsg(true, []byte("x"), "a"), []byte("ab"))},
		fuzzRecord{1, true, buildPacket(true, 0, 9, []byte("cd"))},
	))
	f.Add(encodeRecords(
		fuzzRecord{2, false, buildPacket(false, 1, 0, []byte("start"))},
		fuzzRecord{2, false, buildPacket(false, 0, 2, []byte("tail"), []byte("ok"))},
		fuzzRecord{3, false, buildPacket(false, 4, 3, []byte("mid"))},
		fuzzRecord{3, false, buildPacket(false, 0, 0, []byte("fresh"))},
	))
	f.Add([]byte{0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0})

	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAssembler()
		var delivered uint64
		for _, r := range decodeRecords(data) {
			sender := wire.NodeID(r.sender)
			err := a.Deliver(sender, r.packet, r.be, func(m []byte) {
				delivered++
				if len(m) > MaxMessageSize {
					t.Fatalf("delivered %d bytes", len(m))
				}
				// Whatever arrives, group parsing must not panic.
				_, _, _ = SplitGroups(m, r.be)
				_, _, _ = MatchGroup(m, "a", r.be)
			})
			if _, perr := parsePacket(r.packet, r.be); (perr != nil) != errors.Is(err, ErrMalformed) {
				t.Fatalf("Deliver err %v, parse err %v", err, perr)
			}
			for id, st := range a.streams {
				if len(st.buf) > MaxMessageSize || cap(st.buf) > 2*MaxMessageSize {
					t.Fatalf("sender %d buffers %d bytes (cap %d)", id, len(st.buf), cap(st.buf))
				}
				if st.discard && len(st.buf) != 0 {
					t.Fatalf("sender %d discards but buffers %d bytes", id, len(st.buf))
				}
			}
			if len(a.streams) > 4 {
				t.Fatalf("%d streams for 4 senders", len(a.streams))
			}
		}
		if s := a.Stats(); s.Messages != delivered {
			t.Fatalf("stats count %d messages, fn saw %d", s.Messages, delivered)
		}
	})
}

// FuzzPackRoundTrip packs a fuzzer-chosen message list from several
// senders, interleaves their packets, and checks the Assembler returns
// every sender's messages unchanged.
//
// ops is read in 3-byte steps: op, then a u16 length. op bits 0-1 pick the
// sender, bits 2-4 the groups, bit 5 gives a token to a random sender, bit
// 6 tops the length up by 64 KiB.
func FuzzPackRoundTrip(f *testing.F) {
	f.Add(uint16(DefaultPacketSize), []byte{0, 0x25, 0x06, 1, 0x10, 0x00, 0x22, 0x44, 0x00})
	f.Add(uint16(0), []byte{0x40, 0xff, 0xff, 0x01, 1, 0, 0x61, 0x00, 0x10})
	f.Add(uint16(MinPacketSize), []byte{0, 200, 0, 0x20, 3, 0, 1, 0, 0})
	f.Fuzz(runPackRoundTrip)
}

func runPackRoundTrip(t *testing.T, size uint16, ops []byte) {
	{
		packetSize := MinPacketSize + int(size)%(DefaultPacketSize*2)
		rng := rand.New(rand.NewPCG(uint64(size), uint64(len(ops))))
		senders := []wire.NodeID{1, 2, 3, 4}
		r := newRing(rng, packetSize, senders...)
		want := map[wire.NodeID][]sent{}
		// Bytes per input, so each run stays quick (the fuzzer minimizes
		// by rerunning inputs thousands of times): at most 256 KiB and
		// about 2000 packets. The property tests cover 1 MiB messages.
		budget := min(256<<10, 2000*(packetSize-HeaderSize-2))
		for i := 0; i+3 <= len(ops) && budget > 0; i += 3 {
			op := ops[i]
			n := int(binary.LittleEndian.Uint16(ops[i+1:]))
			if op&0x40 != 0 {
				n += 64 << 10
			}
			// Tiny packets mean one packet per few bytes; cap the work.
			n = min(n, budget, 200*packetSize)
			budget -= n
			id := senders[op&3]
			groups := groupChoices[int(op>>2&7)%len(groupChoices)]
			m := sent{groups, pattern(i, n)}
			if err := r.packers[id].Mcast(m.groups, m.payload); err != nil {
				t.Fatal(err)
			}
			want[id] = append(want[id], m)
			if op&0x20 != 0 {
				if err := r.token(senders[rng.IntN(len(senders))], 1+rng.IntN(3)); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := r.drain(); err != nil {
			t.Fatal(err)
		}
		r.check(t, want)
	}
}
