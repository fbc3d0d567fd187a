package config

import (
	"strings"
)

// logging decodes a logging { } block. Subsystem blocks are decoded after
// the whole file, because they inherit section options that may come after
// them.
func (d *decoder) logging(b *block, subsystems *[]*block) {
	l := &d.cfg.Logging
	if l.Line == 0 {
		l.Line = b.line
	}
	for i := range b.entries {
		e := &b.entries[i]
		if e.sub == nil {
			d.option(d.cfg.set, e, func(key string, e *entry) bool { return d.logKey(&l.LogSettings, key, e) })
			continue
		}
		switch e.sub.name {
		case "logger_subsys", "logger":
			*subsystems = append(*subsystems, e.sub)
		default:
			d.unknownSection(e.sub)
		}
	}
}

// logKey decodes the options shared by the logging section and its
// subsystem blocks.
func (d *decoder) logKey(ls *LogSettings, key string, e *entry) bool {
	switch key {
	case "to_stderr":
		ls.ToStderr = d.boolean(e)
	case "to_file":
		ls.ToFile = d.boolean(e)
	case "to_syslog":
		ls.ToSyslog = d.boolean(e)
	case "logfile":
		ls.LogFile = d.text(e)
	case "logfile_priority":
		ls.LogFilePriority = d.priority(e)
	case "syslog_priority":
		ls.SyslogPriority = d.priority(e)
	case "syslog_facility":
		ls.SyslogFacility = d.choice(e, "daemon", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7")
	case "debug":
		switch v := strings.ToLower(e.value); v {
		case "trace":
			ls.Debug = v
		default:
			ls.Debug = "off"
			if d.boolean(e) {
				ls.Debug = "on"
			}
		}
	case "timestamp":
		switch v := strings.ToLower(e.value); v {
		case "hires":
			ls.Timestamp = v
		default:
			ls.Timestamp = "off"
			if d.boolean(e) {
				ls.Timestamp = "on"
			}
		}
	case "fileline":
		ls.FileLine = d.boolean(e)
	case "function_name":
		ls.FunctionName = d.boolean(e)
	case "blackbox":
		d.boolean(e)
		d.ignored(e, "goais has no flight recorder")
	default:
		return false
	}
	return true
}

// subsystem decodes a logger_subsys { } or 0.80 logger { } block on top of
// the section's final settings.
func (d *decoder) subsystem(b *block) {
	legacy := b.name == "logger"
	s := LoggerSubsys{Line: b.line, Legacy: legacy, LogSettings: d.cfg.Logging.LogSettings}
	set := settings{}
	d.keysOnly(b, set, func(key string, e *entry) bool {
		switch key {
		case "subsys":
			s.Subsys = d.text(e)
		case "tags":
			s.Tags = d.tags(e, legacy)
		case "ident", "syslog_priority", "to_file", "to_stderr", "to_syslog", "logfile",
			"logfile_priority", "syslog_facility", "timestamp", "fileline", "function_name":
			if legacy {
				return false // 0.80's logger knew only ident, debug and tags
			}
			return d.logKey(&s.LogSettings, key, e)
		default:
			return d.logKey(&s.LogSettings, key, e)
		}
		return true
	})
	if s.Subsys == "" {
		if _, given := set[b.path+".subsys"]; !given {
			name := "subsys"
			if legacy {
				name = "ident"
			}
			d.failAt(b.line, b.path+"."+name, "", "missing: every "+b.name+" block names its subsystem")
		}
	}
	if s.ToFile && s.LogFile == "" {
		if st, ok := set[b.path+".to_file"]; ok {
			d.failSetting(st, "no logfile is given")
		}
	}
	d.cfg.Logging.Subsystems = append(d.cfg.Logging.Subsystems, s)
}

// tags parses "enter|leave|trace1|...".
func (d *decoder) tags(e *entry, legacy bool) []string {
	var tags []string
	for _, t := range strings.Split(e.value, "|") {
		t = strings.ToLower(strings.TrimSpace(t))
		switch {
		case t == "enter", t == "leave",
			len(t) == 6 && strings.HasPrefix(t, "trace") && t[5] >= '1' && t[5] <= '8',
			legacy && t == "return":
			tags = append(tags, t)
		default:
			want := "want tags enter, leave, trace1..trace8 joined with |"
			if legacy {
				want = "want tags enter, leave, return, trace1..trace8 joined with |"
			}
			d.fail(e, want)
			return nil
		}
	}
	return tags
}
