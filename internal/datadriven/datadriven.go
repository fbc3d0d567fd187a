package datadriven

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// rewrite is the -rewrite flag. Another package of the same test binary
// may already define it; then that one is used.
var rewrite = func() flag.Value {
	if f := flag.Lookup("rewrite"); f != nil {
		return f.Value
	}
	flag.Bool("rewrite", false, "rewrite the expected output of the datadriven test files with the actual output")
	return flag.Lookup("rewrite").Value
}()

func rewriting() bool {
	g, ok := rewrite.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

// TestData is one command of a script.
type TestData struct {
	Pos      string // file:line of the command, for error messages
	Cmd      string
	Args     []Arg
	Input    string // lines between the command and "----"
	Expected string

	header string // the text from the end of the previous case up to "----"
}

// Arg is one argument of a command line: a bare word (Key only, Vals nil)
// or key=value, where a value may be a comma-separated list.
type Arg struct {
	Key  string
	Vals []string
}

// Arg returns the argument named key.
func (d *TestData) Arg(key string) (Arg, bool) {
	for _, a := range d.Args {
		if a.Key == key {
			return a, true
		}
	}
	return Arg{}, false
}

// Has reports whether a bare word or key is present.
func (d *TestData) Has(key string) bool {
	_, ok := d.Arg(key)
	return ok
}

// Value returns the value of key=value, a list joined back with commas.
func (d *TestData) Value(key string) (string, bool) {
	a, ok := d.Arg(key)
	if !ok || a.Vals == nil {
		return "", false
	}
	return strings.Join(a.Vals, ","), true
}

// Fatalf fails the test with the command's position.
func (d *TestData) Fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	t.Fatalf("%s: %s: %s", d.Pos, d.Cmd, fmt.Sprintf(format, args...))
}

// Walk runs f as a subtest for every *.txt file of dir, in name order.
func Walk(t *testing.T, dir string, f func(t *testing.T, path string)) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	if len(paths) == 0 {
		t.Fatalf("no test files in %s", dir)
	}
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txt"), func(t *testing.T) { f(t, p) })
	}
}

// RunTest runs every command of the script at path through f and compares
// f's output with the expected output. With -rewrite it writes the actual
// output back into the file instead.
func RunTest(t *testing.T, path string, f func(t *testing.T, d *TestData) string) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases, trailer, err := ParseScript(path, string(content))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for i := range cases {
		d := &cases[i]
		actual := strings.TrimRight(f(t, d), "\n")
		if strings.Contains(actual, "\n\n") {
			t.Fatalf("%s: %s: output holds a blank line, which would end it early", d.Pos, d.Cmd)
		}
		if actual != "" {
			actual += "\n"
		}
		if rewriting() {
			out.WriteString(d.header)
			out.WriteString(actual)
			if i < len(cases)-1 || trailer != "" {
				out.WriteString("\n")
			}
			continue
		}
		if actual != d.Expected {
			t.Fatalf("%s: %s: output differs (run with -rewrite and read the diff)\n%s\nfound:\n%s",
				d.Pos, d.Cmd, firstDifference(d.Expected, actual), actual)
		}
	}
	if rewriting() {
		out.WriteString(trailer)
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// ParseScript splits a script into its cases; path only labels positions.
// Blank lines and # lines between cases are kept in the next case's header
// (or the trailer) so that a rewrite reproduces them.
func ParseScript(path, content string) (cases []TestData, trailer string, err error) {
	lines := strings.SplitAfter(content, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var header strings.Builder
	for i := 0; i < len(lines); {
		line := strings.TrimRight(lines[i], "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			header.WriteString(lines[i])
			i++
			continue
		}
		d := TestData{Pos: fmt.Sprintf("%s:%d", path, i+1)}
		if d.Cmd, d.Args, err = parseCommand(trimmed); err != nil {
			return nil, "", fmt.Errorf("%s: %v", d.Pos, err)
		}
		header.WriteString(lines[i])
		i++
		var input []string
		for ; i < len(lines) && strings.TrimRight(lines[i], "\n") != "----"; i++ {
			input = append(input, strings.TrimRight(lines[i], "\n"))
			header.WriteString(lines[i])
		}
		if i == len(lines) {
			return nil, "", fmt.Errorf("%s: missing ---- after %q", d.Pos, d.Cmd)
		}
		header.WriteString(lines[i])
		i++
		d.Input = strings.Join(input, "\n")
		var expected strings.Builder
		for ; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "" {
				i++ // the blank line ends the output
				break
			}
			expected.WriteString(strings.TrimRight(lines[i], "\n") + "\n")
		}
		d.Expected = expected.String()
		d.header = header.String()
		header.Reset()
		cases = append(cases, d)
	}
	return cases, header.String(), nil
}

// parseCommand splits `cmd a b=1 c=(2,3) d="x y"` into the command and its
// arguments.
func parseCommand(line string) (string, []Arg, error) {
	fields, err := splitFields(line)
	if err != nil {
		return "", nil, err
	}
	if len(fields) == 0 || fields[0] == "" {
		return "", nil, fmt.Errorf("no command in %q", line)
	}
	var args []Arg
	for _, f := range fields[1:] {
		key, val, ok := strings.Cut(f, "=")
		a := Arg{Key: key}
		if ok {
			if strings.HasPrefix(val, "(") && strings.HasSuffix(val, ")") {
				val = val[1 : len(val)-1]
			}
			a.Vals = []string{}
			for v := range strings.SplitSeq(val, ",") {
				if v = strings.TrimSpace(v); v != "" {
					a.Vals = append(a.Vals, v)
				}
			}
		}
		args = append(args, a)
	}
	return fields[0], args, nil
}

// splitFields splits on spaces, keeping double-quoted and parenthesised
// stretches together (the quotes are removed).
func splitFields(line string) ([]string, error) {
	var fields []string
	var cur strings.Builder
	inQuote, depth, quoted := false, 0, false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
			quoted = true
		case inQuote:
			cur.WriteRune(r)
		case r == '(':
			depth++
			cur.WriteRune(r)
		case r == ')':
			depth--
			if depth < 0 {
				return nil, fmt.Errorf("unbalanced parentheses in %q", line)
			}
			cur.WriteRune(r)
		case (r == ' ' || r == '\t') && depth == 0:
			if cur.Len() > 0 || quoted {
				fields = append(fields, cur.String())
				cur.Reset()
				quoted = false
			}
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote || depth != 0 {
		return nil, fmt.Errorf("unbalanced quotes or parentheses in %q", line)
	}
	if cur.Len() > 0 || quoted {
		fields = append(fields, cur.String())
	}
	return fields, nil
}

// firstDifference describes the first line where two outputs differ.
func firstDifference(expected, actual string) string {
	e, a := strings.Split(expected, "\n"), strings.Split(actual, "\n")
	for i := 0; ; i++ {
		var el, al string
		if i < len(e) {
			el = e[i]
		}
		if i < len(a) {
			al = a[i]
		}
		if el != al || i >= len(e) || i >= len(a) {
			return fmt.Sprintf("first difference at output line %d:\n- %s\n+ %s", i+1, el, al)
		}
	}
}
