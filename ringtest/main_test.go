package ringtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"goais/internal/lab"
)

// bin holds the programs every test's lab runs, built once.
var bin string

func TestMain(m *testing.M) {
	os.Exit(lab.RunTests(m, "ringtest", "use network namespaces, nftables and raw sockets", &bin))
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
