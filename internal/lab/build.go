package lab

import (
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

//go:embed cpgpeer/cpgpeer.c
var cpgpeerSource []byte

// Packages are the Debian packages the corosync side of the lab needs.
var Packages = map[string]string{
	"corosync":   "/usr/sbin/corosync",
	"libcpg-dev": "/usr/include/corosync/cpg.h",
	"gcc":        "/usr/bin/gcc",
	"nftables":   "/usr/sbin/nft",
	"iproute2":   "/usr/sbin/ip",
	"util-linux": "/usr/bin/unshare",
}

// EnsurePackages installs the Debian packages the lab needs that are
// missing (as root, with apt-get).
func EnsurePackages() error {
	var missing []string
	for pkg, file := range Packages {
		if _, err := os.Stat(file); err != nil {
			missing = append(missing, pkg)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if os.Geteuid() != 0 {
		return fmt.Errorf("lab: missing %s and not root to install them", strings.Join(missing, " "))
	}
	if out, err := exec.Command("apt-get", "update", "-qq").CombinedOutput(); err != nil {
		return fmt.Errorf("lab: apt-get update: %v: %s", err, out)
	}
	cmd := exec.Command("apt-get", append([]string{"install", "-y", "-qq"}, missing...)...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lab: apt-get install %s: %v: %s", strings.Join(missing, " "), err, out)
	}
	return nil
}

// Build compiles the programs a lab runs into dir: aisexec, ais-cfgtool,
// ais-keygen and gocpgpeer from this module (with the go command, which
// must run inside the module), and cpgpeer from its C source against
// libcpg.
func Build(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, pkg := range map[string]string{
		"aisexec":     "goais/cmd/aisexec",
		"ais-cfgtool": "goais/cmd/ais-cfgtool",
		"ais-keygen":  "goais/cmd/ais-keygen",
		"gocpgpeer":   "goais/internal/lab/gocpgpeer",
	} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput()
		if err != nil {
			return fmt.Errorf("lab: go build %s: %v\n%s", pkg, err, out)
		}
	}
	src := filepath.Join(dir, "cpgpeer.c")
	if err := os.WriteFile(src, cpgpeerSource, 0o644); err != nil {
		return err
	}
	out, err := exec.Command("gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-o", filepath.Join(dir, "cpgpeer"), src, "-lcpg").CombinedOutput()
	if err != nil {
		if _, statErr := os.Stat(Packages["libcpg-dev"]); statErr != nil {
			err = errors.Join(err, errors.New("libcpg-dev is not installed"))
		}
		return fmt.Errorf("lab: gcc cpgpeer.c: %v\n%s", err, out)
	}
	return nil
}
