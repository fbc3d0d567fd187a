package totem_test

import (
	"testing"

	"goais/totem/totemtest"
)

// TestInteraction runs the golden-transcript scripts of testdata/*.txt (see
// package totemtest for the commands). Regenerate the transcripts with
//
//	go test ./totem/ -run TestInteraction -rewrite
//
// and read the diff before committing it.
func TestInteraction(t *testing.T) {
	totemtest.Walk(t, "testdata", func(t *testing.T, path string) {
		env := totemtest.NewInteractionEnv()
		totemtest.RunTest(t, path, func(t *testing.T, d *totemtest.TestData) string {
			return env.Handle(t, d)
		})
	})
}
