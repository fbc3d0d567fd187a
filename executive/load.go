package executive

import (
	"encoding/binary"
	"strconv"

	"goais/client/cfg"
	"goais/totem"
)

// The load service: numbered messages that let tests prove, across real
// processes and lossy networks, that every node delivers every message
// once and in one order. Each message is the 16-byte service header
// (reference §5.1) then sender u32, 4 pad bytes, seq u64, and filler up to
// the requested size (header included).
const (
	serviceHeaderSize = 16
	loadMinSize       = serviceHeaderSize + 16
	loadMaxSize       = 1 << 20
)

// groupA is corosync's group for all service exec messages.
var groupA = []string{"a"}

type loadState struct {
	pending int // messages still to send
	size    int
	seq     uint64 // last seq sent
	sent    uint64
	msg     []byte

	delivered uint64
	hash      uint64 // FNV-1a of the (sender, seq) stream, in delivery order
	from      map[totem.NodeID]*cfg.LoadFrom
}

func (l *loadState) start(count, size int) {
	l.pending += count
	l.size = size
}

// pumpLoad sends as many pending load messages as the send queue takes.
func (e *Executive) pumpLoad() {
	l := &e.load
	out := env{e, loadService}
	for l.pending > 0 {
		body := l.size - serviceHeaderSize
		if cap(l.msg) < body {
			l.msg = make([]byte, body)
		}
		m := l.msg[:body]
		binary.LittleEndian.PutUint32(m[0:], uint32(e.NodeID()))
		binary.LittleEndian.PutUint64(m[8:], l.seq+1)
		if err := out.Mcast(0, m); err != nil {
			return // try again after the next token drained the queue
		}
		l.seq++
		l.sent++
		l.pending--
	}
}

// deliverLoad checks one load message from sender.
func (l *loadState) deliver(sender totem.NodeID, body []byte) {
	if len(body) < loadMinSize-serviceHeaderSize {
		return
	}
	claimed := binary.LittleEndian.Uint32(body[0:])
	seq := binary.LittleEndian.Uint64(body[8:])
	if claimed != uint32(sender) {
		return // not a message of ours
	}
	if l.from == nil {
		l.from = make(map[totem.NodeID]*cfg.LoadFrom)
		l.hash = fnvOffset
	}
	f := l.from[sender]
	if f == nil {
		f = &cfg.LoadFrom{First: seq, Last: seq - 1}
		l.from[sender] = f
	}
	switch {
	case seq <= f.Last:
		f.Dups++
	case seq > f.Last+1:
		f.Gaps += seq - f.Last - 1
	}
	if seq > f.Last {
		f.Last = seq
	}
	f.Count++
	l.delivered++
	var b [12]byte
	binary.LittleEndian.PutUint32(b[0:], uint32(sender))
	binary.LittleEndian.PutUint64(b[4:], seq)
	for _, c := range b {
		l.hash ^= uint64(c)
		l.hash *= fnvPrime
	}
}

// FNV-1a 64, computed inline so that delivery allocates nothing.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// transitional is a hook for configuration changes; the load service keeps
// counting across them (a partition shows up as gaps at the far side).
func (l *loadState) transitional(*totem.ConfigChange) {}

func (l *loadState) report() cfg.LoadReport {
	r := cfg.LoadReport{
		Pending:   l.pending,
		Sent:      l.sent,
		Delivered: l.delivered,
		OrderHash: strconv.FormatUint(l.hash, 16),
		Senders:   make(map[string]cfg.LoadFrom),
	}
	for id, f := range l.from {
		r.Senders[strconv.FormatUint(uint64(id), 10)] = *f
	}
	return r
}
