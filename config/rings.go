package config

// Encrypted reports whether the ring runs with secauth: corosync 3's
// crypto_cipher / crypto_hash decide when the file sets either (as in
// corosync 2, where they override the older secauth), else secauth does.
// goais always uses its own authenticated encryption (AES-256-GCM) when
// this is true, whatever cipher and hash are named.
func (c *Config) Encrypted() bool {
	t := &c.Totem
	if t.CryptoCipher != "" || t.CryptoHash != "" {
		return (t.CryptoCipher != "" && t.CryptoCipher != "none") ||
			(t.CryptoHash != "" && t.CryptoHash != "none")
	}
	return t.SecAuth
}

// RingCount is how many redundant rings the file describes: 2 when an
// interface { ringnumber: 1 } block exists or a node has ring1_addr, else 1.
func (c *Config) RingCount() int {
	for _, in := range c.Totem.Interfaces {
		if in.RingNumber == 1 {
			return 2
		}
	}
	for _, n := range c.Nodes {
		if n.Ring1Addr != "" {
			return 2
		}
	}
	return 1
}

// Interface returns the interface block of ring n, if the file has one.
func (c *Config) Interface(n int) (Interface, bool) {
	for _, in := range c.Totem.Interfaces {
		if in.RingNumber == n {
			return in, true
		}
	}
	return Interface{}, false
}
