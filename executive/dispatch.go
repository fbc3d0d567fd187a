package executive

import (
	"encoding/binary"
	"math/bits"
	"time"

	"goais/totem"
	"goais/totem/pg"
)

// deliverMessage returns the per-message callback for delivery d. The
// callback is a method value stored once; the delivery it belongs to is
// kept in a field, so delivering allocates nothing.
func (e *Executive) deliverMessage(d *totem.Delivery) func([]byte) {
	e.cur = d
	if e.onMessageFn == nil {
		e.onMessageFn = e.onMessage
	}
	return e.onMessageFn
}

// onMessage dispatches one reassembled application message of e.cur:
// group "a" carries service exec messages (reference §4, §5.1); other
// groups ("sync") have no handler yet.
func (e *Executive) onMessage(msg []byte) {
	d := e.cur
	payload, ok, err := pg.MatchGroup(msg, "a", d.BigEndian)
	if err != nil {
		if ok, more := e.badIn.allow(e.now, 10*time.Second); ok {
			e.log.Warn("dropping a message with a malformed group header", "from", d.Sender, "err", err, "suppressed", more)
		}
		return
	}
	if !ok || len(payload) < serviceHeaderSize {
		return
	}
	id := binary.LittleEndian.Uint32(payload)
	if d.BigEndian {
		id = bits.ReverseBytes32(id)
	}
	service, fn := id>>16, id&0xffff
	switch {
	case service == loadService && fn == 0:
		e.load.deliver(d.Sender, payload[serviceHeaderSize:])
	}
	// Other services are not loaded: corosync ignores such messages too.
}
