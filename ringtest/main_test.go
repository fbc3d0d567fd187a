package ringtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"goais/internal/lab"
)

// bin holds the programs every test's lab runs, built once.
var bin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "ringtest: these tests use network namespaces, nftables and raw sockets and need root (CI runs them as root)")
		return 1
	}
	if err := lab.EnsurePackages(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "goais-ringtest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := lab.Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	bin = dir
	return m.Run()
}

// keygen makes an authkey with ais-keygen, as an operator would.
func keygen(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	out, err := exec.Command(filepath.Join(bin, "ais-keygen"), "-k", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ais-keygen -k %s: %v\n%s", path, err, out)
	}
	return path
}

func goais(id uint32, host int) lab.Node { return lab.Node{ID: id, Host: host, Kind: lab.Goais} }
