package secure

import (
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"goais/transport"
)

// Transport seals every datagram it sends and authenticates, decrypts and
// replay-checks every datagram it receives, over an inner transport. It
// implements transport.Transport with the same concurrency rules: Send from
// one goroutine, Recv from one other, the rest from any.
type Transport struct {
	inner  transport.Transport
	key    *Key
	log    *slog.Logger
	now    func() time.Time
	closed atomic.Bool

	// Send side: used only by the goroutine that calls Send.
	send      sealer
	arena     []byte               // the sealed datagrams of one Send call
	out       []transport.Datagram // what is passed to the inner Send
	exhausted bool                 // the counter reached its maximum

	// Receive side: used only by the goroutine that calls Recv.
	peers     map[uint32]*peer // per sender nodeid, created on authentication
	cand      [candidates]candidate
	candNext  int
	recvNonce [nonceSize]byte
	hdr       [HeaderSize]byte
	limits    [dropReplayed + 1]limiter // indexed by verdict

	c counters
}

var _ transport.Transport = (*Transport)(nil)

// sealer is this node's sending identity for the current boot.
type sealer struct {
	h     header // node, boot salt, next counter
	aead  cipher.AEAD
	nonce [nonceSize]byte
}

// peer is what Recv keeps about a sender nodeid once one of its datagrams
// authenticated: the boot it is in (salt and key) and the replay window,
// which spans its boots.
type peer struct {
	salt [saltSize]byte
	aead cipher.AEAD
	w    window
}

// candidates is how many keys of unauthenticated (nodeid, salt) pairs Recv
// keeps, so that a node with the wrong key does not cost a key derivation
// per datagram. A few suffice: a ring rarely has more than one or two
// misconfigured nodes at a time.
const candidates = 4

type candidate struct {
	node uint32
	salt [saltSize]byte
	aead cipher.AEAD // nil: empty slot
}

// New checks c and returns a Transport over c.Inner, with a fresh random
// boot salt. It logs the key fingerprint at info level.
func New(c Config) (*Transport, error) {
	var salt [saltSize]byte
	rand.Read(salt[:]) // never fails (it crashes the program if it cannot)
	return newTransport(c, salt)
}

// newTransport is New with a chosen salt, for tests that need reproducible
// datagrams.
func newTransport(c Config, salt [saltSize]byte) (*Transport, error) {
	c, err := c.check()
	if err != nil {
		return nil, err
	}
	a, err := c.Key.aead(c.NodeID, salt)
	if err != nil {
		return nil, err
	}
	t := &Transport{
		inner: c.Inner,
		key:   c.Key,
		log:   c.Logger,
		now:   c.Now,
		send:  sealer{h: header{node: c.NodeID, salt: salt, counter: c.Start}, aead: a},
		peers: make(map[uint32]*peer),
	}
	t.log.Info(fmt.Sprintf("secauth on: AES-256-GCM, key fingerprint %s, overhead %d bytes per datagram", c.Key.Fingerprint(), Overhead),
		"node", c.NodeID)
	return t, nil
}

// Send implements transport.Transport. Each datagram is sealed once (a
// multicast too: every member gets the same bytes) into buffers the
// Transport reuses, and all of them go to the inner Send in one call. An
// empty datagram is not sent (a receiver would drop it as truncated) and is
// counted in SendErrors, as are datagrams refused after the counter ran out.
func (t *Transport) Send(dgs []transport.Datagram) error {
	if t.closed.Load() {
		return transport.ErrClosed
	}
	total := 0
	for i := range dgs {
		total += len(dgs[i].Data) + Overhead
	}
	if cap(t.arena) < total {
		t.arena = make([]byte, 0, total)
	}
	buf, out := t.arena[:0], t.out[:0]
	var refused uint64
	for i := range dgs {
		d := &dgs[i]
		if len(d.Data) == 0 || t.exhausted {
			refused++
			continue
		}
		off := len(buf)
		buf = seal(buf, t.send.aead, &t.send.nonce, t.send.h, d.Data)
		out = append(out, transport.Datagram{To: d.To, Data: buf[off:len(buf):len(buf)]})
		t.advance()
	}
	t.out = out
	if refused > 0 {
		t.c.sendRefused.Add(refused)
	}
	if len(out) == 0 {
		return nil
	}
	return t.inner.Send(out)
}

