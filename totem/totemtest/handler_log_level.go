package totemtest

import (
	"fmt"
	"log/slog"
)

// handleLogLevel is "log-level debug|info|warn|error|none": route the
// cores' logs at or above the level into the transcript (none, the
// default, turns them off).
func (env *InteractionEnv) handleLogLevel(d *TestData) error {
	pos := d.positional()
	if len(pos) != 1 {
		return fmt.Errorf("usage: log-level debug|info|warn|error|none")
	}
	switch pos[0] {
	case "none":
		env.logOn = false
		return nil
	case "debug":
		env.logLevel = slog.LevelDebug
	case "info":
		env.logLevel = slog.LevelInfo
	case "warn":
		env.logLevel = slog.LevelWarn
	case "error":
		env.logLevel = slog.LevelError
	default:
		return fmt.Errorf("unknown log level %q", pos[0])
	}
	env.logOn = true
	return nil
}
