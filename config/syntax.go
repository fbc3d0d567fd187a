package config

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits on the input. openais truncated lines at 255 bytes; we refuse
// instead, at a size no sane file reaches, so a corrupt file is reported
// rather than half read.
const (
	maxLineLen  = 64 << 10
	maxFileSize = 16 << 20
	maxDepth    = 16
)

// block is one `name { ... }` section of the file; the file itself is the
// unnamed root block.
type block struct {
	name    string
	path    string // dotted path from the root, e.g. "totem.interface"
	line    int
	entries []entry
}

// entry is one line inside a block: either `key: value` or a nested block.
type entry struct {
	key   string
	value string
	path  string // dotted path of the key, e.g. "totem.token"
	line  int
	sub   *block // set for a nested block; key, value and path are unused
}

// parseTree splits the file into blocks and key/value pairs, keeping line
// numbers. It knows nothing about which names are meaningful.
func parseTree(file string, data []byte) (*block, error) {
	syntaxErr := func(line int, format string, args ...any) error {
		return &Error{File: file, Line: line, Reason: fmt.Sprintf(format, args...)}
	}
	if len(data) > maxFileSize {
		return nil, syntaxErr(0, "file is larger than %d bytes", maxFileSize)
	}
	root := &block{}
	stack := []*block{root}
	lineNo := 0
	for rest := data; len(rest) > 0; {
		raw := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			raw, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		lineNo++
		if len(raw) > maxLineLen {
			return nil, syntaxErr(lineNo, "line is longer than %d bytes", maxLineLen)
		}
		text := strings.TrimSpace(string(raw))
		// A brace line may end in a comment, as corosync allows; a value
		// may not, since '#' can be part of it.
		structure := text
		if i := strings.IndexByte(text, '#'); i > 0 {
			structure = strings.TrimSpace(text[:i])
		}
		parent := stack[len(stack)-1]
		switch {
		case text == "" || text[0] == '#':
			// corosync accepts indented comments; openais wanted column 1.
		case structure == "}":
			if len(stack) == 1 {
				return nil, syntaxErr(lineNo, "unexpected '}': no block is open")
			}
			stack = stack[:len(stack)-1]
		case strings.HasSuffix(structure, "{"):
			name := strings.TrimSpace(structure[:len(structure)-1])
			if !validName(name) {
				return nil, syntaxErr(lineNo, "invalid block name %q: want `name {`", name)
			}
			if len(stack) > maxDepth {
				return nil, syntaxErr(lineNo, "blocks nested more than %d deep", maxDepth)
			}
			b := &block{name: name, path: joinPath(parent.path, name), line: lineNo}
			parent.entries = append(parent.entries, entry{key: name, path: b.path, line: lineNo, sub: b})
			stack = append(stack, b)
		case strings.Contains(text, ":"):
			key, value, _ := strings.Cut(text, ":")
			key = strings.TrimSpace(key)
			if !validName(key) {
				return nil, syntaxErr(lineNo, "invalid option name %q: want `key: value`", key)
			}
			if len(stack) == 1 {
				return nil, syntaxErr(lineNo, "option %q outside any block", key)
			}
			parent.entries = append(parent.entries, entry{
				key:   key,
				value: unquote(strings.TrimSpace(value)),
				path:  joinPath(parent.path, key),
				line:  lineNo,
			})
		default:
			return nil, syntaxErr(lineNo, "cannot parse %q: want `key: value`, `name {`, `}` or a # comment", clip(text))
		}
	}
	if len(stack) > 1 {
		open := stack[len(stack)-1]
		return nil, syntaxErr(lineNo, "missing closing brace for '%s' opened at line %d", open.name, open.line)
	}
	return root, nil
}

// validName accepts the names corosync and openais use for keys and blocks:
// non-empty, without blanks, braces, colons or quotes.
func validName(s string) bool {
	return s != "" && !strings.ContainsAny(s, " \t\v\f\r{}:\"#")
}

// unquote removes one pair of surrounding double quotes, as corosync does.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

func joinPath(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// clip shortens text quoted in an error message.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
