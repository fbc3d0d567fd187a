// Package logging is the executive's log/slog handler: corosync-style lines
// ("notice  [TOTEM ] A new membership (1.8) was formed. Members joined: 2 3")
// written to any of stderr, a log file and syslog, with the filters of the
// logging { } section of openais.conf(5): a global debug switch, per-
// subsystem debug and levels (logger_subsys), a priority per destination,
// optional timestamps and file:line.
//
// A subsystem is a logger attribute named "subsys" (see [Subsys]); records
// without one are logged as MAIN. Levels extend slog's with [LevelTrace],
// [LevelNotice] and [LevelCrit] so that corosync's priorities map one to
// one. The handler is safe for concurrent use; writes are synchronous so a
// crash loses nothing that was logged. [Handler.Reopen] reopens the log file
// (SIGHUP, after logrotate moved it).
package logging
