package config

import (
	"io"
	"os"
)

// Parse reads a configuration from data; name is the file name used in
// errors and warnings. On success the configuration is valid: every value
// is in range and the cross-option checks pass. Warnings (unknown options,
// ignored knet settings, defaults worth knowing) come back either way.
// An error is a *Error, or several joined with errors.Join.
func Parse(name string, data []byte) (*Config, []Warning, error) {
	tree, err := parseTree(name, data)
	if err != nil {
		return nil, nil, err
	}
	d := &decoder{file: name, cfg: newConfig(name)}
	var subsystems []*block
	for i := range tree.entries {
		b := tree.entries[i].sub // parseTree allows no keys at the top
		switch b.name {
		case "totem":
			d.totem(b)
		case "logging":
			d.logging(b, &subsystems)
		case "event":
			d.event(b)
		case "amf":
			d.amf(b)
		case "aisexec":
			d.aisexec(b)
		case "service":
			d.service(b)
		case "nodelist":
			d.nodelist(b)
		case "quorum":
			d.quorum(b)
		case "system":
			d.system(b)
		default:
			d.unknownSection(b)
		}
	}
	for _, b := range subsystems {
		d.subsystem(b)
	}
	if len(d.errs) == 0 {
		d.validate()
	}
	if err := d.err(); err != nil {
		return nil, d.warns, err
	}
	return d.cfg, d.warns, nil
}

// newConfig returns a Config holding the defaults of every section except
// totem, whose unset timers stay zero for the protocol core to default.
func newConfig(source string) *Config {
	return &Config{
		Source: source,
		Totem: Totem{
			RRPMode:          "none",
			VSFType:          "none",
			BlockUnlistedIPs: true,
		},
		Logging: Logging{LogSettings: LogSettings{
			ToStderr:        true,
			ToSyslog:        true,
			LogFilePriority: "info",
			SyslogPriority:  "info",
			SyslogFacility:  "daemon",
			Debug:           "off",
			Timestamp:       "off",
		}},
		Event:   Event{DeliveryQueueSize: 1000, DeliveryQueueResume: 500},
		AISExec: AISExec{User: "ais", Group: "ais", DefaultServices: true},
		System:  System{SchedRR: true},
		set:     settings{},
	}
}

// Load reads and parses the file at path.
func Load(path string) (*Config, []Warning, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	// Read one byte past the limit so parseTree sees an oversized file.
	data, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return nil, nil, err
	}
	return Parse(path, data)
}

// builtin is the configuration used when no file exists: a single node on
// loopback, speaking udpu, logging to stderr.
const builtin = `totem {
	version: 2
	cluster_name: goais
	transport: udpu
}
nodelist {
	node {
		ring0_addr: 127.0.0.1
		nodeid: 1
	}
}
logging {
	to_stderr: yes
	to_syslog: no
	timestamp: on
}
`

// DefaultSource is the Source of the built-in default configuration.
const DefaultSource = "built-in default"

// Default returns the built-in configuration: one node (nodeid 1,
// ring0_addr 127.0.0.1) in cluster "goais" on udpu, logging to stderr with
// timestamps.
func Default() *Config {
	c, _, err := Parse(DefaultSource, []byte(builtin))
	if err != nil {
		panic("config: built-in default does not parse: " + err.Error())
	}
	return c
}
