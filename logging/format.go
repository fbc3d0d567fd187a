package logging

import (
	"log/slog"
	"path/filepath"
	"runtime"
	"strconv"
	"time"
)

// appendBody formats "[SUBSYS] [file:line ]message key=value…", the part of
// a line every destination shares.
func (h *Handler) appendBody(b []byte, subsys string, r slog.Record) []byte {
	b = append(b, '[')
	b = append(b, subsys...)
	for i := len(subsys); i < 6; i++ {
		b = append(b, ' ')
	}
	b = append(b, "] "...)
	if h.out.opts.FileLine && r.PC != 0 {
		fs := runtime.CallersFrames([]uintptr{r.PC})
		f, _ := fs.Next()
		b = append(b, filepath.Base(f.File)...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(f.Line), 10)
		b = append(b, ' ')
	}
	b = append(b, r.Message...)
	b = append(b, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == SubsysKey && h.group == "" {
			return true
		}
		b = appendAttr(b, h.group, a)
		return true
	})
	return b
}

// line prefixes body with the timestamp and priority and ends it with a
// newline. It returns a slice of a buffer reused across calls (the caller
// holds the outputs lock).
func (h *Handler) line(r slog.Record, body []byte) []byte {
	o := h.out
	b := o.lineBuf[:0]
	if o.opts.Timestamp {
		t := r.Time
		if t.IsZero() {
			t = time.Now()
		}
		if o.opts.HiRes {
			b = t.AppendFormat(b, "Jan 02 15:04:05.000 ")
		} else {
			b = t.AppendFormat(b, time.Stamp+" ")
		}
	}
	b = append(b, LevelName(r.Level)...)
	b = append(b, ' ')
	b = append(b, body...)
	b = append(b, '\n')
	o.lineBuf = b
	return b
}

// appendAttr formats one attribute as " key=value", quoting values that
// contain spaces, and flattening groups with dotted keys.
func appendAttr(b []byte, prefix string, a slog.Attr) []byte {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return b
	}
	if a.Value.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range a.Value.Group() {
			b = appendAttr(b, p, g)
		}
		return b
	}
	b = append(b, ' ')
	b = append(b, prefix...)
	b = append(b, a.Key...)
	b = append(b, '=')
	s := a.Value.String()
	if needsQuote(s) {
		b = strconv.AppendQuote(b, s)
	} else {
		b = append(b, s...)
	}
	return b
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, c := range s {
		if c <= ' ' || c == '"' || c == '=' || c > '~' {
			return true
		}
	}
	return false
}
