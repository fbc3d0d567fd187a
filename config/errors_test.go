package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func lines(l ...string) string { return strings.Join(l, "\n") + "\n" }

// header is a minimal valid openais-style totem block, left open after
// line 6 so cases can add totem options from line 7.
var header = []string{
	"totem {", // 1
	"	version: 2",
	"	interface {", // 3
	"		bindnetaddr: 10.0.0.0",
	"		mcastaddr: 239.1.1.1", // 5
	"	}",
}

// totemWith adds options to the totem block from line 7.
func totemWith(extra ...string) string {
	return lines(append(append(append([]string{}, header...), extra...), "}")...)
}

// sectionAfter closes the totem block at line 7; extra starts at line 8.
func sectionAfter(extra ...string) string {
	return lines(append(append(append([]string{}, header...), "}"), extra...)...)
}

// ifaceWith adds options to the interface block from line 6.
func ifaceWith(extra ...string) string {
	return lines(append(append(append([]string{}, header[:5]...), extra...), "	}", "}")...)
}

// nodelist returns a udpu file whose node blocks start at line 5; each
// node takes the given option lines.
func nodelist(ipVersion string, nodes ...[]string) string {
	l := []string{"totem {", "	version: 2", "	transport: udpu", "}"}
	if ipVersion != "" {
		l = []string{"totem {", "	version: 2", "	transport: udpu", "	ip_version: " + ipVersion, "}"}
	}
	l = append(l, "nodelist {")
	for _, n := range nodes {
		l = append(append(append(l, "	node {"), n...), "	}")
	}
	return lines(append(l, "}")...)
}

