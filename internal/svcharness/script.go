package svcharness

import (
	"encoding/binary"
	"strconv"
	"testing"

	"goais/internal/datadriven"
	"goais/service"
)

// Case is one command of a script, with the typed accessors of its
// arguments. A bad argument fails the test at the command's position.
type Case struct {
	*datadriven.TestData
	T *testing.T
}

// Run runs every testdata/*.txt script of the package as a subtest, each
// on a fresh bench: start builds it and returns the function that runs one
// command and returns its transcript.
func Run(t *testing.T, start func(t *testing.T) func(d *Case) string) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		run := start(t)
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return run(&Case{TestData: d, T: t})
		})
	})
}

// Failf fails the test at the command.
func (d *Case) Failf(format string, args ...any) {
	d.T.Helper()
	d.Fatalf(d.T, format, args...)
}

// Str returns the value of key=value (a list joined with commas), or def
// if the command does not have it.
func (d *Case) Str(key, def string) string {
	v, ok := d.Value(key)
	if !ok {
		return def
	}
	return v
}

// Num returns the number key=N (decimal, or with a 0x, 0o or 0b prefix),
// or def if the command does not have it.
func (d *Case) Num(key string, def uint64) uint64 {
	s := d.Str(key, "")
	if s == "" {
		return def
	}
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		d.Failf("bad %s=%q", key, s)
	}
	return v
}

// Need returns the number key=N, which the command must have.
func (d *Case) Need(key string) uint64 {
	if d.Str(key, "") == "" {
		d.Failf("needs %s=", key)
	}
	return d.Num(key, 0)
}

// IDs returns the node ids of key=a,b,…; nil if the command does not
// have it.
func (d *Case) IDs(key string) []service.NodeID {
	a, ok := d.Arg(key)
	if !ok {
		return nil
	}
	var out []service.NodeID
	for _, f := range a.Vals {
		v, err := strconv.ParseUint(f, 10, 32)
		if err != nil {
			d.Failf("bad node id %q", f)
		}
		out = append(out, service.NodeID(v))
	}
	return out
}

// Sized returns a message of len= bytes whose exec header, when it has
// room for one, names fn of service sid and claims size= bytes (its length
// by default): malformed on purpose when they differ.
func (d *Case) Sized(o binary.ByteOrder, sid service.ID, fn uint16) []byte {
	msg := make([]byte, d.Need("len"))
	if len(msg) >= service.HeaderSize {
		o.PutUint32(msg, uint32(sid)<<16|uint32(fn))
		o.PutUint32(msg[8:], uint32(d.Num("size", uint64(len(msg)))))
	}
	return msg
}
