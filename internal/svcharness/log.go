package svcharness

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"goais/service"
)

// Logger returns the logger of node id's instance: its records at or
// above the bench's LogLevel become lines of the node's transcript,
// "log LEVEL message key=value …", a tab in the message as four spaces.
func (c *Cluster[S]) Logger(id service.NodeID) *slog.Logger {
	return slog.New(logHandler[S]{c, id})
}

// parseLevel reads a "log" command's level=; empty is the Config's.
func (c *Cluster[S]) parseLevel(s string) (slog.Level, error) {
	switch {
	case s == "":
		return c.cfg.LogLevel, nil
	case c.cfg.ParseLevel != nil:
		return c.cfg.ParseLevel(s)
	}
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

type logHandler[S service.Service] struct {
	c  *Cluster[S]
	id service.NodeID
}

func (h logHandler[S]) Enabled(_ context.Context, l slog.Level) bool { return l >= h.c.LogLevel }

func (h logHandler[S]) Handle(_ context.Context, r slog.Record) error {
	level := r.Level.String()
	if h.c.cfg.LevelName != nil {
		level = h.c.cfg.LevelName(r.Level)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "log %s %s", level, strings.ReplaceAll(r.Message, "\t", "    "))
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	h.c.Say(h.id, "%s", b.String())
	return nil
}

// WithAttrs and WithGroup keep the handler as it is: the services log
// flat records.
func (h logHandler[S]) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h logHandler[S]) WithGroup(string) slog.Handler      { return h }
