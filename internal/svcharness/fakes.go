package svcharness

import (
	"goais/ipc"
	"goais/service"
)

// Env is a service.Env for unit tests and fuzz targets: it keeps what the
// service multicasts instead of sending it, so that the test can check it
// or deliver it back.
type Env struct {
	ID service.NodeID
	// Message prepends the exec header: the service's own Message
	// function, so that Sent holds what Deliver would get.
	Message func(fn uint16, body []byte) []byte
	Sent    [][]byte
	// Full makes Mcast refuse with service.ErrTryAgain, as a full send
	// queue; otherwise a non-nil Err makes it fail with Err.
	Full bool
	Err  error
}

// NodeID is e.ID.
func (e *Env) NodeID() service.NodeID { return e.ID }

// Mcast appends the message to Sent unless Full or Err says otherwise.
func (e *Env) Mcast(fn uint16, body []byte) error {
	switch {
	case e.Full:
		return service.ErrTryAgain
	case e.Err != nil:
		return e.Err
	}
	e.Sent = append(e.Sent, e.Message(fn, body))
	return nil
}

// Conn is a library connection as a service sees it (service.Conn), with
// no backlog, that drops what it is sent. Tests embed it and define
// Respond and Callback to see what the service answers.
type Conn struct {
	ConnID uint64
	PID    int // of the client's credentials
}

// ID is c.ConnID.
func (c *Conn) ID() uint64 { return c.ConnID }

// Cred holds c.PID.
func (c *Conn) Cred() ipc.Cred { return ipc.Cred{PID: c.PID} }

// Backlog is 0: the client reads everything at once.
func (c *Conn) Backlog() int { return 0 }

// Respond drops the answer.
func (c *Conn) Respond(uint32, uint16, ipc.Status, []byte) {}

// Callback drops the callback.
func (c *Conn) Callback(uint16, []byte) {}
