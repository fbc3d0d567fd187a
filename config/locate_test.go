package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func existing(paths ...string) func(string) bool {
	return func(p string) bool {
		for _, q := range paths {
			if p == q {
				return true
			}
		}
		return false
	}
}

func TestLocate(t *testing.T) {
	both := existing(OpenAISConfigPath, CorosyncConfigPath)
	allEnv := env(map[string]string{"OPENAIS_MAIN_CONFIG_FILE": "/o.conf", "COROSYNC_MAIN_CONFIG_FILE": "/c.conf"})
	for _, tc := range []struct {
		name    string
		flag    string
		getenv  func(string) string
		exists  func(string) bool
		path    string
		builtin bool
	}{
		{"flag wins", "/flag.conf", allEnv, both, "/flag.conf", false},
		{"flag kept even if missing", "/missing.conf", env(nil), existing(), "/missing.conf", false},
		{"openais env", "", allEnv, both, "/o.conf", false},
		{"corosync env", "", env(map[string]string{"COROSYNC_MAIN_CONFIG_FILE": "/c.conf"}), both, "/c.conf", false},
		{"env kept even if missing", "", env(map[string]string{"OPENAIS_MAIN_CONFIG_FILE": "/nope"}), existing(), "/nope", false},
		{"openais file", "", env(nil), both, OpenAISConfigPath, false},
		{"corosync file", "", env(nil), existing(CorosyncConfigPath), CorosyncConfigPath, false},
		{"built-in", "", env(nil), existing(), "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, builtin := Locate(tc.flag, tc.getenv, tc.exists)
			if path != tc.path || builtin != tc.builtin {
				t.Errorf("Locate = %q, %v; want %q, %v", path, builtin, tc.path, tc.builtin)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "absent.conf")
	_, _, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) || !os.IsNotExist(err) {
		t.Errorf("Load(missing) = %v", err)
	}
}

func TestLoadTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.conf")
	data := []byte(strings.Repeat("# padding padding padding padding padding padding\n", maxFileSize/50+1))
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load(big) = %v", err)
	}
}

func TestKeyfile(t *testing.T) {
	c, _ := mustParse(t, totemWith("keyfile: /etc/corosync/authkey"))
	check(t, "openais env", c.Keyfile(env(map[string]string{"OPENAIS_TOTEM_AUTHKEY_FILE": "/a", "COROSYNC_TOTEM_AUTHKEY_FILE": "/b"})), "/a")
	check(t, "corosync env", c.Keyfile(env(map[string]string{"COROSYNC_TOTEM_AUTHKEY_FILE": "/b"})), "/b")
	check(t, "totem.keyfile", c.Keyfile(env(nil)), "/etc/corosync/authkey")
	c, _ = mustParse(t, totemWith())
	check(t, "default", c.Keyfile(env(nil)), "/etc/ais/authkey")
}
