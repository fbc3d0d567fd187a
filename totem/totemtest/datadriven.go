package totemtest

import (
	"testing"

	"goais/internal/datadriven"
)

// TestData is one command of a datadriven script (see package
// internal/datadriven, which parses and rewrites the scripts); the
// methods in args.go read the arguments the handlers use.
type TestData struct {
	*datadriven.TestData
}

// Arg is one argument of a command line.
type Arg = datadriven.Arg

// Walk runs f as a subtest for every *.txt file of dir, in name order.
func Walk(t *testing.T, dir string, f func(t *testing.T, path string)) {
	datadriven.Walk(t, dir, f)
}

// RunTest runs every command of the script at path through f and compares
// f's output with the expected output. With -rewrite it writes the actual
// output back into the file instead.
func RunTest(t *testing.T, path string, f func(t *testing.T, d *TestData) string) {
	t.Helper()
	datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
		return f(t, &TestData{d})
	})
}
