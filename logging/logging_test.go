package logging

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func newTest(t *testing.T, opts Options) (*slog.Logger, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	opts.Stderr = &buf
	h, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return slog.New(h), &buf
}

func TestLineFormat(t *testing.T) {
	log, buf := newTest(t, Options{})
	Subsys(log, "TOTEM").Log(t.Context(), LevelNotice, "A new membership (1.8) was formed. Members joined: 2 3")
	log.Warn("plain", "count", 3, "name", "two words")
	want := "notice  [TOTEM ] A new membership (1.8) was formed. Members joined: 2 3\n" +
		"warning [MAIN  ] plain count=3 name=\"two words\"\n"
	if got := buf.String(); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestTimestampAndFileLine(t *testing.T) {
	log, buf := newTest(t, Options{Timestamp: true, HiRes: true, FileLine: true})
	log.Info("hello")
	line := buf.String()
	// "Nov 22 06:56:03.123 info    [MAIN  ] logging_test.go:NN hello"
	if _, err := time.Parse("Jan 02 15:04:05.000", line[:19]); err != nil {
		t.Fatalf("no hires timestamp at the start of %q: %v", line, err)
	}
	if !strings.Contains(line, "info    [MAIN  ] logging_test.go:") || !strings.HasSuffix(line, " hello\n") {
		t.Fatalf("fileline missing in %q", line)
	}
}

func TestDebugFilters(t *testing.T) {
	info := LevelInfo
	cases := []struct {
		name string
		opts Options
		// which of (TOTEM debug, IPC debug, IPC trace, IPC info) appear
		want [4]bool
	}{
		{"default", Options{}, [4]bool{false, false, false, true}},
		{"global debug", Options{Debug: true}, [4]bool{true, true, false, true}},
		{"global trace", Options{Trace: true}, [4]bool{true, true, true, true}},
		{"subsys debug", Options{Subsys: map[string]SubsysOptions{"TOTEM": {Debug: true}}}, [4]bool{true, false, false, true}},
		{"subsys trace", Options{Subsys: map[string]SubsysOptions{"IPC": {Trace: true}}}, [4]bool{false, true, true, true}},
		{"subsys level above info", Options{Subsys: map[string]SubsysOptions{"IPC": {Level: ptr(LevelNotice)}}}, [4]bool{false, false, false, false}},
		{"stderr priority", Options{StderrLevel: ptr(LevelWarn), FileLevel: &info}, [4]bool{false, false, false, false}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log, buf := newTest(t, c.opts)
			Subsys(log, "TOTEM").Debug("totem-debug")
			ipc := Subsys(log, "IPC")
			ipc.Debug("ipc-debug")
			ipc.Log(t.Context(), LevelTrace, "ipc-trace")
			ipc.Info("ipc-info")
			for i, m := range []string{"totem-debug", "ipc-debug", "ipc-trace", "ipc-info"} {
				if got := strings.Contains(buf.String(), m); got != c.want[i] {
					t.Errorf("%s logged = %v, want %v; output:\n%s", m, got, c.want[i], buf.String())
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestFileReopen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "aisexec.log")
	h, err := New(Options{File: path})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	log := slog.New(h)
	log.Info("before rotation")
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := h.Reopen(); err != nil {
		t.Fatal(err)
	}
	log.Info("after rotation")
	old, _ := os.ReadFile(path + ".1")
	cur, _ := os.ReadFile(path)
	if !strings.Contains(string(old), "before rotation") || strings.Contains(string(old), "after rotation") {
		t.Errorf("rotated file holds %q", old)
	}
	if !strings.Contains(string(cur), "after rotation") {
		t.Errorf("new file holds %q", cur)
	}
}

func TestBadDestinations(t *testing.T) {
	if _, err := New(Options{File: filepath.Join(t.TempDir(), "missing", "x.log")}); err == nil {
		t.Error("a log file in a missing directory was accepted")
	}
	if _, err := New(Options{Syslog: "local9"}); err == nil || !strings.Contains(err.Error(), "local9") {
		t.Errorf("bad facility: err = %v", err)
	}
	if _, err := ParseLevel("loud"); err == nil {
		t.Error("ParseLevel accepted loud")
	}
}

func TestGroupsAndAttrs(t *testing.T) {
	log, buf := newTest(t, Options{})
	log.With("a", 1).WithGroup("g").With("b", 2).Info("m", "c", 3, slog.Group("h", "d", 4))
	if got, want := buf.String(), "info    [MAIN  ] m a=1 g.b=2 g.c=3 g.h.d=4\n"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}
