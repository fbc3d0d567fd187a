package config

import (
	"net/netip"
	"time"
)

// Config is a parsed and validated configuration file.
type Config struct {
	// Source is the file the configuration came from, or "built-in default".
	Source string

	Totem    Totem
	Logging  Logging
	Event    Event
	AMF      AMF
	AISExec  AISExec
	Services []Service
	Nodes    []Node // the nodelist, in file order; empty in openais style
	Quorum   Quorum
	System   System

	// NodelistLine is the line of the first nodelist block (0 if none).
	NodelistLine int

	// Resolver turns nodelist host names into addresses for Local and
	// Members. Nil means the system resolver.
	Resolver Resolver

	// set records every option given in a section that occurs once, by
	// canonical dotted path (aliases resolved), for IsSet, Line and the
	// cross-option checks.
	set settings
}

// setting is one option as written in the file.
type setting struct {
	name  string // dotted path as written (an alias stays an alias)
	value string
	line  int
}

// settings maps canonical dotted paths to what the file said.
type settings map[string]setting

// IsSet reports whether the file gives option, a dotted path such as
// "totem.token" or "logging.to_file"; aliases are accepted
// ("totem.fail_to_recv_const" is "totem.fail_recv_const"). Options of
// repeatable blocks (interface, node, logger_subsys, service) are not
// tracked here.
func (c *Config) IsSet(option string) bool {
	_, ok := c.set[canonical(option)]
	return ok
}

// Line returns the line that sets option (see IsSet), or 0.
func (c *Config) Line(option string) int {
	return c.set[canonical(option)].line
}

// Totem is the totem { } section. Durations and counts are zero when the
// file leaves them unset, so the protocol core's defaults apply.
type Totem struct {
	Line int // line of the first totem block

	Version          int    // version; always 2 after validation
	NodeID           uint32 // nodeid; 0 = derive from the ring 0 address
	ClearNodeHighBit bool   // clear_node_high_bit: clear bit 31 of derived node ids
	SecAuth          bool   // secauth; false when unset (see IsSet)
	CryptoCipher     string // crypto_cipher: none, aes256, aes192, aes128, 3des; "" = unset
	CryptoHash       string // crypto_hash: none, md5, sha1, sha256, sha384, sha512; "" = unset
	CryptoModel      string // crypto_model: nss, openssl; "" = unset
	Threads          int    // threads: encrypt/send threads, 0..16
	RRPMode          string // rrp_mode: none (default), active, passive
	NetMTU           int    // netmtu: 576..65536; 0 = default
	VSFType          string // vsftype: none (default, as openais' code) or ykd

	Token                         time.Duration // token
	TokenCoefficient              time.Duration // token_coefficient (may be explicitly 0; see IsSet)
	TokenRetransmit               time.Duration // token_retransmit
	Hold                          time.Duration // hold
	RetransmitsBeforeLoss         int           // token_retransmits_before_loss_const, alias retransmits_before_loss
	Join                          time.Duration // join
	SendJoin                      time.Duration // send_join
	Consensus                     time.Duration // consensus
	Merge                         time.Duration // merge
	Downcheck                     time.Duration // downcheck
	FailToRecvConst               int           // fail_recv_const, alias fail_to_recv_const
	SeqnoUnchangedConst           int           // seqno_unchanged_const
	HeartbeatFailuresAllowed      int           // heartbeat_failures_allowed
	MaxNetworkDelay               time.Duration // max_network_delay
	WindowSize                    int           // window_size
	MaxMessages                   int           // max_messages
	MissCountConst                int           // miss_count_const
	RRPProblemCountTimeout        time.Duration // rrp_problem_count_timeout
	RRPProblemCountThreshold      int           // rrp_problem_count_threshold, at least 5
	RRPProblemCountMcastThreshold int           // rrp_problem_count_mcast_threshold
	RRPTokenExpiredTimeout        time.Duration // rrp_token_expired_timeout
	RRPAutorecoveryCheckTimeout   time.Duration // rrp_autorecovery_check_timeout

	Keyfile     string // keyfile: path of the shared key
	Key         string // key: the shared key inline
	ClusterName string // cluster_name; also seeds the derived multicast address
	// ConfigVersion is totem.config_version: nodes of one cluster compare
	// it in sync (cmap), and a node older than the cluster leaves.
	// IsSet("totem.config_version") tells 0 from unset.
	ConfigVersion uint64

	// Transport is udpu or udp. When the file does not say: udpu with a
	// nodelist (with a warning, as corosync 3 would pick knet), udp
	// without one (openais style).
	Transport string
	// IPVersion is ipv4, ipv6, ipv4-6 or ipv6-4 (try one family, then the
	// other, when resolving names). Default ipv6-4 for udpu, ipv4 for udp.
	IPVersion string
	// BlockUnlistedIPs (block_unlisted_ips, default yes): udpu drops
	// datagrams from addresses not in the nodelist.
	BlockUnlistedIPs bool

	// Interfaces are the interface { } blocks sorted by ring number, so
	// Interfaces[0], if present, is ring 0.
	Interfaces []Interface
}

