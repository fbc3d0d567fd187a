package logging

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
)

// SubsysKey is the attribute that names a record's subsystem.
const SubsysKey = "subsys"

// Subsys returns l with its subsystem set, as services do once at start:
// logging.Subsys(log, "TOTEM").
func Subsys(l *slog.Logger, name string) *slog.Logger {
	return l.With(SubsysKey, name)
}

// Handler is the slog.Handler described in the package comment. Handlers
// derived with WithAttrs and WithGroup share the destinations.
type Handler struct {
	out    *outputs
	subsys string // "" until a subsys attribute is attached
	attrs  string // preformatted " key=value" pairs from WithAttrs
	group  string // dotted group prefix for later attributes
}

// outputs is the state every derived handler shares.
type outputs struct {
	opts Options

	mu     sync.Mutex
	file   *os.File
	syslog syslogWriter
	// syslogOn is fixed at New so Enabled needs no lock.
	syslogOn bool
	buf      []byte
	lineBuf  []byte
}

// New opens the destinations of opts. A file that cannot be opened is an
// error; syslog that cannot be reached is not (the daemon must still run on
// hosts without a syslog daemon): the failure is reported on stderr.
func New(opts Options) (*Handler, error) {
	if opts.Tag == "" {
		opts.Tag = "aisexec"
	}
	o := &outputs{opts: opts}
	if opts.File != "" {
		f, err := openLogFile(opts.File)
		if err != nil {
			return nil, err
		}
		o.file = f
	}
	if opts.Syslog != "" {
		w, err := dialSyslog(opts.Syslog, opts.Tag)
		if err != nil {
			if _, ok := err.(*facilityError); ok {
				return nil, err
			}
			if opts.Stderr != nil {
				fmt.Fprintf(opts.Stderr, "warning [MAIN  ] syslog unavailable, not logging to it: %v\n", err)
			}
		} else {
			o.syslog = w
			o.syslogOn = true
		}
	}
	return &Handler{out: o}, nil
}

func openLogFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("logging: cannot open logfile: %w", err)
	}
	return f, nil
}

// Reopen closes and reopens the log file, for log rotation (SIGHUP).
func (h *Handler) Reopen() error {
	o := h.out
	if o.opts.File == "" {
		return nil
	}
	f, err := openLogFile(o.opts.File)
	if err != nil {
		return err
	}
	o.mu.Lock()
	old := o.file
	o.file = f
	o.mu.Unlock()
	if old != nil {
		old.Close()
	}
	return nil
}

// Close closes the file and syslog destinations.
func (h *Handler) Close() error {
	o := h.out
	o.mu.Lock()
	defer o.mu.Unlock()
	var err error
	if o.file != nil {
		err = o.file.Close()
		o.file = nil
	}
	if o.syslog != nil {
		o.syslog.Close()
		o.syslog = nil
	}
	return err
}

// least returns the lowest level any destination takes for subsys.
func (o *outputs) least(subsys string) slog.Level {
	debug, trace := o.opts.Debug, o.opts.Trace
	subLevel := LevelInfo
	if s, ok := o.opts.Subsys[subsys]; ok {
		debug = debug || s.Debug
		trace = trace || s.Trace
		subLevel = levelOr(s.Level, LevelInfo)
	}
	switch {
	case trace:
		return LevelTrace
	case debug:
		return LevelDebug
	}
	least := LevelCrit + 1
	for _, d := range []struct {
		on    bool
		level *slog.Level
	}{
		{o.opts.Stderr != nil, o.opts.StderrLevel},
		{o.opts.File != "", o.opts.FileLevel},
		{o.syslogOn, o.opts.SyslogLevel},
	} {
		if d.on {
			least = min(least, max(levelOr(d.level, LevelInfo), subLevel))
		}
	}
	return least
}

// debugging reports whether subsys has debug (or trace) forced on, which
// overrides the per-destination priorities.
func (o *outputs) debugging(subsys string, l slog.Level) bool {
	if l >= LevelInfo {
		return false
	}
	return o.least(subsys) <= l
}

func (h *Handler) subsysName() string {
	if h.subsys == "" {
		return "MAIN"
	}
	return h.subsys
}

// Enabled implements slog.Handler.
func (h *Handler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.out.least(h.subsysName())
}

// WithAttrs implements slog.Handler. A subsys attribute sets the subsystem.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	h2 := *h
	var b []byte
	for _, a := range attrs {
		if a.Key == SubsysKey && h.group == "" {
			h2.subsys = strings.ToUpper(a.Value.String())
			continue
		}
		b = appendAttr(b, h.group, a)
	}
	h2.attrs += string(b)
	return &h2
}

// WithGroup implements slog.Handler.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := *h
	h2.group += name + "."
	return &h2
}

// Handle implements slog.Handler.
func (h *Handler) Handle(_ context.Context, r slog.Record) error {
	o := h.out
	subsys := h.subsysName()
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == SubsysKey && h.group == "" {
			subsys = strings.ToUpper(a.Value.String())
		}
		return true
	})
	o.mu.Lock()
	defer o.mu.Unlock()
	forced := o.debugging(subsys, r.Level)
	subLevel := LevelInfo
	if s, ok := o.opts.Subsys[subsys]; ok {
		subLevel = levelOr(s.Level, LevelInfo)
	}
	pass := func(dest *slog.Level) bool {
		return forced || r.Level >= max(levelOr(dest, LevelInfo), subLevel)
	}
	body := h.appendBody(o.buf[:0], subsys, r)
	o.buf = body
	var err error
	if o.opts.Stderr != nil && pass(o.opts.StderrLevel) {
		_, err = o.opts.Stderr.Write(h.line(r, body))
	}
	if o.file != nil && pass(o.opts.FileLevel) {
		if _, ferr := o.file.Write(h.line(r, body)); ferr != nil && err == nil {
			err = ferr
		}
	}
	if o.syslog != nil && pass(o.opts.SyslogLevel) {
		o.syslog.write(r.Level, string(body))
	}
	return err
}
