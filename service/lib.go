package service

import (
	"errors"

	"goais/ipc"
)

// Conn is one library connection as a service sees it. *ipc.Conn
// implements it; tests use fakes. Respond and Callback never block and
// copy body.
type Conn interface {
	// ID is unique among the executive's connections; services key their
	// per-client state by it.
	ID() uint64
	// Cred is the client's pid, uid and gid.
	Cred() ipc.Cred
	// Respond answers request reqID.
	Respond(reqID uint32, fn uint16, status ipc.Status, body []byte)
	// Callback sends an unsolicited message (a delivery, a configuration
	// change) to the client.
	Callback(fn uint16, body []byte)
	// Backlog is the number of bytes queued to the client and not yet
	// written: a service can tell a client to try again rather than queue
	// more.
	Backlog() int
}

// Library is implemented by services that serve client libraries over
// IPC (the lib side of corosync's service handlers). The executive routes
// every connection whose hello named the service's id here. All calls
// happen on the executive's loop goroutine.
type Library interface {
	Service
	// LibConnect: a library connected (corosync's lib_init_fn).
	LibConnect(c Conn)
	// LibRequest handles one request; the service answers with
	// c.Respond(reqID, fn, …), now or later. body is the service's to
	// keep.
	LibRequest(c Conn, reqID uint32, fn uint16, body []byte)
	// LibDisconnect: the connection closed, by the client or because it
	// died (corosync's lib_exit_fn). Nothing more may be sent to c.
	LibDisconnect(c Conn)
}

// Flusher is implemented by services that hold messages back when the
// send queue is full (requests of pipelining clients, the rest of a
// fragmented message, the leave of a dead client). The executive calls
// Flush when Pending reports work and the queue may have room; Flush
// returns ErrTryAgain if the queue filled again before it finished.
type Flusher interface {
	Pending() bool
	Flush() error
}

// SyncWatcher is implemented by services that need to know the whole
// window of a sync round (corosync's sync_in_process): the engine calls
// SetSyncing(true) at every configuration change and SetSyncing(false)
// when a round completes, before OnSyncComplete.
type SyncWatcher interface {
	SetSyncing(on bool)
}

// StatusOf maps a service error to the status a library gets: nil is OK,
// ErrTryAgain TRY_AGAIN, an *ipc.StatusError its own status, and anything
// else def. Services wrap their errors around the sentinels of package
// ipc (ipc.ErrExist, …) or ErrTryAgain to choose the status.
func StatusOf(err error, def ipc.Status) ipc.Status {
	if err == nil {
		return ipc.StatusOK
	}
	if errors.Is(err, ErrTryAgain) {
		return ipc.StatusTryAgain
	}
	var se *ipc.StatusError
	if errors.As(err, &se) {
		return se.Status
	}
	return def
}
