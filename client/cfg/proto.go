package cfg

// Service is the cfg service id (corosync's CFG_SERVICE).
const Service = 1

// Function ids of the cfg service.
const (
	FnRingStatus = 0 // → RingStatus
	FnMembers    = 1 // → Members
	FnShutdown   = 2 // leave the ring and exit
	FnStatus     = 3 // → Status
	// FnRingReenable asks every node to re-enable its faulty rings
	// (ais-cfgtool -r); the answer comes once the request is sent.
	FnRingReenable = 4
	FnLoadStart    = 10
	FnLoadReport   = 11 // → LoadReport
)

// RingStatus is this node's view of its rings (ais-cfgtool -s).
type RingStatus struct {
	NodeID    uint32 `json:"nodeid"`
	Transport string `json:"transport"`
	// RRPMode is the redundant ring mode: none, active or passive.
	RRPMode string `json:"rrp_mode"`
	// Secauth is "off", or "on (…)" with the cipher and the key's
	// fingerprint, which operators compare across nodes.
	Secauth string  `json:"secauth"`
	Rings   []Ring  `json:"rings"`
	Dropped Dropped `json:"dropped"`
}

// Dropped counts received datagrams this node dropped, by reason, since
// it started.
type Dropped struct {
	BadDigest     uint64 `json:"bad_digest"`     // secauth: failed authentication (wrong key, corrupted)
	ShortEnvelope uint64 `json:"short_envelope"` // secauth: shorter than the envelope
	Plaintext     uint64 `json:"plaintext"`      // secauth: a plaintext datagram
	Replayed      uint64 `json:"replayed"`       // secauth: replayed or too old
	Rejected      uint64 `json:"rejected"`       // source address not in the nodelist
	Truncated     uint64 `json:"truncated"`      // larger than the receive buffer
	Malformed     uint64 `json:"malformed"`      // not a valid Totem message
}

// Ring is one ring interface.
type Ring struct {
	Number int    `json:"number"`
	Addr   string `json:"addr"`
	Status string `json:"status"` // "ring 0 active with no faults"
	Faulty bool   `json:"faulty,omitempty"`
}

// Members is the current membership and the configured nodes
// (ais-cfgtool -m).
type Members struct {
	Ring  string   `json:"ring"` // "1.8": representative and seq, hex
	Nodes []Member `json:"nodes"`
	// Quorum is votequorum's view; nil when the executive runs without
	// quorum { provider: corosync_votequorum }.
	Quorum *Quorum `json:"quorum,omitempty"`
}

// Quorum is votequorum's state as this node computes it, in
// corosync-quorumtool's terms.
type Quorum struct {
	Quorate         bool   `json:"quorate"`
	ExpectedVotes   uint32 `json:"expected_votes"`
	HighestExpected uint32 `json:"highest_expected"`
	TotalVotes      uint32 `json:"total_votes"`
	Quorum          uint32 `json:"quorum"`
}

// Member is one node.
type Member struct {
	NodeID uint32   `json:"nodeid"`
	Name   string   `json:"name,omitempty"`
	Addrs  []string `json:"addrs,omitempty"`
	// Status is "member" for nodes in the current ring, "down" for
	// configured nodes that are not.
	Status string `json:"status"`
	Local  bool   `json:"local,omitempty"`
	// Votes the member holds in votequorum (0 for a member that has not
	// announced them); meaningful when Members.Quorum is set.
	Votes uint32 `json:"votes,omitempty"`
}

// Status is a detailed snapshot of the executive for tests and debugging.
type Status struct {
	NodeID  uint32   `json:"nodeid"`
	State   string   `json:"state"` // Totem state: OPERATIONAL, GATHER, …
	Ring    string   `json:"ring"`
	Members []uint32 `json:"members"`
	Configs int      `json:"configs"` // regular configurations since start
	Uptime  string   `json:"uptime"`
	PID     int      `json:"pid"`
	// Memory and garbage collection of the executive process.
	Memory struct {
		HeapBytes    uint64 `json:"heap_bytes"`
		TotalAlloc   uint64 `json:"total_alloc_bytes"` // bytes allocated since start
		Mallocs      uint64 `json:"mallocs"`           // allocations since start
		NumGC        uint32 `json:"num_gc"`
		PauseTotalNs uint64 `json:"gc_pause_total_ns"`
	} `json:"memory"`
	Transport struct {
		Sent     uint64 `json:"sent"`
		Received uint64 `json:"received"`
		Rejected uint64 `json:"rejected"`
	} `json:"transport"`
	Totem struct {
		TokensReceived  uint64 `json:"tokens_received"`
		MessagesSent    uint64 `json:"messages_sent"`
		MessagesRetrans uint64 `json:"messages_retransmitted"`
		TokenLost       uint64 `json:"token_lost"`
		GatherEntered   uint64 `json:"gather_entered"`
		DecodeErrors    uint64 `json:"decode_errors"`
	} `json:"totem"`
}

// LoadStart asks the executive to multicast Count messages of Size bytes
// (at least 32) as fast as flow control allows.
type LoadStart struct {
	Count int `json:"count"`
	Size  int `json:"size"`
}

// LoadReport says what this node's load generator sent and what it
// delivered from every sender: per sender the count and the sequence
// numbers that were skipped or repeated, and a hash of the delivery order
// that equals at every node that delivered the same messages in the same
// order.
type LoadReport struct {
	Pending   int                 `json:"pending"` // still to send
	Sent      uint64              `json:"sent"`
	Delivered uint64              `json:"delivered"`
	OrderHash string              `json:"order_hash"`
	Senders   map[string]LoadFrom `json:"senders"` // by decimal nodeid
}

// LoadFrom is what one node received from one sender.
type LoadFrom struct {
	Count uint64 `json:"count"`
	First uint64 `json:"first"` // first seq seen
	Last  uint64 `json:"last"`  // last seq seen
	Gaps  uint64 `json:"gaps"`  // seqs skipped
	Dups  uint64 `json:"dups"`  // seqs at or below one already seen
}
