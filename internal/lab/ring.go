package lab

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"
)

var labSeq atomic.Uint64

// Kind is the engine a node runs.
type Kind int

// Engines.
const (
	Corosync Kind = iota // Debian's corosync 3.1.7
	Goais                // goais's aisexec
)

func (k Kind) String() string {
	if k == Goais {
		return "goais"
	}
	return "corosync"
}

// Transport is the totem transport of a ring.
type Transport string

// Transports. Knet is corosync's only; goais rings use udpu or udp.
const (
	UDPU Transport = "udpu"
	UDP  Transport = "udp"
	Knet Transport = "knet"
)

// Node is one member of the nodelist: which engine runs on which host.
type Node struct {
	ID   uint32
	Host int // index into Lab.Hosts
	Kind Kind
}

// Ring is the configuration every node of a ring shares. Both engines read
// the same corosync.conf text; only system { } (each node's directories)
// differs.
type Ring struct {
	Name      string // cluster_name; default "goaislab"
	Transport Transport
	Token     time.Duration // default 1000 ms
	McastAddr string        // udp only; default 239.192.77.1
	Nodes     []Node
	// Totem is extra text inside totem { }, one "key: value" per line.
	Totem string
	// Quorum adds quorum { provider: corosync_votequorum }; default on
	// through NewRing.
	Quorum bool
	// RRPMode, if set (active or passive), gives every node its ring 1
	// address (Host.Addr1: the lab needs Options.Subnet1) and sets
	// rrp_mode. goais only: corosync 3 has no udpu redundant rings.
	RRPMode string
	// Keyfile, if set, turns secauth on with this authkey; Keyfiles
	// overrides it per node id (a node with another key).
	Keyfile  string
	Keyfiles map[uint32]string
}

// NewRing is a ring of the given nodes with votequorum and a 1 s token.
func NewRing(t Transport, nodes ...Node) *Ring {
	return &Ring{Transport: t, Nodes: nodes, Quorum: true, Token: time.Second}
}

// Node returns the node with this id.
func (r *Ring) Node(id uint32) (Node, bool) {
	for _, n := range r.Nodes {
		if n.ID == id {
			return n, true
		}
	}
	return Node{}, false
}

// NodeName is the nodelist name of node id.
func NodeName(id uint32) string { return fmt.Sprintf("node%d", id) }

// Config is the corosync.conf text for node id, whose directories are dir.
func (r *Ring) Config(l *Lab, dir string, id uint32) string {
	var b strings.Builder
	name := r.Name
	if name == "" {
		name = "goaislab"
	}
	token := r.Token
	if token == 0 {
		token = time.Second
	}
	fmt.Fprintf(&b, "totem {\n\tversion: 2\n\tcluster_name: %s\n\ttransport: %s\n", name, r.Transport)
	key := r.Keyfile
	if k, ok := r.Keyfiles[id]; ok {
		key = k
	}
	if key != "" {
		fmt.Fprintf(&b, "\tcrypto_cipher: aes256\n\tcrypto_hash: sha256\n\tkeyfile: %s\n", key)
	} else {
		b.WriteString("\tcrypto_cipher: none\n\tcrypto_hash: none\n")
	}
	fmt.Fprintf(&b, "\ttoken: %d\n", token.Milliseconds())
	if r.RRPMode != "" {
		fmt.Fprintf(&b, "\trrp_mode: %s\n", r.RRPMode)
	}
	if r.Transport == UDP {
		mcast := r.McastAddr
		if mcast == "" {
			mcast = "239.192.77.1"
		}
		fmt.Fprintf(&b, "\tinterface {\n\t\tringnumber: 0\n\t\tmcastaddr: %s\n\t\tmcastport: 5405\n\t}\n", mcast)
		if r.RRPMode != "" {
			// Ring 1's group; each node's ring 1 address is its
			// ring1_addr.
			b.WriteString("\tinterface {\n\t\tringnumber: 1\n\t\tmcastaddr: 239.192.78.1\n\t\tmcastport: 5407\n\t}\n")
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(r.Totem), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			fmt.Fprintf(&b, "\t%s\n", line)
		}
	}
	b.WriteString("}\n\nnodelist {\n")
	for _, n := range r.Nodes {
		h := l.Hosts[n.Host]
		fmt.Fprintf(&b, "\tnode {\n\t\tring0_addr: %s\n", h.Addr)
		if r.RRPMode != "" {
			fmt.Fprintf(&b, "\t\tring1_addr: %s\n", h.Addr1)
		}
		fmt.Fprintf(&b, "\t\tnodeid: %d\n\t\tname: %s\n\t}\n", n.ID, NodeName(n.ID))
	}
	b.WriteString("}\n\n")
	if r.Quorum {
		b.WriteString("quorum {\n\tprovider: corosync_votequorum\n}\n\n")
	}
	b.WriteString("logging {\n\tto_stderr: yes\n\tto_syslog: no\n\tto_logfile: no\n\ttimestamp: hires\n\tdebug: off\n}\n\n")
	fmt.Fprintf(&b, "system {\n\trun_dir: %s\n\tstate_dir: %s\n}\n", dir, dir)
	return b.String()
}
