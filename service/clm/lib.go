package clm

import (
	"fmt"

	clmapi "goais/client/clm"
	"goais/ipc"
	"goais/service"
)

// client is one library connection.
type client struct {
	conn  service.Conn
	flags clmapi.TrackFlags // TrackChanges, TrackChangesOnly or 0
}

// LibConnect registers a library connection.
func (c *CLM) LibConnect(conn service.Conn) {
	c.conn(conn)
}

// conn returns the client of a connection, registering it if needed.
func (c *CLM) conn(conn service.Conn) *client {
	cl, ok := c.clients[conn.ID()]
	if !ok {
		cl = &client{conn: conn}
		c.clients[conn.ID()] = cl
	}
	return cl
}

// LibDisconnect forgets a connection, which ends its tracking
// (saClmFinalize, or the process died).
func (c *CLM) LibDisconnect(conn service.Conn) {
	delete(c.clients, conn.ID())
}

// LibRequest answers one library request. Every request is answered from
// the local copy of the view, at once: CLM's calls read the replicated
// state and change nothing of it. A body that does not decode gets
// INVALID_PARAM and the connection stays up; an unknown function
// NOT_SUPPORTED.
func (c *CLM) LibRequest(conn service.Conn, reqID uint32, fn uint16, body []byte) {
	cl := c.conn(conn)
	var status ipc.Status
	var resp []byte
	var after func() // a callback that must follow the response
	switch fn {
	case clmapi.FnTrack:
		status, resp, after = c.track(cl, body)
	case clmapi.FnTrackStop:
		status = c.trackStop(cl, body)
	case clmapi.FnNodeGet:
		status, resp = c.nodeGet(cl, body)
	case clmapi.FnNodeGetAsync:
		status, after = c.nodeGetAsync(cl, body)
	default:
		status = ipc.StatusNotSupported
	}
	conn.Respond(reqID, fn, status, resp)
	if status == ipc.StatusOK && after != nil {
		after()
	}
}

// badRequest counts a request body that did not decode and logs it, the
// first and then at every power of two, so that a misbehaving client
// cannot flood the log.
func (c *CLM) badRequest(cl *client, err error) ipc.Status {
	c.stats.BadRequests++
	if k := c.stats.BadRequests; k&(k-1) == 0 {
		c.log.Warn("malformed library request", "conn", cl.conn.ID(), "pid", cl.conn.Cred().PID, "err", err, "count", k)
	}
	return ipc.StatusInvalidParam
}

// track is saClmClusterTrack: apply the flag rules, start or change
// tracking, and answer TrackCurrent in the response (with a buffer) or in
// a callback (without).
func (c *CLM) track(cl *client, body []byte) (ipc.Status, []byte, func()) {
	flags, wantBuffer, err := clmapi.DecodeTrackRequest(body)
	if err != nil {
		return c.badRequest(cl, err), nil, nil
	}
	if err := flags.Check(); err != nil {
		return ipc.StatusBadFlags, nil, nil
	}
	current := flags&clmapi.TrackCurrent != 0
	if current && !c.haveView {
		return ipc.StatusTryAgain, nil, nil
	}
	if flags.Tracking() {
		cl.flags = flags &^ clmapi.TrackCurrent
	}
	if !current {
		return ipc.StatusOK, nil, nil
	}
	buf := c.current()
	if wantBuffer {
		resp, err := clmapi.AppendBuffer(nil, buf)
		if err != nil {
			return c.encodeFailed(err), nil, nil
		}
		return ipc.StatusOK, resp, nil
	}
	cb, err := clmapi.AppendTrackCallback(nil, clmapi.TrackCallback{Status: ipc.StatusOK,
		NumberOfMembers: uint32(len(c.members)), Buffer: buf})
	if err != nil {
		return c.encodeFailed(err), nil, nil
	}
	return ipc.StatusOK, nil, func() { cl.conn.Callback(clmapi.CbTrack, cb) }
}

// current is the adopted view as a notification buffer, every member
// NO_CHANGE.
func (c *CLM) current() clmapi.ClusterNotificationBuffer {
	buf := clmapi.ClusterNotificationBuffer{ViewNumber: c.view}
	for _, id := range c.members {
		buf.Notification = append(buf.Notification, clmapi.ClusterNotification{
			ClusterNode: c.nodes[id].ClusterNode(true), ClusterChange: clmapi.NoChange})
	}
	return buf
}

// trackStop is saClmClusterTrackStop.
func (c *CLM) trackStop(cl *client, body []byte) ipc.Status {
	if err := clmapi.DecodeTrackStopRequest(body); err != nil {
		return c.badRequest(cl, err)
	}
	if !cl.flags.Tracking() {
		return ipc.StatusNotExist
	}
	cl.flags = 0
	return ipc.StatusOK
}

// lookup finds a member of the adopted view; id 0 is this node.
func (c *CLM) lookup(id clmapi.NodeID) (Node, ipc.Status) {
	if !c.haveView {
		return Node{}, ipc.StatusTryAgain
	}
	nid := service.NodeID(id)
	if id == clmapi.LocalNodeID {
		nid = c.env.NodeID()
	}
	n, ok := c.nodes[nid]
	if !ok {
		return Node{}, ipc.StatusNotExist
	}
	return n, ipc.StatusOK
}

// nodeGet is saClmClusterNodeGet: NOT_EXIST for a node outside the view.
func (c *CLM) nodeGet(cl *client, body []byte) (ipc.Status, []byte) {
	id, err := clmapi.DecodeNodeGetRequest(body)
	if err != nil {
		return c.badRequest(cl, err), nil
	}
	n, st := c.lookup(id)
	if st != ipc.StatusOK {
		return st, nil
	}
	resp, err := clmapi.AppendNode(nil, n.ClusterNode(true))
	if err != nil {
		return c.encodeFailed(err), nil
	}
	return ipc.StatusOK, resp
}

// nodeGetAsync is saClmClusterNodeGetAsync: the request is accepted, and
// the callback that follows carries the node, or INVALID_PARAM for a node
// outside the view as openais answered. Before the first view the request
// itself gets TRY_AGAIN.
func (c *CLM) nodeGetAsync(cl *client, body []byte) (ipc.Status, func()) {
	inv, id, err := clmapi.DecodeNodeGetAsyncRequest(body)
	if err != nil {
		return c.badRequest(cl, err), nil
	}
	n, st := c.lookup(id)
	switch st {
	case ipc.StatusTryAgain:
		return st, nil
	case ipc.StatusNotExist:
		st = ipc.StatusInvalidParam
	}
	cb, err := clmapi.AppendNodeGetCallback(nil, clmapi.NodeGetCallback{Invocation: inv, Status: st, Node: n.ClusterNode(true)})
	if err != nil {
		return c.encodeFailed(err), nil
	}
	return ipc.StatusOK, func() { cl.conn.Callback(clmapi.CbNodeGet, cb) }
}

// encodeFailed reports a record that cannot be encoded. Records are
// checked when they come in, so this is a bug.
func (c *CLM) encodeFailed(err error) ipc.Status {
	c.log.Error("cannot encode a reply", "err", fmt.Errorf("clm: %w", err))
	return ipc.StatusLibrary
}
