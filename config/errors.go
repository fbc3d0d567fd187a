package config

import "fmt"

// Error is a configuration problem: a syntax error, an invalid value, or
// options that contradict each other. It names the place in the file so an
// operator can go straight to it.
type Error struct {
	// File is the configuration file's name as given to Parse or Load.
	File string
	// Line is the 1-based line of the offending option, or 0 when the
	// problem is something missing from the whole file.
	Line int
	// Option is the dotted option path as written, e.g. "totem.token" or
	// "totem.interface.mcastport"; empty for syntax errors.
	Option string
	// Value is the offending value as written; empty when the problem is
	// not one value.
	Value string
	// Reason says what is wrong or what was expected.
	Reason string
}

// Error formats as "FILE:LINE: OPTION: invalid value "VALUE": REASON",
// leaving out the parts that are empty.
func (e *Error) Error() string {
	s := e.File
	if e.Line > 0 {
		s += fmt.Sprintf(":%d", e.Line)
	}
	s += ": "
	if e.Option != "" {
		s += e.Option + ": "
	}
	if e.Value != "" {
		s += fmt.Sprintf("invalid value %q: ", e.Value)
	}
	return s + e.Reason
}

// Warning is something in the file that is accepted but ignored or
// questionable, such as an unknown option.
type Warning struct {
	File string
	Line int
	Msg  string
}

// String formats as "FILE:LINE: MSG".
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.File, w.Line, w.Msg)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Msg)
}
