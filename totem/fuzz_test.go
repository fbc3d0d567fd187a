package totem_test

import (
	"encoding/binary"
	"testing"
	"time"
)

// FuzzNodeStep feeds arbitrary datagrams to a node of a formed 3-node ring,
// interleaved with timer expiries. Whatever arrives, the node must neither
// panic nor hang; a malformed datagram is answered with an error. The seeds
// are the real datagrams of a ring forming and carrying traffic, so the
// fuzzer mutates messages the node's state machine actually reacts to.
func FuzzNodeStep(f *testing.F) {
	r := newBenchRing(f, 3, 1<<12)
	var captured [][]byte
	r.record = func(data []byte) { captured = append(captured, append([]byte(nil), data...)) }
	for i := range r.nodes {
		for range 3 {
			if err := r.nodes[i].Propose(r.now, []byte("fuzz seed message"), i == 1); err != nil {
				f.Fatal(err)
			}
		}
		r.flush(i)
	}
	for range 2000 {
		r.step()
	}
	// Force a membership change so joins and commit tokens are captured.
	r.nodes[2].Leave(r.now)
	r.flush(2)
	for range 2000 {
		r.step()
	}
	// One seed per distinct kind of datagram (type byte and size), plus a
	// few sequences, keeps the corpus small and varied.
	seen := map[[2]int]bool{}
	for _, d := range captured {
		k := [2]int{int(d[3]), len(d)}
		if !seen[k] {
			seen[k] = true
			f.Add(frame(d))
		}
	}
	for i := 0; i+3 < len(captured) && i < 400; i += 40 {
		f.Add(frame(captured[i : i+4]...))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, input []byte) {
		// A hang is as much a bug as a panic; the fuzzer cannot interrupt
		// an input, so a watchdog turns a hang into a crash it records.
		watchdog := time.AfterFunc(10*time.Second, func() { panic("node hung on fuzz input") })
		defer watchdog.Stop()
		r := newBenchRing(t, 3, 1<<12)
		n := r.nodes[0]
		for _, d := range unframe(input) {
			_ = n.Step(r.now, d) // errors are expected; panics are not
			r.now = r.now.Add(300 * time.Millisecond)
			n.Tick(r.now)
			if n.HasReady() {
				n.Advance()
			}
		}
		_ = n.Status()
	})
}

// frame and unframe pack several datagrams into one fuzz input as
// u16-length-prefixed records.
func frame(ds ...[]byte) []byte {
	var out []byte
	for _, d := range ds {
		out = binary.LittleEndian.AppendUint16(out, uint16(len(d)))
		out = append(out, d...)
	}
	return out
}

func unframe(b []byte) [][]byte {
	var out [][]byte
	for len(b) >= 2 && len(out) < 16 {
		n := int(binary.LittleEndian.Uint16(b))
		b = b[2:]
		n = min(n, len(b))
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}
