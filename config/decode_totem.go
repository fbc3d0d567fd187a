package config

import (
	"strings"
)

// totem decodes a totem { } block. Several totem blocks merge, the last
// value of an option winning, as they do in corosync's cmap.
func (d *decoder) totem(b *block) {
	t := &d.cfg.Totem
	if t.Line == 0 {
		t.Line = b.line
	}
	for i := range b.entries {
		e := &b.entries[i]
		if e.sub == nil {
			d.option(d.cfg.set, e, func(key string, e *entry) bool { return d.totemKey(t, key, e) })
			continue
		}
		if e.sub.name == "interface" {
			d.iface(e.sub)
		} else {
			d.unknownSection(e.sub)
		}
	}
}

func (d *decoder) totemKey(t *Totem, key string, e *entry) bool {
	switch key {
	case "version":
		if e.value != "2" {
			d.fail(e, "must be 2")
		}
		t.Version = 2
	case "nodeid":
		t.NodeID = uint32(d.integer(e, 1, 1<<32-1))
	case "clear_node_high_bit":
		t.ClearNodeHighBit = d.boolean(e)
	case "secauth":
		t.SecAuth = d.boolean(e)
	case "crypto_cipher":
		t.CryptoCipher = d.choice(e, "none", "aes256", "aes192", "aes128", "3des")
	case "crypto_hash":
		t.CryptoHash = d.choice(e, "none", "md5", "sha1", "sha256", "sha384", "sha512")
	case "crypto_model":
		t.CryptoModel = d.choice(e, "nss", "openssl")
	case "threads":
		t.Threads = int(d.integer(e, 0, 16))
	case "rrp_mode":
		t.RRPMode = d.choice(e, "none", "active", "passive")
	case "netmtu":
		t.NetMTU = int(d.integer(e, 576, 65536))
	case "vsftype":
		t.VSFType = d.choice(e, "none", "ykd")
	case "token":
		t.Token = d.millis(e, 1)
	case "token_coefficient":
		t.TokenCoefficient = d.millis(e, 0)
	case "token_retransmit":
		t.TokenRetransmit = d.millis(e, 1)
	case "hold":
		t.Hold = d.millis(e, 1)
	case "token_retransmits_before_loss_const":
		t.RetransmitsBeforeLoss = d.count(e, 1)
	case "join":
		t.Join = d.millis(e, 1)
	case "send_join":
		t.SendJoin = d.millis(e, 0)
	case "consensus":
		t.Consensus = d.millis(e, 1)
	case "merge":
		t.Merge = d.millis(e, 1)
	case "downcheck":
		t.Downcheck = d.millis(e, 1)
	case "fail_recv_const":
		t.FailToRecvConst = d.count(e, 1)
	case "seqno_unchanged_const":
		t.SeqnoUnchangedConst = d.count(e, 1)
	case "heartbeat_failures_allowed":
		t.HeartbeatFailuresAllowed = d.count(e, 0)
	case "max_network_delay":
		t.MaxNetworkDelay = d.millis(e, 1)
	case "window_size":
		t.WindowSize = d.count(e, 1)
	case "max_messages":
		t.MaxMessages = d.count(e, 1)
	case "miss_count_const":
		t.MissCountConst = d.count(e, 1)
	case "rrp_problem_count_timeout":
		t.RRPProblemCountTimeout = d.millis(e, 1)
	case "rrp_problem_count_threshold":
		t.RRPProblemCountThreshold = d.count(e, 1) // the minimum of 5 is checked with the other rrp options
	case "rrp_problem_count_mcast_threshold":
		t.RRPProblemCountMcastThreshold = d.count(e, 1)
	case "rrp_token_expired_timeout":
		t.RRPTokenExpiredTimeout = d.millis(e, 1)
	case "rrp_autorecovery_check_timeout":
		t.RRPAutorecoveryCheckTimeout = d.millis(e, 1)
	case "keyfile":
		t.Keyfile = d.text(e)
	case "key":
		t.Key = d.text(e)
	case "cluster_name":
		t.ClusterName = d.text(e)
	case "config_version":
		t.ConfigVersion = uint64(d.integer(e, 0, 1<<63-1))
	case "transport":
		t.Transport = d.transport(e)
	case "ip_version":
		t.IPVersion = d.choice(e, "ipv4", "ipv6", "ipv4-6", "ipv6-4")
	case "block_unlisted_ips":
		t.BlockUnlistedIPs = d.boolean(e)
	case "link_mode":
		d.ignored(e, "knet links are not supported")
	default:
		if strings.HasPrefix(key, "knet_") {
			d.ignored(e, "knet is not supported")
			return true
		}
		return false
	}
	return true
}

func (d *decoder) transport(e *entry) string {
	switch v := strings.ToLower(e.value); v {
	case "udpu", "udp":
		return v
	case "knet":
		d.fail(e, "knet transport is not supported by goais; use udpu or udp")
	case "iba":
		d.fail(e, "iba (InfiniBand) transport is not supported by goais; use udpu or udp")
	default:
		d.fail(e, "want udpu or udp")
	}
	return ""
}

// iface decodes one totem { interface { } } block.
func (d *decoder) iface(b *block) {
	in := Interface{Line: b.line, TTL: 1, set: settings{}}
	d.keysOnly(b, in.set, func(key string, e *entry) bool {
		switch key {
		case "ringnumber":
			in.RingNumber = int(d.integer(e, 0, 1))
		case "bindnetaddr":
			in.BindNetAddr = d.addr(e)
		case "mcastaddr":
			in.McastAddr = d.addr(e)
			if in.McastAddr.IsValid() && !in.McastAddr.IsMulticast() {
				d.fail(e, "not a multicast address")
			}
		case "mcastport":
			in.McastPort = uint16(d.integer(e, 1, 65535))
		case "ttl":
			in.TTL = int(d.integer(e, 0, 255))
		case "broadcast":
			in.Broadcast = d.boolean(e)
		default:
			if strings.HasPrefix(key, "knet_") {
				d.ignored(e, "knet is not supported")
				return true
			}
			return false
		}
		return true
	})
	if _, ok := in.set["totem.interface.mcastport"]; !ok {
		in.McastPort = uint16(defaultMcastPort + 2*in.RingNumber)
	}
	d.cfg.Totem.Interfaces = append(d.cfg.Totem.Interfaces, in)
}

// defaultMcastPort is corosync's DEFAULT_PORT; ring n uses 5405 + 2n.
const defaultMcastPort = 5405