// Interface is one totem { interface { } } block.
type Interface struct {
	Line        int
	RingNumber  int        // ringnumber (corosync: linknumber), 0 or 1
	BindNetAddr netip.Addr // bindnetaddr; IPv4 host bits may be set, they are masked when matching
	McastAddr   netip.Addr // mcastaddr; invalid when unset (derived from cluster_name)
	McastPort   uint16     // mcastport; default 5405 + 2·ringnumber
	TTL         int        // ttl, 0..255, default 1
	Broadcast   bool       // broadcast: send to 255.255.255.255 instead of a group

	set settings
}

// LogSettings are the logging options that can be given for the whole
// executive and again per subsystem.
type LogSettings struct {
	ToStderr        bool   // to_stderr, default yes
	ToFile          bool   // to_file (corosync: to_logfile), default no
	ToSyslog        bool   // to_syslog, default yes
	LogFile         string // logfile; required when ToFile
	LogFilePriority string // logfile_priority, default info
	SyslogPriority  string // syslog_priority (openais logger_subsys: syslog_level), default info
	SyslogFacility  string // syslog_facility: daemon (default), local0..local7
	Debug           string // debug: off (default), on, trace
	Timestamp       string // timestamp: off (default), on, hires
	FileLine        bool   // fileline
	FunctionName    bool   // function_name
}

// Logging is the logging { } section.
type Logging struct {
	Line int
	LogSettings
	// Subsystems are the logger_subsys { } blocks, and openais 0.80's
	// logger { } blocks, in file order. Each carries its effective
	// settings: the section's, overridden by the block's own.
	Subsystems []LoggerSubsys
}

// LoggerSubsys is one logger_subsys { } (or 0.80 logger { }) block.
type LoggerSubsys struct {
	Line   int
	Subsys string // subsys (0.80: ident), e.g. "AMF", "TOTEM"
	Legacy bool   // the block was an openais 0.80 logger { }
	// Tags are the trace tags: enter, leave, trace1..trace8, and for a
	// legacy block also return.
	Tags []string
	LogSettings
}

// For returns the effective log settings of subsystem subsys: its
// logger_subsys block's if there is one, else the section's.
func (l *Logging) For(subsys string) LogSettings {
	for _, s := range l.Subsystems {
		if s.Subsys == subsys {
			return s.LogSettings
		}
	}
	return l.LogSettings
}

// Event is the event { } section (EVT service).
type Event struct {
	DeliveryQueueSize   int // delivery_queue_size, default 1000
	DeliveryQueueResume int // delivery_queue_resume, default 500; below DeliveryQueueSize
}

// AMF is the amf { } section.
type AMF struct {
	Enabled bool // mode: enabled / disabled (default)
}

// AISExec is the aisexec { } section.
type AISExec struct {
	User            string // user, default "ais"
	Group           string // group allowed to connect over IPC, default "ais"
	DefaultServices bool   // defaultservices, default yes
}

// Service is one top-level service { } block: an extra service to load.
type Service struct {
	Line int
	Name string
	Ver  int
}

// Node is one nodelist { node { } } entry. Addresses are kept as written:
// an IP literal or a host name, resolved by Local and Members.
type Node struct {
	Line        int
	Ring0Addr   string
	Ring1Addr   string
	Name        string
	NodeID      uint32 // 0 = derive from the ring 0 IPv4 address
	QuorumVotes int    // quorum_votes; 0 = unset

	set settings
}

// Quorum is the quorum { } section (votequorum). Booleans are false and
// numbers zero when unset; IsSet tells them apart.
type Quorum struct {
	Line                  int
	Provider              string        // provider, e.g. corosync_votequorum
	ExpectedVotes         int           // expected_votes
	Votes                 int           // votes
	TwoNode               bool          // two_node
	WaitForAll            bool          // wait_for_all
	LastManStanding       bool          // last_man_standing
	LastManStandingWindow time.Duration // last_man_standing_window
	AutoTieBreaker        bool          // auto_tie_breaker
	AutoTieBreakerNode    string        // auto_tie_breaker_node: lowest, highest or node ids
	AllowDownscale        bool          // allow_downscale
	ExpectedVotesTracking bool          // expected_votes_tracking
}

// System is the system { } section.
type System struct {
	RunDir                  string // run_dir; "" = the executive's default
	StateDir                string // state_dir; "" = the executive's default
	SchedRR                 bool   // sched_rr, default yes
	Priority                string // priority: min, max or -20..19; "" = unset
	QBIPCType               string // qb_ipc_type: native, shm, socket; "" = unset
	MoveToRootCgroup        string // move_to_root_cgroup: yes, no, auto; "" = unset
	AllowKnetHandleFallback bool   // allow_knet_handle_fallback
}

// RunDir returns system.run_dir, or "" if unset.
func (c *Config) RunDir() string { return c.System.RunDir }

// StateDir returns system.state_dir, or "" if unset.
func (c *Config) StateDir() string { return c.System.StateDir }
