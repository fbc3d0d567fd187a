package service_test

import (
	"testing"

	"goais/internal/datadriven"
)

// TestInteraction runs the golden-transcript scripts of testdata/*.txt:
// engines with fake services over a fake totally ordered bus (see
// harness_test.go for the commands). Regenerate the transcripts with
//
//	go test ./service/ -run TestInteraction -rewrite
//
// and read the diff before committing it.
func TestInteraction(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		h := newHarness(t)
		datadriven.RunTest(t, path, h.handle)
	})
}
