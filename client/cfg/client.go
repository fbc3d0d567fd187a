package cfg

import (
	"context"
	"encoding/json"
	"fmt"

	"goais/ipc"
)

// Client is a connection to the local executive's cfg service.
type Client struct {
	c *ipc.Client
}

// Dial connects to the executive whose run directory is runDir ("" means
// ipc.DefaultRunDir(): AIS_RUN_DIR or the default).
func Dial(ctx context.Context, runDir string) (*Client, error) {
	if runDir == "" {
		runDir = ipc.DefaultRunDir()
	}
	c, err := ipc.Dial(ctx, ipc.SocketPath(runDir), Service)
	if err != nil {
		return nil, err
	}
	return &Client{c: c}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.c.Close() }

func (c *Client) call(ctx context.Context, fn uint16, req, resp any) error {
	var body []byte
	if req != nil {
		b, err := json.Marshal(req)
		if err != nil {
			return err
		}
		body = b
	}
	out, err := c.c.Call(ctx, fn, body)
	if err != nil {
		return err
	}
	if resp == nil {
		return nil
	}
	if err := json.Unmarshal(out, resp); err != nil {
		return fmt.Errorf("cfg: malformed reply to function %d: %w", fn, err)
	}
	return nil
}

// RingStatus returns the status of this node's rings.
func (c *Client) RingStatus(ctx context.Context) (RingStatus, error) {
	var r RingStatus
	return r, c.call(ctx, FnRingStatus, nil, &r)
}

// Members returns the membership as this node sees it.
func (c *Client) Members(ctx context.Context) (Members, error) {
	var m Members
	return m, c.call(ctx, FnMembers, nil, &m)
}

// RingReenable asks every node of the ring to re-enable the rings it
// marked faulty (openais_cfg_ring_reenable). It returns once the request
// is multicast; each node applies it when it is delivered.
func (c *Client) RingReenable(ctx context.Context) error {
	return c.call(ctx, FnRingReenable, nil, nil)
}

// Status returns a detailed status snapshot.
func (c *Client) Status(ctx context.Context) (Status, error) {
	var s Status
	return s, c.call(ctx, FnStatus, nil, &s)
}

// Shutdown asks the executive to leave the ring and exit. It returns once
// the executive has accepted the request.
func (c *Client) Shutdown(ctx context.Context) error {
	return c.call(ctx, FnShutdown, nil, nil)
}

// StartLoad asks the executive to multicast count numbered messages of
// size bytes.
func (c *Client) StartLoad(ctx context.Context, count, size int) error {
	return c.call(ctx, FnLoadStart, LoadStart{Count: count, Size: size}, nil)
}

// LoadReport returns what the load service sent and delivered.
func (c *Client) LoadReport(ctx context.Context) (LoadReport, error) {
	var r LoadReport
	return r, c.call(ctx, FnLoadReport, nil, &r)
}
