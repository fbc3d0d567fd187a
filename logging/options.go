package logging

import (
	"io"
	"log/slog"
)

// Options selects destinations and filters. The zero value logs nothing.
type Options struct {
	// Stderr, if non-nil, receives lines (to_stderr). The executive passes
	// os.Stderr; tests pass a buffer.
	Stderr io.Writer
	// File is the log file path (to_file / to_logfile with logfile); ""
	// disables it. The file is opened for append and created 0600.
	File string
	// Syslog enables the syslog destination (to_syslog) with this facility
	// name: daemon, local0 … local7. "" disables it.
	Syslog string
	// Tag is the syslog tag; default "aisexec".
	Tag string

	// Timestamp prefixes every line with the local time (timestamp: on);
	// HiRes adds milliseconds (timestamp: hires).
	Timestamp, HiRes bool
	// FileLine prints the source file:line of the call (fileline: on).
	FileLine bool

	// Debug enables debug records of every subsystem (debug: on); Trace
	// also enables trace records (debug: trace).
	Debug, Trace bool
	// StderrLevel and FileLevel (logfile_priority) and SyslogLevel
	// (syslog_priority) are the least priority each destination takes
	// when debugging is off for the record's subsystem. Default info.
	StderrLevel, FileLevel, SyslogLevel *slog.Level
	// Subsys holds per-subsystem settings (logger_subsys), by name as the
	// subsystem logs itself (TOTEM, MAIN, IPC, …), upper case.
	Subsys map[string]SubsysOptions
}

// SubsysOptions are one logger_subsys block.
type SubsysOptions struct {
	// Debug enables debug records of this subsystem (debug: on), or also
	// trace records (debug: trace).
	Debug, Trace bool
	// Level, if non-nil, is the least priority logged for this subsystem
	// when Debug is off (syslog_level).
	Level *slog.Level
}

func levelOr(l *slog.Level, def slog.Level) slog.Level {
	if l == nil {
		return def
	}
	return *l
}
