package config

import (
	"strings"
	"testing"
)

func TestEncrypted(t *testing.T) {
	for _, tc := range []struct {
		opts []string
		want bool
	}{
		{nil, false},
		{[]string{"secauth: on"}, true},
		{[]string{"secauth: off"}, false},
		{[]string{"crypto_cipher: aes256", "crypto_hash: sha256"}, true},
		{[]string{"crypto_cipher: none", "crypto_hash: sha1"}, true},
		// corosync 2: crypto_* override the older secauth.
		{[]string{"secauth: on", "crypto_cipher: none", "crypto_hash: none"}, false},
		{[]string{"secauth: off", "crypto_cipher: aes128"}, true},
	} {
		c, _ := mustParse(t, totemWith(tc.opts...))
		if got := c.Encrypted(); got != tc.want {
			t.Errorf("%v: Encrypted = %v, want %v", tc.opts, got, tc.want)
		}
	}
}

func TestRingCount(t *testing.T) {
	c, _ := mustParse(t, totemWith())
	check(t, "one interface", c.RingCount(), 1)
	c, _ = mustParse(t, totemWith("rrp_mode: active", "interface {", "ringnumber: 1", "bindnetaddr: 10.1.0.0", "mcastaddr: 239.1.1.2", "}"))
	check(t, "two interfaces", c.RingCount(), 2)
	in, ok := c.Interface(1)
	check(t, "Interface(1)", ok && in.McastAddr.String() == "239.1.1.2", true)
	c, _ = mustLoad(t, "testdata/corosync.conf")
	check(t, "ring1_addr", c.RingCount(), 2)
}

func TestSecurityWarnings(t *testing.T) {
	_, warns := mustParse(t, totemWith("crypto_cipher: aes128", "crypto_hash: sha1"))
	if len(warns) != 2 || !strings.Contains(warns[0].String(), "AES-256-GCM") {
		t.Errorf("warnings = %v, want two naming AES-256-GCM", warns)
	}
	_, warns = mustParse(t, totemWith("threads: 4"))
	if len(warns) != 1 || !strings.Contains(warns[0].String(), "threads 4 has no effect without secauth") {
		t.Errorf("warnings = %v", warns)
	}
}
