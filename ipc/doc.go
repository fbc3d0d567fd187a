// Package ipc is the local transport between client libraries and the
// executive (aisexec): a stream of length-prefixed frames on a Unix socket,
// carrying requests, responses and unsolicited callbacks, with peer
// credential checks and back-pressure in both directions.
//
// The daemon side is a [Server]. Its socket readers only parse frames and
// hand them to the executive's single event-loop goroutine as [Event]s on
// one channel; the loop answers through [Conn.Respond] and [Conn.Callback],
// which never block. The library side is a [Client]: [Dial] performs the
// handshake for one service, [Client.Call] sends a request and waits for
// its response, and [Client.Callbacks] delivers what the daemon sends
// unsolicited.
//
// # Frame format
//
// Every frame is a 16-byte little-endian header followed by a body:
//
//	off 0   u32 length   whole frame including this header; HeaderSize ≤ length ≤ MaxFrame
//	off 4   u8  kind     1 hello, 2 hello-reply, 3 request, 4 response, 5 callback
//	off 5   u8  reserved must be 0
//	off 6   u16 fn       function id within the service (requests, responses, callbacks)
//	off 8   u32 reqid    chosen by the client on a request, echoed by its response;
//	                     0 on hello, hello-reply and callbacks
//	off 12  i32 status   an SA Forum error code ([Status]) on responses and
//	                     hello-replies; 0 on hello, requests and callbacks
//
// [MaxFrame] is 1 MiB + 64 KiB, so a 1 MiB CPG message with its own
// service header fits in one frame.
//
// A connection starts with exactly one hello from the client, whose 8-byte
// body is
//
//	off 0  u16 service   the service this connection talks to
//	off 2  u16 reserved  must be 0
//	off 4  u32 pid       the client's process id (informational; the daemon
//	                     trusts the kernel's SO_PEERCRED instead)
//
// The daemon answers with a hello-reply whose status is SA_AIS_OK, or
// SA_AIS_ERR_ACCESS when the peer's credentials are not allowed, or
// SA_AIS_ERR_NOT_EXIST for an unknown service, and closes the connection
// after a refusal. After a successful hello the client sends requests and
// the daemon sends responses (in any order, matched by request id) and
// callbacks. Any frame that breaks these rules makes the daemon close the
// connection and log which client sent what.
//
// The hello-reply is written before the event loop hears of the
// connection, so a client whose Dial succeeded is one the loop knows, and
// nothing the loop sends can overtake the reply. Until its hello arrives a
// connection costs one goroutine and one descriptor and nothing else.
//
// # Credentials
//
// At accept the server reads the peer's pid, uid and gid with SO_PEERCRED.
// A client is allowed if its uid is 0, or equals the daemon's effective
// uid, or its gid equals [ServerConfig.AllowedGID]; a client that is not
// gets SA_AIS_ERR_ACCESS as its hello-reply, and the refusal is logged
// with its pid, uid and gid. The socket file is created with mode 0770
// (group-owned by AllowedGID when set), so file permissions and the
// credential check agree.
//
// [Listen] takes an flock on the socket path + ".lock" for the server's
// lifetime, replaces a socket file nobody answers on, and refuses to start
// when an executive answers on it or when the socket directory belongs to
// a user other than root or the daemon's.
//
// # Back-pressure
//
// Each server connection has a writer goroutine and a byte-counted output
// queue. Respond and Callback only enqueue. While more than
// [ServerConfig.MaxBacklog] bytes are queued the server stops reading that
// client's requests, so a client that does not read its responses slows
// itself down and nobody else. Past [ServerConfig.HardBacklog] the client
// is disconnected as too slow. A client that floods requests blocks in its
// own reader goroutine on the event channel, never the loop.
//
// On the client, callbacks wait in a queue of up to [CallbackBytes] bytes
// in front of a channel of [CallbackQueue] entries, so that responses do
// not wait behind callbacks the application has not taken yet. When the
// queue is full the client stops reading the socket, which leaves the
// bytes queued in the daemon, whose backlog rules then apply; responses
// then wait too, so applications that receive many callbacks should drain
// Callbacks on a goroutine of their own.
//
// # Concurrency
//
// Server, Conn and Client methods are safe for concurrent use. [Reader],
// [DecodeHeader] and the Append functions hold no shared state.
package ipc
