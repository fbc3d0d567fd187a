package wire

import (
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// The seed corpora under testdata/fuzz/ come from this test. Normally it
// checks that every committed seed-* file holds exactly what the generator
// produces, so the corpora cannot drift from the examples; with -gencorpus
// it rewrites them:
//
//	go test -run=TestSeedCorpus ./totem/wire/ -args -gencorpus
//
// Inputs saved by the fuzzer (hash-named files) are left alone.
var genCorpus = flag.Bool("gencorpus", false, "rewrite the seed-* files of the fuzz corpora under testdata/fuzz")

type seed struct {
	name string
	b    []byte
}

// seedsFor returns the seeds for messages of type typ: valid ones in both
// byte orders, with trailing bytes, and malformed ones.
func seedsFor(t testing.TB, typ MessageType) []seed {
	var ss []seed
	add := func(name string, b []byte) { ss = append(ss, seed{name, b}) }
	for _, rc := range refCases() {
		if rc.msg.MessageType() == typ {
			add("ref-le", unhex(t, rc.hex))
			add("ref-be", encodeSeq(binary.BigEndian, rc.msg))
		}
	}
	for i, m := range samples() {
		if m.MessageType() != typ || encodedSize(m) > 2000 {
			continue // the maximal lists are too big to be useful seeds
		}
		add(fmt.Sprintf("sample%d-le", i), appendAny(nil, m))
		add(fmt.Sprintf("sample%d-be", i), encodeSeq(binary.BigEndian, m))
		add(fmt.Sprintf("sample%d-trailing", i), append(appendAny(nil, m), 0xde, 0xad))
		add(fmt.Sprintf("sample%d-truncated", i), appendAny(nil, m)[:encodedSize(m)-1])
	}
	v := minimal()[typ]
	add("minimal", v)
	add("bad-magic", with(v, 0, 0x70, 0x70))
	add("bad-version", with(v, 2, 2))
	add("bad-type", with(v, 3, 6))
	add("wrong-type", minimal()[(typ+1)%6])
	add("header-only", v[:HeaderSize])
	add("short-header", v[:5])
	switch typ {
	case TypeORFToken:
		add("too-many", with(v, 53, u32le(RetransmitEntriesMax+1)...))
		add("count-exceeds-bytes", with(v, 53, u32le(2)...))
	case TypeJoin:
		add("too-many-proc", with(v, 17, u32le(ProcessorsMax+1)...))
		add("too-many-failed", with(v, 21, u32le(0xFFFFFFFF)...))
		add("count-exceeds-bytes", append(with(v, 17, u32le(2)...), 1, 0, 0, 0))
	case TypeCommitToken:
		add("too-many", with(v, 37, u32le(ProcessorsMax+1)...))
		add("count-exceeds-bytes", append(with(v, 37, u32le(1)...), 1, 0, 0, 0))
	}
	return ss
}

func TestSeedCorpus(t *testing.T) {
	targets := map[string]MessageType{
		"FuzzToken":           TypeORFToken,
		"FuzzMcast":           TypeMcast,
		"FuzzMergeDetect":     TypeMergeDetect,
		"FuzzJoin":            TypeJoin,
		"FuzzCommitToken":     TypeCommitToken,
		"FuzzTokenHoldCancel": TypeTokenHoldCancel,
	}
	for target, typ := range targets {
		for _, s := range seedsFor(t, typ) {
			writeSeed(t, target, s)
			s.name = typ.String() + "-" + s.name
			writeSeed(t, "FuzzDecode", s)
		}
	}
	writeSeed(t, "FuzzDecode", seed{"empty", nil})
}

// writeSeed writes one seed file with -gencorpus, and otherwise checks
// that the committed file matches.
func writeSeed(t *testing.T, target string, s seed) {
	dir := filepath.Join("testdata", "fuzz", target)
	path := filepath.Join(dir, "seed-"+s.name)
	// The go fuzzing corpus file format: a version line, then one Go
	// literal per fuzz argument.
	data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.b)
	if !*genCorpus {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("seed corpus file missing (rewrite with -gencorpus): %v", err)
		} else if string(got) != data {
			t.Errorf("%s differs from the generated seed (rewrite with -gencorpus)", path)
		}
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