func TestInvalid(t *testing.T) {
	for _, tc := range []struct {
		name   string
		text   string
		line   int
		option string // "" for syntax errors
		want   string // if set, the whole message (first error)
	}{
		// Bad integers and out-of-range values.
		{"bad int", totemWith("threads: many"), 7, "totem.threads", `x.conf:7: totem.threads: invalid value "many": want a whole number from 0 to 16`},
		{"threads high", totemWith("threads: 17"), 7, "totem.threads", ""},
		{"netmtu low", totemWith("netmtu: 500"), 7, "totem.netmtu", ""},
		{"netmtu high", totemWith("netmtu: 70000"), 7, "totem.netmtu", ""},
		{"nodeid 0", totemWith("nodeid: 0"), 7, "totem.nodeid", ""},
		{"nodeid too big", totemWith("nodeid: 4294967296"), 7, "totem.nodeid", ""},
		{"nodeid negative", totemWith("nodeid: -1"), 7, "totem.nodeid", ""},
		{"version 3", totemWith("version: 3"), 7, "totem.version", `x.conf:7: totem.version: invalid value "3": must be 2`},
		{"rrp threshold below 5", totemWith("rrp_problem_count_threshold: 4"), 7, "totem.rrp_problem_count_threshold", ""},
		{"alias named as written", totemWith("retransmits_before_loss: x"), 7, "totem.retransmits_before_loss", ""},
		{"fail_to_recv_const 0", totemWith("fail_to_recv_const: 0"), 7, "totem.fail_to_recv_const", ""},
		{"mcastport 0", ifaceWith("mcastport: 0"), 6, "totem.interface.mcastport", ""},
		{"mcastport high", ifaceWith("mcastport: 65536"), 6, "totem.interface.mcastport", ""},
		{"ttl high", ifaceWith("ttl: 256"), 6, "totem.interface.ttl", ""},
		{"ttl negative", ifaceWith("ttl: -1"), 6, "totem.interface.ttl", ""},
		{"ringnumber 2", ifaceWith("ringnumber: 2"), 6, "totem.interface.ringnumber", ""},
		{"linknumber 3", ifaceWith("linknumber: 3"), 6, "totem.interface.linknumber", ""},
		{"event size", sectionAfter("event {", "	delivery_queue_size: big", "}"), 9, "event.delivery_queue_size", ""},
		{"service ver", sectionAfter("service {", "	name: x", "	ver: one", "}"), 10, "service.ver", ""},
		{"node nodeid", nodelist("", []string{"		ring0_addr: 10.0.0.1", "		nodeid: abc"}), 8, "nodelist.node.nodeid", ""},
		{"expected_votes 0", sectionAfter("quorum {", "	expected_votes: 0", "}"), 9, "quorum.expected_votes", ""},
		{"priority", sectionAfter("system {", "	priority: 30", "}"), 9, "system.priority", `x.conf:9: system.priority: invalid value "30": want min, max or a whole number from -20 to 19`},

		// Bad booleans.
		{"bad bool", totemWith("secauth: maybe"), 7, "totem.secauth", `x.conf:7: totem.secauth: invalid value "maybe": want yes/no, on/off, true/false or 1/0`},
		{"bad bool 2", totemWith("block_unlisted_ips: perhaps"), 7, "totem.block_unlisted_ips", ""},
		{"bad bool 3", totemWith("clear_node_high_bit: 2"), 7, "totem.clear_node_high_bit", ""},
		{"broadcast", ifaceWith("broadcast: sometimes"), 6, "totem.interface.broadcast", ""},
		{"to_stderr", sectionAfter("logging {", "	to_stderr: perhaps", "}"), 9, "logging.to_stderr", ""},
		{"to_logfile", sectionAfter("logging {", "	to_logfile: maybe", "}"), 9, "logging.to_logfile", ""},
		{"fileline", sectionAfter("logging {", "	fileline: 2", "}"), 9, "logging.fileline", ""},
		{"debug", sectionAfter("logging {", "	debug: maybe", "}"), 9, "logging.debug", ""},
		{"defaultservices", sectionAfter("aisexec {", "	defaultservices: maybe", "}"), 9, "aisexec.defaultservices", ""},
		{"two_node", sectionAfter("quorum {", "	two_node: maybe", "}"), 9, "quorum.two_node", ""},
		{"sched_rr", sectionAfter("system {", "	sched_rr: sure", "}"), 9, "system.sched_rr", ""},

		// Bad durations.
		{"duration word", totemWith("token: abc"), 7, "totem.token", `x.conf:7: totem.token: invalid value "abc": want a whole number of milliseconds`},
		{"duration fraction", totemWith("token: 1.5"), 7, "totem.token", ""},
		{"duration unit", totemWith("join: 10ms"), 7, "totem.join", ""},
		{"duration negative", totemWith("token: -1"), 7, "totem.token", `x.conf:7: totem.token: invalid value "-1": want 1 to 2147483647 milliseconds`},
		{"duration zero", totemWith("token: 0"), 7, "totem.token", ""},
		{"duration huge", totemWith("consensus: 99999999999"), 7, "totem.consensus", ""},
		{"duration empty", totemWith("token:"), 7, "totem.token", `x.conf:7: totem.token: empty value: want a whole number of milliseconds`},
		{"lms window", sectionAfter("quorum {", "	last_man_standing_window: soon", "}"), 9, "quorum.last_man_standing_window", ""},

		// Bad enumerations.
		{"rrp_mode", totemWith("rrp_mode: both"), 7, "totem.rrp_mode", `x.conf:7: totem.rrp_mode: invalid value "both": want one of none, active, passive`},
		{"vsftype", totemWith("vsftype: evs"), 7, "totem.vsftype", ""},
		{"transport", totemWith("transport: tcp"), 7, "totem.transport", ""},
		{"knet", totemWith("transport: knet"), 7, "totem.transport", `x.conf:7: totem.transport: invalid value "knet": knet transport is not supported by goais; use udpu or udp`},
		{"iba", totemWith("transport: iba"), 7, "totem.transport", ""},
		{"ip_version", totemWith("ip_version: ipv5"), 7, "totem.ip_version", ""},
		{"crypto_cipher", totemWith("crypto_cipher: rot13"), 7, "totem.crypto_cipher", ""},
		{"crypto_hash", totemWith("crypto_hash: crc32"), 7, "totem.crypto_hash", ""},
		{"crypto_model", totemWith("crypto_model: gnutls"), 7, "totem.crypto_model", ""},
		{"syslog_facility", sectionAfter("logging {", "	syslog_facility: local9", "}"), 9, "logging.syslog_facility", ""},
		{"logfile_priority", sectionAfter("logging {", "	logfile_priority: loud", "}"), 9, "logging.logfile_priority", ""},
		{"timestamp", sectionAfter("logging {", "	timestamp: sometimes", "}"), 9, "logging.timestamp", ""},
		{"tags", sectionAfter("logging {", "	logger_subsys {", "		subsys: AMF", "		tags: enter|exit", "	}", "}"), 11, "logging.logger_subsys.tags", ""},
		{"tags return is 0.80 only", sectionAfter("logging {", "	logger_subsys {", "		subsys: AMF", "		tags: enter|return", "	}", "}"), 11, "logging.logger_subsys.tags", ""},
		{"legacy tags", sectionAfter("logging {", "	logger {", "		ident: AMF", "		tags: trace9", "	}", "}"), 11, "logging.logger.tags", ""},
		{"syslog_level", sectionAfter("logging {", "	logger_subsys {", "		subsys: AMF", "		syslog_level: loud", "	}", "}"), 11, "logging.logger_subsys.syslog_level", ""},
		{"amf mode", sectionAfter("amf {", "	mode: auto", "}"), 9, "amf.mode", ""},
		{"qb_ipc_type", sectionAfter("system {", "	qb_ipc_type: pipe", "}"), 9, "system.qb_ipc_type", ""},
		{"move_to_root_cgroup", sectionAfter("system {", "	move_to_root_cgroup: maybe", "}"), 9, "system.move_to_root_cgroup", ""},

		// Bad addresses.
		{"bindnetaddr", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0", "mcastaddr: 239.1.1.1", "}", "}"), 4, "totem.interface.bindnetaddr", `x.conf:4: totem.interface.bindnetaddr: invalid value "10.0.0": want an IP address`},
		{"mcastaddr unicast", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0.0", "mcastaddr: 10.1.1.1", "}", "}"), 5, "totem.interface.mcastaddr", ""},
		{"ring0_addr", nodelist("", []string{"		ring0_addr: bad host!"}), 7, "nodelist.node.ring0_addr", ""},
		{"ring1_addr", nodelist("", []string{"		ring0_addr: 10.0.0.1", "		ring1_addr: 10.0.0.1.5/24"}), 8, "nodelist.node.ring1_addr", ""},

		// Options that contradict each other.
		{"consensus below 1.2 token", totemWith("token: 1000", "consensus: 1100"), 8, "totem.consensus", `x.conf:8: totem.consensus: invalid value "1100": must be at least 1.2 × token (1200 ms)`},
		{"consensus with coefficient", lines("totem {", "version: 2", "token: 1000", "consensus: 1300", "}", "nodelist {",
			"node {", "ring0_addr: 10.0.0.1", "}", "node {", "ring0_addr: 10.0.0.2", "}", "node {", "ring0_addr: 10.0.0.3", "}", "node {", "ring0_addr: 10.0.0.4", "}", "}"),
			4, "totem.consensus", ""},
		{"token_retransmit >= token", totemWith("token: 1000", "token_retransmit: 1000"), 8, "totem.token_retransmit", ""},
		{"max_messages > window_size", totemWith("window_size: 10", "max_messages: 20"), 8, "totem.max_messages", ""},
		{"window_size below default max_messages", totemWith("window_size: 10"), 7, "totem.window_size", ""},
		{"three interfaces", totemWith("rrp_mode: active", "interface {", "ringnumber: 1", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "}", "interface {", "bindnetaddr: 10.2.0.0", "}"), 13, "totem.interface", ""},
		{"two interfaces rrp none", totemWith("rrp_mode: none", "interface {", "ringnumber: 1", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "}"), 7, "totem.rrp_mode", ""},
		{"two interfaces rrp unset", totemWith("interface {", "ringnumber: 1", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "}"), 7, "totem.rrp_mode", ""},
		{"rrp_mode with one ring", totemWith("rrp_mode: active"), 7, "totem.rrp_mode", `x.conf:7: totem.rrp_mode: invalid value "active": rrp_mode active needs a second ring: add an interface { ringnumber: 1 mcastaddr: … } block`},
		{"rrp threshold below 5", totemWith("rrp_problem_count_threshold: 3"), 7, "totem.rrp_problem_count_threshold", `x.conf:7: totem.rrp_problem_count_threshold: invalid value "3": the minimum is 5`},
		{"rrp timeout below 30 ms", totemWith("rrp_problem_count_timeout: 20"), 7, "totem.rrp_problem_count_timeout", ""},
		{"rrp expired timeout below 30 ms", totemWith("rrp_token_expired_timeout: 29"), 7, "totem.rrp_token_expired_timeout", ""},
		{"rrp expired timeout not below token", totemWith("token: 1000", "rrp_token_expired_timeout: 1000"), 8, "totem.rrp_token_expired_timeout", ""},
		{"ring1_addr without rrp_mode", nodelist("", []string{"		ring0_addr: 10.0.0.1", "		ring1_addr: 10.1.0.1"}, []string{"		ring0_addr: 10.0.0.2", "		ring1_addr: 10.1.0.2"}), 1, "totem.rrp_mode",
			"x.conf:1: totem.rrp_mode: missing: two rings (ring1_addr at line 8) need rrp_mode active or passive"},
		{"ring1_addr on one node only", lines("totem {", "version: 2", "transport: udpu", "rrp_mode: passive", "}", "nodelist {", "node {", "ring0_addr: 10.0.0.1", "ring1_addr: 10.1.0.1", "}", "node {", "ring0_addr: 10.0.0.2", "}", "}"), 11, "nodelist.node.ring1_addr",
			"x.conf:11: nodelist.node.ring1_addr: missing: the node at line 7 has one, and every node needs its ring 1 address"},
		{"udpu rrp without ring1_addr", lines("totem {", "version: 2", "transport: udpu", "rrp_mode: active", "}", "nodelist {", "node {", "ring0_addr: 10.0.0.1", "}", "}"), 4, "totem.rrp_mode", ""},
		{"key and keyfile", totemWith("secauth: on", "keyfile: /etc/ais/authkey", "key: 0123456789abcdef"), 9, "totem.key", ""},
		{"udp rings sharing a port", totemWith("rrp_mode: passive", "interface {", "ringnumber: 1", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "mcastport: 5404", "}"), 12, "totem.interface.mcastport", ""},
		{"duplicate ringnumber", totemWith("rrp_mode: active", "interface {", "ringnumber: 0", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "}"), 9, "totem.interface.ringnumber", ""},
		{"ring 1 without ring 0", ifaceWith("ringnumber: 1"), 6, "totem.interface.ringnumber", ""},
		{"mixed families", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0.0", "mcastaddr: ff15::1", "}", "}"), 5, "totem.interface.mcastaddr", ""},
		{"udp without mcastaddr", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0.0", "}", "}"), 3, "totem.interface.mcastaddr", ""},
		{"udpu without nodelist", totemWith("transport: udpu"), 7, "totem.transport", ""},
		{"no interface and no nodelist", lines("totem {", "version: 2", "}"), 1, "totem.interface", ""},
		{"no bindnetaddr", lines("totem {", "version: 2", "interface {", "mcastaddr: 239.1.1.1", "}", "}"), 3, "totem.interface.bindnetaddr", ""},
		{"IPv6 bindnetaddr without nodeid", lines("totem {", "version: 2", "interface {", "bindnetaddr: fd00::1", "mcastaddr: ff15::1", "}", "}"), 4, "totem.nodeid", ""},
		{"duplicate nodeid", nodelist("", []string{"		ring0_addr: 10.0.0.1", "		nodeid: 5"}, []string{"		ring0_addr: 10.0.0.2", "		nodeid: 5"}), 12, "nodelist.node.nodeid",
			`x.conf:12: nodelist.node.nodeid: invalid value "5": nodeid 5 is also the node at line 6`},
		{"duplicate derived nodeid", nodelist("", []string{"		ring0_addr: 10.0.0.1", "		nodeid: 167772162"}, []string{"		ring0_addr: 10.0.0.2"}), 11, "nodelist.node.ring0_addr", ""},
		{"IPv6 without nodeid", nodelist("", []string{"		ring0_addr: fd00::1"}), 7, "nodelist.node.nodeid", ""},
		{"derived nodeid 0", nodelist("", []string{"		ring0_addr: 0.0.0.0"}), 7, "nodelist.node.nodeid", ""},
		{"IPv6 with ip_version ipv4", nodelist("ipv4", []string{"		ring0_addr: fd00::1", "		nodeid: 1"}), 8, "nodelist.node.ring0_addr", ""},
		{"IPv4 with ip_version ipv6", nodelist("ipv6", []string{"		ring0_addr: 10.0.0.1"}), 8, "nodelist.node.ring0_addr", ""},
		{"node without ring0_addr", nodelist("", []string{"		name: a", "		nodeid: 1"}), 6, "nodelist.node.ring0_addr", ""},
		{"to_file without logfile", sectionAfter("logging {", "	to_file: yes", "}"), 9, "logging.to_file", `x.conf:9: logging.to_file: invalid value "yes": no logfile is given`},
		{"to_logfile without logfile", sectionAfter("logging {", "	to_logfile: on", "}"), 9, "logging.to_logfile", ""},
		{"subsys to_file without logfile", sectionAfter("logging {", "	logger_subsys {", "		subsys: AMF", "		to_file: yes", "	}", "}"), 11, "logging.logger_subsys.to_file", ""},
		{"logger_subsys without subsys", sectionAfter("logging {", "	logger_subsys {", "		debug: on", "	}", "}"), 9, "logging.logger_subsys.subsys", ""},
		{"logger without ident", sectionAfter("logging {", "	logger {", "		debug: on", "	}", "}"), 9, "logging.logger.ident", ""},
		{"resume not below size", sectionAfter("event {", "	delivery_queue_size: 100", "	delivery_queue_resume: 100", "}"), 10, "event.delivery_queue_resume", ""},
		{"size below default resume", sectionAfter("event {", "	delivery_queue_size: 100", "}"), 9, "event.delivery_queue_size", ""},
		{"service without name", sectionAfter("service {", "	ver: 0", "}"), 8, "service.name", ""},
		{"no totem", lines("logging {", "to_stderr: yes", "}"), 0, "totem", "x.conf: totem: missing: a totem { version: 2 } block is required"},
		{"no version", lines("totem {", "interface {", "bindnetaddr: 10.0.0.0", "mcastaddr: 239.1.1.1", "}", "}"), 1, "totem.version", ""},

		// Syntax errors.
		{"unexpected brace", lines("totem {", "version: 2", "}", "}"), 4, "", "x.conf:4: unexpected '}': no block is open"},
		{"missing brace", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0.0", "}"), 5, "", "x.conf:5: missing closing brace for 'totem' opened at line 1"},
		{"missing inner brace", lines("totem {", "version: 2", "interface {", "bindnetaddr: 10.0.0.0"), 4, "", "x.conf:4: missing closing brace for 'interface' opened at line 3"},
		{"garbage", lines("totem {", "version 2", "}"), 2, "", ""},
		{"key outside block", lines("version: 2"), 1, "", `x.conf:1: option "version" outside any block`},
		{"bad block name", lines("to tem {", "}"), 1, "", ""},
		{"bad key name", lines("totem {", "ver sion: 2", "}"), 2, "", ""},
		{"empty key", lines("totem {", ": 2", "}"), 2, "", ""},
		{"long line", lines("totem {", "cluster_name: "+strings.Repeat("x", maxLineLen), "}"), 2, "", ""},
		{"too deep", strings.Repeat("a {\n", maxDepth+1) + strings.Repeat("}\n", maxDepth+1), maxDepth + 1, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("x.conf", []byte(tc.text))
			if err == nil {
				t.Fatalf("no error for\n%s", tc.text)
			}
			prefix := fmt.Sprintf("x.conf:%d: ", tc.line)
			if tc.line == 0 {
				prefix = "x.conf: "
			}
			if tc.option != "" {
				prefix += tc.option + ":"
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, prefix) {
				t.Errorf("error %q does not start with %q", msg, prefix)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not a *Error", err)
			}
			if e.File != "x.conf" || e.Line != tc.line || e.Option != tc.option {
				t.Errorf("Error{File %q, Line %d, Option %q}, want {x.conf, %d, %q}", e.File, e.Line, e.Option, tc.line, tc.option)
			}
			if tc.want != "" && e.Error() != tc.want {
				t.Errorf("error\n %s\nwant\n %s", e.Error(), tc.want)
			}
		})
	}
}

// TestManyErrors checks that every bad value is reported, in file order.
func TestManyErrors(t *testing.T) {
	_, _, err := Parse("x.conf", []byte(totemWith("token: a", "join: b", "secauth: c")))
	if err == nil {
		t.Fatal("no error")
	}
	got := strings.Split(err.Error(), "\n")
	if len(got) != 3 || !strings.HasPrefix(got[0], "x.conf:7: totem.token:") ||
		!strings.HasPrefix(got[1], "x.conf:8: totem.join:") || !strings.HasPrefix(got[2], "x.conf:9: totem.secauth:") {
		t.Errorf("errors:\n%s", err)
	}
}
