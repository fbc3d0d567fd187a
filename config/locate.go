package config

import "os"

// Well-known places, in the order Locate tries them.
const (
	OpenAISConfigPath  = "/etc/ais/openais.conf"
	CorosyncConfigPath = "/etc/corosync/corosync.conf"
	DefaultKeyfile     = "/etc/ais/authkey"
)

// Locate picks the configuration file: the -c flag, else
// $OPENAIS_MAIN_CONFIG_FILE, else $COROSYNC_MAIN_CONFIG_FILE, else the first
// of /etc/ais/openais.conf and /etc/corosync/corosync.conf that exists.
// When none applies it returns builtin = true: use Default(). A file named
// by the flag or a variable is returned even if it does not exist, so that
// Load reports it rather than the default silently taking its place.
// Nil getenv and exists mean os.Getenv and a stat of the path.
func Locate(flagPath string, getenv func(string) string, exists func(string) bool) (path string, builtin bool) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if exists == nil {
		exists = func(p string) bool { _, err := os.Stat(p); return err == nil }
	}
	if flagPath != "" {
		return flagPath, false
	}
	for _, v := range []string{"OPENAIS_MAIN_CONFIG_FILE", "COROSYNC_MAIN_CONFIG_FILE"} {
		if p := getenv(v); p != "" {
			return p, false
		}
	}
	for _, p := range []string{OpenAISConfigPath, CorosyncConfigPath} {
		if exists(p) {
			return p, false
		}
	}
	return "", true
}

// Keyfile returns the path of the shared key: $OPENAIS_TOTEM_AUTHKEY_FILE,
// else $COROSYNC_TOTEM_AUTHKEY_FILE, else totem.keyfile, else
// /etc/ais/authkey. An inline totem.key, if set, is for the caller to
// prefer. A nil getenv means os.Getenv.
func (c *Config) Keyfile(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, v := range []string{"OPENAIS_TOTEM_AUTHKEY_FILE", "COROSYNC_TOTEM_AUTHKEY_FILE"} {
		if p := getenv(v); p != "" {
			return p
		}
	}
	if c.Totem.Keyfile != "" {
		return c.Totem.Keyfile
	}
	return DefaultKeyfile
}
