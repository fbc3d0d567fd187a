package main

import (
	"path/filepath"
	"testing"

	"goais/config"
)

// The example configurations shipped in conf/ load without errors or
// warnings.
func TestShippedConfigs(t *testing.T) {
	files, err := filepath.Glob("../../conf/*.conf")
	if err != nil || len(files) == 0 {
		t.Fatalf("no example configurations found: %v", err)
	}
	for _, f := range files {
		_, warns, err := config.Load(f)
		if err != nil {
			t.Errorf("%v", err)
		}
		for _, w := range warns {
			t.Errorf("%s", w.String())
		}
	}
}
