package logging

import (
	"fmt"
	"log/slog"
	"strings"
)

// Levels beyond slog's four, spaced so that corosync's priorities keep their
// order: trace < debug < info < notice < warning < error < crit.
const (
	LevelTrace  = slog.Level(-8)
	LevelDebug  = slog.LevelDebug
	LevelInfo   = slog.LevelInfo
	LevelNotice = slog.Level(2)
	LevelWarn   = slog.LevelWarn
	LevelError  = slog.LevelError
	LevelCrit   = slog.Level(12)
)

// LevelName returns the corosync priority word for l, padded to 7 columns.
func LevelName(l slog.Level) string {
	switch {
	case l < LevelDebug:
		return "trace  "
	case l < LevelInfo:
		return "debug  "
	case l < LevelNotice:
		return "info   "
	case l < LevelWarn:
		return "notice "
	case l < LevelError:
		return "warning"
	case l < LevelCrit:
		return "error  "
	}
	return "crit   "
}

// ParseLevel reads a syslog priority name as the logging section spells it
// (syslog_level, syslog_priority, logfile_priority).
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trace":
		return LevelTrace, nil
	case "debug":
		return LevelDebug, nil
	case "info":
		return LevelInfo, nil
	case "notice":
		return LevelNotice, nil
	case "warning", "warn":
		return LevelWarn, nil
	case "err", "error":
		return LevelError, nil
	case "crit", "alert", "emerg":
		return LevelCrit, nil
	}
	return 0, fmt.Errorf("unknown priority %q (want one of emerg, alert, crit, err, warning, notice, info, debug, trace)", s)
}
