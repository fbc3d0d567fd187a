package cpg

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// A tiny datadriven runner. A script is a list of cases:
//
//	# comments and blank lines between cases are kept
//	command key=value key=v1,v2 word
//	----
//	expected output, ended by a blank line or the end of the file
//
// With -rewrite the actual output replaces the expected one.

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt with the actual output")

type ddCase struct {
	pos  string // file:line of the command
	cmd  string
	args []ddArg
	want string

	head string // the text from the end of the previous case through "----"
}

type ddArg struct {
	key, val string // val is "" for a bare word
}

// has reports whether the bare word or key appears.
func (d *ddCase) has(key string) bool {
	return slices.ContainsFunc(d.args, func(a ddArg) bool { return a.key == key })
}

// arg returns the value of key, or def if it is absent.
func (d *ddCase) arg(key, def string) string {
	for _, a := range d.args {
		if a.key == key {
			return a.val
		}
	}
	return def
}

func parseScript(path, content string) (cases []ddCase, trailer string, err error) {
	lines := strings.SplitAfter(content, "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	var head strings.Builder
	for i := 0; i < len(lines); {
		line := strings.TrimSpace(lines[i])
		if line == "" || strings.HasPrefix(line, "#") {
			head.WriteString(lines[i])
			i++
			continue
		}
		d := ddCase{pos: fmt.Sprintf("%s:%d", path, i+1)}
		fields := strings.Fields(line)
		d.cmd = fields[0]
		for _, f := range fields[1:] {
			k, v, _ := strings.Cut(f, "=")
			d.args = append(d.args, ddArg{k, v})
		}
		head.WriteString(lines[i])
		i++
		if i == len(lines) || strings.TrimSpace(lines[i]) != "----" {
			return nil, "", fmt.Errorf("%s: want ---- after %q", d.pos, line)
		}
		head.WriteString(lines[i])
		i++
		var want strings.Builder
		for ; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == "" {
				i++
				break
			}
			want.WriteString(strings.TrimRight(lines[i], "\n") + "\n")
		}
		d.want = want.String()
		d.head = head.String()
		head.Reset()
		cases = append(cases, d)
	}
	return cases, head.String(), nil
}

// runScript runs every case of the script at path through f.
func runScript(t *testing.T, path string, f func(d *ddCase) string) {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cases, trailer, err := parseScript(path, string(content))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for i := range cases {
		d := &cases[i]
		got := strings.TrimRight(f(d), "\n")
		if strings.Contains(got, "\n\n") {
			t.Fatalf("%s: output of %s holds a blank line", d.pos, d.cmd)
		}
		if got != "" {
			got += "\n"
		}
		if *rewrite {
			out.WriteString(d.head)
			out.WriteString(got)
			if i < len(cases)-1 || trailer != "" {
				out.WriteString("\n")
			}
			continue
		}
		if got != d.want {
			t.Fatalf("%s: %s: output differs (run with -rewrite and read the diff)\nwant:\n%sgot:\n%s", d.pos, d.cmd, d.want, got)
		}
	}
	if *rewrite {
		out.WriteString(trailer)
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// walkScripts runs f for every testdata/*.txt as a subtest.
func walkScripts(t *testing.T, f func(t *testing.T, path string)) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no scripts in testdata")
	}
	slices.Sort(paths)
	for _, p := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(p), ".txt"), func(t *testing.T) { f(t, p) })
	}
}
