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
}

var engines = []engine{
	{"corosync udpu", lab.Corosync, lab.UDPU},
	{"corosync knet", lab.Corosync, lab.Knet},
	{"goais udpu", lab.Goais, lab.UDPU},
	{"goais udp", lab.Goais, lab.UDP},
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
