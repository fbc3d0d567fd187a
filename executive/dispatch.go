package executive

import (
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
// group "a" carries service exec messages (reference §4, §5.1), group
// "sync" the sync protocol (§5.3).
func (e *Executive) onMessage(msg []byte) {
	d := e.cur
	if payload, ok, err := pg.MatchGroup(msg, "a", d.BigEndian); err != nil {
		e.malformed(d, err)
		return
	} else if ok {
		e.engine.DeliverExec(d.Sender, payload, d.BigEndian)
		return
	}
	if payload, ok, _ := pg.MatchGroup(msg, "sync", d.BigEndian); ok {
		e.engine.DeliverSync(d.Sender, payload)
	}
}

func (e *Executive) malformed(d *totem.Delivery, err error) {
	if ok, more := e.badIn.allow(e.now, 10*time.Second); ok {
		e.log.Warn("dropping a message with a malformed group header", "from", d.Sender, "err", err, "suppressed", more)
	}
}
