package evs

import (
	"errors"
	"slices"

	api "goais/client/evs"
	"goais/ipc"
	"goais/service"
)

// LibConnect registers a library connection (evs_initialize). It gets
// configuration change callbacks from now on.
func (e *EVS) LibConnect(c service.Conn) { e.client(c) }

// LibDisconnect forgets a connection and its groups (evs_finalize, or the
// client died). Groups are local state, so no message goes out.
func (e *EVS) LibDisconnect(c service.Conn) {
	if i, ok := e.find(c.ID()); ok {
		e.clients = slices.Delete(e.clients, i, i+1)
	}
}

// LibRequest answers one request. Joins, leaves and membership_get are
// answered from local state; a multicast is answered once it is queued for
// the ring (its delivery comes later, as a callback). A body that does not
// decode gets INVALID_PARAM and the connection stays.
func (e *EVS) LibRequest(c service.Conn, reqID uint32, fn uint16, body []byte) {
	cl := e.client(c)
	var (
		status = ipc.StatusOK
		resp   []byte
	)
	switch fn {
	case api.FnJoin:
		status = e.join(cl, body)
	case api.FnLeave:
		status = e.leave(cl, body)
	case api.FnMcastJoined:
		g, msg, err := api.DecodeMcastJoined(body)
		switch {
		case err != nil:
			status = e.badRequest(c, err)
		case len(cl.groups) == 0:
			status = ipc.StatusNotExist
		default:
			status = e.mcast(g, cl.groups, msg)
		}
	case api.FnMcastGroups:
		g, groups, msg, err := api.DecodeMcastGroups(body)
		switch {
		case err != nil:
			status = e.badRequest(c, err)
		case len(groups) == 0:
			status = ipc.StatusInvalidParam
		case len(groups) > api.MaxGroups:
			status = api.StatusTooManyGroups
		default:
			status = e.mcast(g, groups, msg)
		}
	case api.FnMembershipGet:
		if len(body) != 0 {
			status = e.badRequest(c, &api.DecodeError{Body: "membership_get", Field: "body", Detail: "must be empty"})
			break
		}
		resp = api.AppendMembership(nil, e.env.NodeID(), e.members)
	default:
		status = ipc.StatusNotSupported
	}
	c.Respond(reqID, fn, status, resp)
}

func (e *EVS) badRequest(c service.Conn, err error) ipc.Status {
	e.log.Debug("malformed request", "conn", c.ID(), "pid", c.Cred().PID, "err", err)
	return ipc.StatusInvalidParam
}

// join adds groups (evs_join). openais refused more than 50 in one call;
// we also bound the total. A group joined already stays joined once.
func (e *EVS) join(cl *client, body []byte) ipc.Status {
	groups, err := api.DecodeGroups("join", body)
	if err != nil {
		return e.badRequest(cl.conn, err)
	}
	if len(groups) > api.MaxGroupsPerCall {
		return api.StatusTooManyGroups
	}
	var add []api.Group
	for _, g := range groups {
		if _, ok := cl.set[g]; !ok && !slices.Contains(add, g) {
			add = append(add, g)
		}
	}
	if len(cl.groups)+len(add) > api.MaxGroups {
		return api.StatusTooManyGroups
	}
	for _, g := range add {
		cl.groups = append(cl.groups, g)
		cl.set[g] = struct{}{}
	}
	return ipc.StatusOK
}

// leave removes groups (evs_leave). Unlike openais, which had removed the
// groups before the first unknown one when it failed, it removes none
// unless all are joined.
func (e *EVS) leave(cl *client, body []byte) ipc.Status {
	groups, err := api.DecodeGroups("leave", body)
	if err != nil {
		return e.badRequest(cl.conn, err)
	}
	for _, g := range groups {
		if _, ok := cl.set[g]; !ok {
			return ipc.StatusNotExist
		}
	}
	for _, g := range groups {
		delete(cl.set, g)
	}
	cl.groups = slices.DeleteFunc(cl.groups, func(g api.Group) bool {
		_, ok := cl.set[g]
		return !ok
	})
	return ipc.StatusOK
}

// mcast multicasts one MCAST, or says why not.
func (e *EVS) mcast(g api.Guarantee, groups []api.Group, msg []byte) ipc.Status {
	if len(msg) > api.MaxMessage(len(groups)) {
		return ipc.StatusTooBig
	}
	if e.syncing {
		return ipc.StatusTryAgain
	}
	err := e.env.Mcast(FnMcast, Mcast{Guarantee: g, Groups: groups, Msg: msg}.Body())
	switch {
	case err == nil:
		e.stats.Sent++
		return ipc.StatusOK
	case errors.Is(err, service.ErrTryAgain):
		return ipc.StatusTryAgain
	}
	e.log.Error("cannot multicast", "err", err)
	return ipc.StatusLibrary
}

// client returns the state of connection c, registering it if new.
func (e *EVS) client(c service.Conn) *client {
	i, ok := e.find(c.ID())
	if ok {
		return e.clients[i]
	}
	cl := &client{conn: c, set: make(map[api.Group]struct{})}
	e.clients = slices.Insert(e.clients, i, cl)
	return cl
}

// find returns the index of connection id in clients, or where it would go.
func (e *EVS) find(id uint64) (int, bool) {
	return slices.BinarySearchFunc(e.clients, id, func(cl *client, id uint64) int {
		switch {
		case cl.conn.ID() < id:
			return -1
		case cl.conn.ID() > id:
			return 1
		}
		return 0
	})
}
