package main

import (
	"fmt"
	"strings"

	"goais/internal/lab"
)

// engine is one engine on one transport.
type engine struct {
	name      string
	kind      lab.Kind
	transport lab.Transport
	// secure runs the ring with authentication and encryption: goais's
	// secauth, corosync knet's crypto_cipher aes256 / crypto_hash sha256.
	// Such engines are compared with their plaintext twin (the cost of
	// security), not counted in the goais / corosync ratio.
	secure bool
}

var engines = []engine{
	{"corosync udpu", lab.Corosync, lab.UDPU, false},
	{"corosync knet", lab.Corosync, lab.Knet, false},
	{"corosync knet crypto", lab.Corosync, lab.Knet, true},
	{"goais udpu", lab.Goais, lab.UDPU, false},
	{"goais udp", lab.Goais, lab.UDP, false},
	{"goais udpu secauth", lab.Goais, lab.UDPU, true},
}

// plainTwin is the plaintext engine a secure one is compared with.
func plainTwin(e engine, all []*result) *result {
	for _, r := range all {
		if !r.engine.secure && r.engine.kind == e.kind && r.engine.transport == e.transport {
			return r
		}
	}
	return nil
}

func engineNames() string {
	var n []string
	for _, e := range engines {
		n = append(n, strings.ReplaceAll(e.name, " ", "-"))
	}
	return strings.Join(n, ",")
}

// selectEngines parses -engines ("" = all).
func selectEngines(list string) ([]engine, error) {
	if list == "" {
		return engines, nil
	}
	var out []engine
	for _, name := range strings.Split(list, ",") {
		name = strings.ReplaceAll(strings.TrimSpace(name), "-", " ")
		found := false
		for _, e := range engines {
			if e.name == name {
				out = append(out, e)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown engine %q (want some of %s)", name, engineNames())
		}
	}
	return out, nil
}