// advance moves to the next counter. A counter is never used twice with
// one key: at the maximum the Transport stops sealing (in practice never:
// 2^64 nanoseconds is the year 2554).
func (t *Transport) advance() {
	if t.send.h.counter == math.MaxUint64 {
		t.exhausted = true
		t.log.Error("secauth: the datagram counter is exhausted; nothing more is sent. Restart with a lower Start (a reset of the state directory) on every node")
		return
	}
	t.send.h.counter++
}

// Recv implements transport.Transport. It returns only datagrams that
// authenticated and are not replays, decrypted: Data() is the plaintext
// and From the inner transport's source. Dropped datagrams are counted,
// logged (rate-limited) and removed from the batch by exchanging whole
// Packet values, so an entry of pkts may come back with another entry's
// Buf. When a whole batch is dropped it receives again rather than return
// zero.
func (t *Transport) Recv(pkts []transport.Packet) (int, error) {
	for {
		n, err := t.inner.Recv(pkts)
		n = min(n, len(pkts))
		k := 0
		for i := range n {
			if t.accept(&pkts[i]) {
				if i != k {
					pkts[i], pkts[k] = pkts[k], pkts[i]
				}
				k++
			}
		}
		if k > 0 || n == 0 || err != nil {
			return k, err
		}
	}
}

// accept runs the receive checks on one datagram and, if it passes them,
// leaves the plaintext in p.Buf[:p.N].
func (t *Transport) accept(p *transport.Packet) bool {
	b := p.Data()
	h, v := parse(b)
	if v != accepted {
		return t.drop(p, v, h, fresh)
	}
	st := t.peers[h.node]
	var a cipher.AEAD
	newBoot := st == nil || st.salt != h.salt
	switch {
	case !newBoot:
		if why := st.w.check(h.counter); why != fresh {
			return t.drop(p, dropReplayed, h, why)
		}
		a = st.aead
	case st != nil && h.counter <= st.w.high:
		// A restarted node starts above every counter it used before
		// (NextStart), so this is an earlier boot's datagram.
		return t.drop(p, dropReplayed, h, olderBoot)
	}
	var slot int
	if a == nil {
		var ok bool
		if a, slot, ok = t.candidate(h.node, h.salt); !ok {
			return t.drop(p, dropBadDigest, h, fresh)
		}
	}
	pt, ok := open(b, a, &t.recvNonce, &t.hdr, h)
	if !ok {
		return t.drop(p, dropBadDigest, h, fresh)
	}
	if newBoot {
		if st == nil {
			st = &peer{}
			t.peers[h.node] = st
		}
		st.salt, st.aead = h.salt, a
		t.cand[slot] = candidate{}
	}
	st.w.mark(h.counter)
	p.N = len(pt)
	t.c.recvDatagrams.Add(1)
	t.c.recvBytes.Add(uint64(len(b)))
	return true
}

// candidate returns the key of an unauthenticated sender boot and its slot
// in the candidate cache, deriving it if it is not cached.
func (t *Transport) candidate(node uint32, salt [saltSize]byte) (cipher.AEAD, int, bool) {
	for i := range t.cand {
		if c := &t.cand[i]; c.aead != nil && c.node == node && c.salt == salt {
			return c.aead, i, true
		}
	}
	a, err := t.key.aead(node, salt)
	if err != nil {
		return nil, 0, false // only under FIPS 140-only mode, which New already refused
	}
	i := t.candNext
	t.candNext = (i + 1) % candidates
	t.cand[i] = candidate{node: node, salt: salt, aead: a}
	return a, i, true
}

// drop counts and logs a dropped datagram; it returns false for accept.
func (t *Transport) drop(p *transport.Packet, v verdict, h header, why replayReason) bool {
	t.c.count(v)
	t.logDrop(v, p.From, p.N, h, why)
	return false
}

// SetMembers implements transport.Transport by passing the list on.
func (t *Transport) SetMembers(m []transport.Member) { t.inner.SetMembers(m) }

// Close implements transport.Transport: it closes the inner transport,
// which unblocks Recv; Send then returns transport.ErrClosed.
func (t *Transport) Close() error {
	t.closed.Store(true)
	return t.inner.Close()
}
