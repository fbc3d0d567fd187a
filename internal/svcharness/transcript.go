package svcharness

import (
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"goais/service"
)

// Transcript collects the output of one script command: the bus trace
// (what the fake bus delivered, in order) and the lines each node said.
// The zero value is ready to use.
type Transcript struct {
	bus   []string
	lines map[service.NodeID][]string
}

// Say adds a line to node id's output.
func (t *Transcript) Say(id service.NodeID, format string, args ...any) {
	if t.lines == nil {
		t.lines = make(map[service.NodeID][]string)
	}
	t.lines[id] = append(t.lines[id], fmt.Sprintf(format, args...))
}

// trace adds a line to the bus trace.
func (t *Transcript) trace(line string) { t.bus = append(t.bus, line) }

// Flush returns the command's transcript, "bus: " lines first, then each
// node's lines as "nN: " in ascending node order whatever order they were
// said in, and starts the next command's.
func (t *Transcript) Flush() string {
	var b strings.Builder
	for _, l := range t.bus {
		b.WriteString("bus: " + l + "\n")
	}
	for _, id := range slices.Sorted(maps.Keys(t.lines)) {
		for _, l := range t.lines[id] {
			fmt.Fprintf(&b, "n%d: %s\n", id, l)
		}
	}
	t.bus, t.lines = nil, nil
	return b.String()
}

// Payload shows a short printable message as quoted text, any other by
// its length and digest, so that transcripts stay readable.
func Payload(b []byte) string {
	printable := len(b) <= 64
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			printable = false
		}
	}
	if printable {
		return strconv.Quote(string(b))
	}
	sum := sha256.Sum256(b)
	return fmt.Sprintf("%d bytes sha256:%x", len(b), sum[:6])
}

// Pattern is the content of a generated message of n bytes: the same for
// the same n, and not all zeros, so that a cut or a reordering shows in
// its digest.
func Pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>9)
	}
	return b
}
