package logging

import (
	"fmt"
	"log/slog"
	"log/syslog"
)

// syslogWriter sends one record to syslog at the matching priority.
type syslogWriter interface {
	write(l slog.Level, msg string)
	Close() error
}

type facilityError struct{ name string }

func (e *facilityError) Error() string {
	return fmt.Sprintf("logging: unknown syslog_facility %q (want daemon or local0 … local7)", e.name)
}

// ParseFacility checks a syslog_facility name.
func ParseFacility(name string) error {
	_, err := facility(name)
	return err
}

func facility(name string) (syslog.Priority, error) {
	switch name {
	case "daemon":
		return syslog.LOG_DAEMON, nil
	case "local0":
		return syslog.LOG_LOCAL0, nil
	case "local1":
		return syslog.LOG_LOCAL1, nil
	case "local2":
		return syslog.LOG_LOCAL2, nil
	case "local3":
		return syslog.LOG_LOCAL3, nil
	case "local4":
		return syslog.LOG_LOCAL4, nil
	case "local5":
		return syslog.LOG_LOCAL5, nil
	case "local6":
		return syslog.LOG_LOCAL6, nil
	case "local7":
		return syslog.LOG_LOCAL7, nil
	}
	return 0, &facilityError{name}
}

type realSyslog struct{ w *syslog.Writer }

func dialSyslog(fac, tag string) (syslogWriter, error) {
	p, err := facility(fac)
	if err != nil {
		return nil, err
	}
	w, err := syslog.New(p|syslog.LOG_INFO, tag)
	if err != nil {
		return nil, err
	}
	return realSyslog{w}, nil
}

func (s realSyslog) write(l slog.Level, msg string) {
	switch {
	case l < LevelInfo:
		s.w.Debug(msg)
	case l < LevelNotice:
		s.w.Info(msg)
	case l < LevelWarn:
		s.w.Notice(msg)
	case l < LevelError:
		s.w.Warning(msg)
	case l < LevelCrit:
		s.w.Err(msg)
	default:
		s.w.Crit(msg)
	}
}

func (s realSyslog) Close() error { return s.w.Close() }
