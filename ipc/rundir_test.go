package ipc

import (
	"os"
	"testing"
)

func TestDefaultRunDir(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		uid  int
		want string
	}{
		{map[string]string{"AIS_RUN_DIR": "/srv/ais", "XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, "/srv/ais"},
		{map[string]string{"AIS_RUN_DIR": "/srv/ais"}, 0, "/srv/ais"},
		{map[string]string{"XDG_RUNTIME_DIR": "/run/user/0"}, 0, "/run/goais"},
		{map[string]string{"XDG_RUNTIME_DIR": "/run/user/1000"}, 1000, "/run/user/1000/goais"},
		{nil, 1000, "/tmp/goais-1000"},
	} {
		got := defaultRunDir(func(k string) string { return tc.env[k] }, tc.uid)
		if got != tc.want {
			t.Errorf("defaultRunDir(%v, uid %d) = %q, want %q", tc.env, tc.uid, got, tc.want)
		}
	}

	t.Setenv("AIS_RUN_DIR", "/somewhere/else")
	if got := DefaultRunDir(); got != "/somewhere/else" {
		t.Errorf("DefaultRunDir() with AIS_RUN_DIR set = %q", got)
	}
	os.Unsetenv("AIS_RUN_DIR")
	if os.Geteuid() == 0 {
		if got := DefaultRunDir(); got != "/run/goais" {
			t.Errorf("DefaultRunDir() as root = %q, want /run/goais", got)
		}
	}
	if got := SocketPath("/run/goais"); got != "/run/goais/aisexec.sock" {
		t.Errorf("SocketPath = %q", got)
	}
}
