package interop

import (
	"os"
	"testing"

	"goais/internal/lab"
)

// bin holds the programs every test's lab runs, built once.
var bin string

func TestMain(m *testing.M) {
	os.Exit(lab.RunTests(m, "interop", "run corosync in network namespaces", &bin))
}
