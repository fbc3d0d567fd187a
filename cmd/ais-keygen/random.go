package main

import (
	"errors"
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// keyBytes is the key length openais's keygen read: 1024 bits.
const keyBytes = 128

// randomFunc fills up to len(p) bytes of p, as getrandom(2) does: it may
// return fewer bytes than asked for, or EINTR.
type randomFunc func(p []byte) (int, error)

// kernelRandom reads the kernel random source. Flags 0 means the urandom
// pool, but blocking until it has been initialised once, which is what
// /dev/random guaranteed the original and all a key needs.
func kernelRandom(p []byte) (int, error) {
	return unix.Getrandom(p, 0)
}

// gather fills p from random. getrandom returns short counts for large
// requests or when a signal arrives, and EINTR when one arrives before any
// byte was copied, so both are retried. A source that makes no progress
// without an error is reported rather than spun on.
func gather(random randomFunc, p []byte) error {
	for off := 0; off < len(p); {
		n, err := random(p[off:])
		if n < 0 || n > len(p)-off {
			return fmt.Errorf("random source returned %d bytes for a %d-byte request", n, len(p)-off)
		}
		off += n
		switch {
		case errors.Is(err, unix.EINTR):
			continue
		case err != nil:
			return fmt.Errorf("reading the kernel random source: %w", err)
		case n == 0:
			return fmt.Errorf("reading the kernel random source: %w", io.ErrNoProgress)
		}
	}
	return nil
}
