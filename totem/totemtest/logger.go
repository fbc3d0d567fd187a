package totemtest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"goais/totem"
	"goais/totem/wire"
)

// logHandler routes the cores' slog output into the transcript, without
// time stamps, as "LEVEL <node> message key=value ...". The log-level
// command turns it on and sets the threshold.
type logHandler struct {
	env    *InteractionEnv
	attrs  []slog.Attr
	prefix string // group prefix for keys
}

func (h *logHandler) Enabled(_ context.Context, l slog.Level) bool {
	return h.env.logOn && l >= h.env.logLevel
}

func (h *logHandler) Handle(_ context.Context, r slog.Record) error {
	node := "?"
	var kv []string
	add := func(a slog.Attr) {
		if a.Key == "node" && node == "?" {
			node = a.Value.String()
			return
		}
		kv = append(kv, a.Key+"="+formatLogValue(a.Value))
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(func(a slog.Attr) bool {
		a.Key = h.prefix + a.Key
		add(a)
		return true
	})
	level := r.Level.String()
	if r.Level == totem.LevelNotice {
		level = "NOTICE"
	}
	line := fmt.Sprintf("%s %s: %s", level, node, r.Message)
	if len(kv) > 0 {
		line += " " + strings.Join(kv, " ")
	}
	h.env.printf("%s", line)
	return nil
}

func (h *logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append([]slog.Attr(nil), h.attrs...)
	for _, a := range attrs {
		a.Key = h.prefix + a.Key
		c.attrs = append(c.attrs, a)
	}
	return &c
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.prefix = h.prefix + name + "."
	return &c
}

func formatLogValue(v slog.Value) string {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		s := v.String()
		if s == "" || strings.ContainsAny(s, " =\"") {
			return strconv.Quote(s)
		}
		return s
	case slog.KindAny:
		if r, ok := v.Any().(wire.RingID); ok {
			return ring(r)
		}
		return fmt.Sprint(v.Any())
	}
	return v.String()
}
