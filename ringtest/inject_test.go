package ringtest

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"goais/internal/lab"
)

// A host on the network without the key injects, with a member's source
// address, replays of real datagrams, corrupted copies and truncated
// copies: the target drops and counts every one, its membership does not
// move, and the ring's traffic stays exactly-once and in order.
func TestInjectedDatagramsDropped(t *testing.T) {
	c := lab.NewCluster(t, lab.Options{Prefix: "goaisring", Hosts: 4, Bin: bin}, secureRing(t, keygen(t, "authkey")))
	c.WaitMembers(1, 2, 3)
	from := netip.AddrPortFrom(c.Lab.Hosts[0].Addr, 5405) // node 1
	to := netip.AddrPortFrom(c.Lab.Hosts[1].Addr, 5405)   // node 2
	capture, err := c.Lab.Hosts[1].StartCapture(lab.HostDev, 5405)
	must(t, err)
	peers := c.GroupOnEveryNode("inject")
	c.SendRound(peers, 50, 100, 3000)
	var real [][]byte
	for _, d := range capture.Stop() {
		if d.Src == from && d.Dst == to && len(real) < 200 {
			real = append(real, d.Payload)
		}
	}
	if len(real) < 50 {
		t.Fatalf("captured only %d datagrams from node 1 to node 2", len(real))
	}

	// Copies of real datagrams keep counters node 2 has seen: the replay
	// window drops them before any cryptography. To reach the
	// authentication, corrupted and cut copies also get a counter never
	// used (envelope bytes 13-20), which the attacker cannot seal for.
	fresh := func(b []byte, i int) []byte {
		c := binary.LittleEndian.Uint64(b[13:21])
		binary.LittleEndian.PutUint64(b[13:21], c+1<<40+uint64(i))
		return b
	}
	var replays, corrupted, short, long [][]byte
	replays = real
	for i, p := range real {
		b := fresh(bytes.Clone(p), i)
		// Flip one bit, walking over header (but the counter and the
		// version byte), ciphertext and tag.
		pos := 1 + (i*7)%(len(b)-1)
		if pos >= 13 && pos < 21 {
			pos += 8
		}
		if pos < len(b) {
			b[pos] ^= 1 << (i % 8)
		}
		corrupted = append(corrupted, b)
		if n := i % 38; n < len(p) {
			short = append(short, bytes.Clone(p[:n])) // shorter than the envelope
		}
		if n := 38 + i%(len(p)-38); n < len(p) {
			long = append(long, fresh(bytes.Clone(p[:n]), i+len(real))) // the tag cut short
		}
	}
	before := rings(t, c, 1, 2, 3)
	base := ringStatus(t, c.Daemons[2]).Dropped
	attacker := c.Lab.Hosts[3]
	for _, batch := range [][][]byte{replays, corrupted, short, long} {
		must(t, attacker.SendSpoofed(from, to, batch))
	}
	injected := uint64(len(replays) + len(corrupted) + len(short) + len(long))
	after := waitStatus(t, c.Daemons[2], "every injected datagram dropped", func(s lab.RingState) bool {
		return dropped(s.Dropped, base) >= injected
	})
	d := func(k string) uint64 { return after.Dropped[k] - base[k] }
	t.Logf("injected %d replays, %d corrupted, %d short, %d cut: dropped invalid digest %d, replayed %d, truncated %d",
		len(replays), len(corrupted), len(short), len(long), d("invalid digest"), d("replayed"), d("truncated"))
	if d("replayed") != uint64(len(replays)) {
		t.Errorf("replayed %d, want the %d replays", d("replayed"), len(replays))
	}
	if d("truncated") != uint64(len(short)) {
		t.Errorf("truncated %d, want the %d short datagrams", d("truncated"), len(short))
	}
	if d("invalid digest") != uint64(len(corrupted)+len(long)) {
		t.Errorf("invalid digest %d, want the %d corrupted and cut datagrams", d("invalid digest"), len(corrupted)+len(long))
	}
	if d("malformed") != 0 || d("plaintext") != 0 {
		t.Errorf("injected datagrams reached the Totem decoder or looked like plaintext: %v", after.Dropped)
	}
	c.SendRound(peers, 50, 1000)
	sameRing(t, c, before)
}

// dropped is how many more datagrams s counts as dropped than base.
func dropped(s, base map[string]uint64) uint64 {
	var n uint64
	for k, v := range s {
		n += v - base[k]
	}
	return n
}
