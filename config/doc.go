// Package config reads the executive's configuration file: the brace
// dialect of openais.conf(5) and corosync.conf(5),
//
//	totem {
//		version: 2
//		interface {
//			ringnumber: 0
//			bindnetaddr: 192.168.5.0
//		}
//	}
//
// into a typed, validated [Config].
//
// Every option of openais.conf(5) is accepted, and so are the corosync 3.x
// additions a goais node needs to join a corosync ring (cluster_name,
// transport, ip_version, nodelist, quorum, system). Unknown options and
// sections are not errors: [Parse] returns a [Warning] naming the file and
// line, as corosync logs and ignores them. Invalid values, and options that
// contradict each other, are a [*Error] that names the file, line, dotted
// option path and value, for example
//
//	corosync.conf:7: totem.token: invalid value "abc": want a whole number of milliseconds
//
// Values are stored typed; the totem timers stay zero when the file does not
// set them, so [Config.TotemConfig] leaves them to totem.Config.WithDefaults
// (corosync 3.1.7's defaults). Other sections carry their documented
// defaults after parsing. [Config.IsSet] and [Config.Line] tell whether, and
// where, an option was given.
//
// Where the file comes from is [Locate]'s business (the -c flag, then the
// OPENAIS_/COROSYNC_MAIN_CONFIG_FILE variables, then /etc/ais/openais.conf and
// /etc/corosync/corosync.conf, else the built-in [Default]). Which node this
// host is, and who the other members are, is answered by [Config.Local] and
// [Config.Members] once the host's addresses are known.
package config
