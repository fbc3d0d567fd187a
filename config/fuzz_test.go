package config

import (
	"errors"
	"net/netip"
	"os"
	"reflect"
	"testing"
)

// FuzzParse checks that no input makes Parse (or the methods of what it
// returns) panic, that a failure is always a *Error, and that parsing is
// deterministic.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/openais.conf", "testdata/corosync.conf"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(builtin))
	f.Add([]byte(totemWith("token: 1000", "consensus: 1100")))
	f.Add([]byte("totem{\nversion:2\n}\n}\n"))
	f.Add([]byte("totem {\n\tinterface {\n"))
	f.Add([]byte("totem {\nversion: 2\ncluster_name: \"\xe9\"\ntransport: udp\ninterface {\nbindnetaddr: fd00::1\n}\nnodeid: 3\n}\n"))
	f.Add([]byte(nodelist("ipv6", []string{"ring0_addr: fd00::1", "nodeid: 1"}, []string{"ring0_addr: host.example", "ring1_addr: fd01::2"})))

	noDNS := func(string) ([]netip.Addr, error) { return nil, errors.New("no resolver in fuzzing") }
	local := []netip.Prefix{netip.MustParsePrefix("10.0.0.1/8"), netip.MustParsePrefix("fd00::1/64")}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, warns, err := Parse("fuzz.conf", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not a *Error: %v", err)
			}
			return
		}
		c2, warns2, err2 := Parse("fuzz.conf", data)
		if err2 != nil || !reflect.DeepEqual(c, c2) || !reflect.DeepEqual(warns, warns2) {
			t.Fatalf("second parse differs: %v", err2)
		}
		c.Resolver = noDNS
		_, _ = c.McastGroup()
		m, _ := c.Members(nil)
		if l, err := c.Local(local); err == nil {
			_ = c.TotemConfig(l, m)
		}
	})
}
