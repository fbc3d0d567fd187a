package cpg

import (
	"testing"

	"goais/internal/datadriven"
)

// The transcripts use internal/datadriven's script format:
//
//	# comments and blank lines between cases are kept
//	command key=value key=v1,v2 word
//	----
//	expected output, ended by a blank line or the end of the file
//
// With -rewrite the actual output replaces the expected one.

// ddCase is one command of a script, with the accessors the harness uses.
type ddCase struct {
	*datadriven.TestData
	pos, cmd string
}

// has reports whether the bare word or key appears.
func (d *ddCase) has(key string) bool { return d.Has(key) }

// arg returns the value of key, or def if it is absent.
func (d *ddCase) arg(key, def string) string {
	if !d.Has(key) {
		return def
	}
	v, _ := d.Value(key)
	return v
}

// runScript runs every case of the script at path through f.
func runScript(t *testing.T, path string, f func(d *ddCase) string) {
	t.Helper()
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		return f(&ddCase{TestData: d, pos: d.Pos, cmd: d.Cmd})
	})
}

// walkScripts runs f for every testdata/*.txt as a subtest.
func walkScripts(t *testing.T, f func(t *testing.T, path string)) {
	datadriven.Walk(t, "testdata", f)
}
