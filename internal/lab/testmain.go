package lab

import (
	"fmt"
	"os"
	"testing"
)

// RunTests is the body of a lab test package's TestMain: it insists on
// root (namespaces need it; why says what else does), installs the
// packages the lab needs, builds the programs once into a temporary
// directory whose path it stores in *bin, runs the tests and removes the
// directory. It returns the exit status.
func RunTests(m *testing.M, pkg, why string, bin *string) int {
	if os.Geteuid() != 0 {
		fmt.Fprintf(os.Stderr, "%s: these tests %s and need root (CI runs them as root)\n", pkg, why)
		return 1
	}
	if err := EnsurePackages(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "goais-"+pkg+"-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*bin = dir
	return m.Run()
}
