package ipc

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCredentials runs a client as another user: refused with
// SA_AIS_ERR_ACCESS unless its gid is AllowedGID.
func TestCredentials(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatalf("this test starts clients as uid 65534 and needs root; run the tests as root (euid is %d)", os.Geteuid())
	}
	const (
		nobody     = 65534
		allowedGID = 54321
	)
	// The helper must be able to reach the socket and run the test
	// binary, so open up the test's private directories and copy the
	// binary into one.
	dir := t.TempDir()
	for _, d := range []string{dir, filepath.Dir(dir)} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	helper := filepath.Join(dir, "ipc-helper.test")
	copyExecutable(t, helper)

	h := newHarness(t, ServerConfig{Path: SocketPath(dir), AllowedGID: allowedGID}, echo)
	// File permissions are the first gate (0770, group allowedGID); open
	// it so the credential check, the second gate, is what decides.
	if err := os.Chmod(h.path, 0o777); err != nil {
		t.Fatal(err)
	}

	run := func(gid uint32) (pid int, out string) {
		cmd := exec.Command(helper)
		cmd.Env = append(os.Environ(), helperEnv+"=dial", helperSocketEnv+"="+h.path)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: gid}}
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper as uid %d gid %d: %v\n%s", nobody, gid, err, b)
		}
		return cmd.Process.Pid, strings.TrimSpace(string(b))
	}

	pid, out := run(nobody)
	if !strings.HasPrefix(out, "REFUSED") || !strings.Contains(out, "SA_AIS_ERR_ACCESS") {
		t.Errorf("helper as uid %d gid %d: %q, want a refusal with SA_AIS_ERR_ACCESS", nobody, nobody, out)
	}
	wantLog(t, h.logs, fmt.Sprintf("client pid %d uid %d gid %d is not allowed to connect", pid, nobody, nobody))

	_, out = run(allowedGID)
	if out != "OK re:from the helper" {
		t.Errorf("helper as uid %d gid %d: %q, want a served Call", nobody, allowedGID, out)
	}
}

func copyExecutable(t *testing.T, dst string) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
