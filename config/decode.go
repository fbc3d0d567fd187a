package config

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// aliases maps option paths that have a second spelling to the canonical
// one. The man page and the code of openais, and later corosync, disagree
// on a few names; all of them are accepted.
var aliases = map[string]string{
	"totem.retransmits_before_loss":      "totem.token_retransmits_before_loss_const",
	"totem.fail_to_recv_const":           "totem.fail_recv_const",
	"totem.interface.linknumber":         "totem.interface.ringnumber",
	"logging.to_logfile":                 "logging.to_file",
	"logging.syslog_level":               "logging.syslog_priority",
	"logging.logger_subsys.to_logfile":   "logging.logger_subsys.to_file",
	"logging.logger_subsys.syslog_level": "logging.logger_subsys.syslog_priority",
	"logging.logger.ident":               "logging.logger.subsys",
}

// canonical resolves an alias to the canonical dotted path.
func canonical(path string) string {
	if c, ok := aliases[path]; ok {
		return c
	}
	return path
}

// key is the last component of the canonical path of e.
func (e *entry) canonicalKey() string {
	c := canonical(e.path)
	return c[strings.LastIndexByte(c, '.')+1:]
}

// maxErrors bounds the value errors collected before giving up.
const maxErrors = 20

// decoder turns the syntax tree into a Config, collecting warnings and
// errors. Value errors do not stop decoding, so one run reports every bad
// value; the cross-option checks run only on a file without them.
type decoder struct {
	file  string
	cfg   *Config
	warns []Warning
	errs  []error
}

func (d *decoder) warn(line int, format string, args ...any) {
	d.warns = append(d.warns, Warning{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// fail records an invalid value of entry e.
func (d *decoder) fail(e *entry, reason string) {
	if e.value == "" {
		reason = "empty value: " + reason
	}
	d.failAt(e.line, e.path, e.value, reason)
}

// failAt records a problem at a line.
func (d *decoder) failAt(line int, option, value, reason string) {
	if len(d.errs) < maxErrors {
		d.errs = append(d.errs, &Error{File: d.file, Line: line, Option: option, Value: value, Reason: reason})
	}
}

// failSetting records a problem with an option remembered in a settings map.
func (d *decoder) failSetting(s setting, reason string) {
	d.failAt(s.line, s.name, s.value, reason)
}

func (d *decoder) err() error {
	switch len(d.errs) {
	case 0:
		return nil
	case 1:
		return d.errs[0]
	}
	return errors.Join(d.errs...)
}

// record remembers that e was given, warning when it repeats an option.
func (d *decoder) record(set settings, e *entry) {
	c := canonical(e.path)
	if prev, ok := set[c]; ok {
		d.warn(e.line, "%s given again (first at line %d); the last value wins", e.path, prev.line)
	}
	set[c] = setting{name: e.path, value: e.value, line: e.line}
}

func (d *decoder) unknownOption(e *entry) {
	d.warn(e.line, "unknown option %s, ignored", e.path)
}

func (d *decoder) unknownSection(b *block) {
	d.warn(b.line, "unknown section %s, ignored", b.path)
}

func (d *decoder) ignored(e *entry, why string) {
	d.warn(e.line, "option %s ignored: %s", e.path, why)
}

// keysOnly walks a block that has no sub-blocks of its own, handing each
// option to apply (which reports whether it knows the key) and recording it.
func (d *decoder) keysOnly(b *block, set settings, apply func(key string, e *entry) bool) {
	for i := range b.entries {
		e := &b.entries[i]
		if e.sub != nil {
			d.unknownSection(e.sub)
			continue
		}
		d.option(set, e, apply)
	}
}

// option decodes one key of a block.
func (d *decoder) option(set settings, e *entry, apply func(key string, e *entry) bool) {
	if apply(e.canonicalKey(), e) {
		d.record(set, e)
	} else {
		d.unknownOption(e)
	}
}

// Value parsers. Each returns the zero value after recording an error.

const boolWant = "want yes/no, on/off, true/false or 1/0"

func (d *decoder) boolean(e *entry) bool {
	switch strings.ToLower(e.value) {
	case "yes", "on", "true", "1":
		return true
	case "no", "off", "false", "0":
		return false
	}
	d.fail(e, boolWant)
	return false
}

// integer parses a decimal integer in [lo, hi].
func (d *decoder) integer(e *entry, lo, hi int64) int64 {
	n, err := strconv.ParseInt(e.value, 10, 64)
	if err != nil || n < lo || n > hi {
		d.fail(e, fmt.Sprintf("want a whole number from %d to %d", lo, hi))
		return 0
	}
	return n
}

// count parses a non-negative int at least lo.
func (d *decoder) count(e *entry, lo int64) int {
	return int(d.integer(e, lo, 1<<31-1))
}

// maxMillis bounds durations to what corosync stores (a 32-bit ms count).
const maxMillis = 1<<31 - 1

// millis parses a whole number of milliseconds, at least lo.
func (d *decoder) millis(e *entry, lo int64) time.Duration {
	n, err := strconv.ParseInt(e.value, 10, 64)
	switch {
	case err != nil:
		d.fail(e, "want a whole number of milliseconds")
		return 0
	case n < lo || n > maxMillis:
		d.fail(e, fmt.Sprintf("want %d to %d milliseconds", lo, maxMillis))
		return 0
	}
	return time.Duration(n) * time.Millisecond
}

// choice accepts one of the given words, case-insensitively, and returns it
// in lower case.
func (d *decoder) choice(e *entry, choices ...string) string {
	v := strings.ToLower(e.value)
	for _, c := range choices {
		if v == c {
			return c
		}
	}
	d.fail(e, "want one of "+strings.Join(choices, ", "))
	return ""
}

// text accepts any non-empty string.
func (d *decoder) text(e *entry) string {
	if e.value == "" {
		d.fail(e, "want a value")
	}
	return e.value
}

// addr parses an IP address literal.
func (d *decoder) addr(e *entry) netip.Addr {
	a, err := netip.ParseAddr(e.value)
	if err != nil {
		d.fail(e, "want an IP address")
		return netip.Addr{}
	}
	return a
}

// host accepts an IP literal or something that can be a DNS host name.
func (d *decoder) host(e *entry) string {
	if _, err := netip.ParseAddr(e.value); err == nil {
		return e.value
	}
	if !validHostName(e.value) {
		d.fail(e, "want an IP address or a host name")
		return ""
	}
	return e.value
}

func validHostName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
		default:
			return false
		}
	}
	return true
}

// priorities are the log priority names corosync's logsys accepts.
var priorities = []string{"alert", "crit", "debug", "emerg", "err", "error", "info", "notice", "warning", "trace"}

func (d *decoder) priority(e *entry) string {
	p := d.choice(e, priorities...)
	if p == "error" {
		p = "err"
	}
	return p
}
