package secure

import (
	"fmt"
	"testing"

	"goais/transport"
)

// benchSizes: 1 KB, a full 1500-byte-MTU frame's UDP payload, and a jumbo
// frame's.
var benchSizes = []int{1024, 1472, 9000}

func benchAEAD(b *testing.B) *sealer {
	a, err := testKey(b, 1).aead(1, fuzzSalt)
	if err != nil {
		b.Fatal(err)
	}
	return &sealer{h: header{node: 1, salt: fuzzSalt, counter: 1}, aead: a}
}

// BenchmarkSeal times sealing one datagram (header, AES-256-GCM) into a
// reused buffer.
func BenchmarkSeal(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := benchAEAD(b)
			msg := payload(n, 1)
			buf := make([]byte, 0, n+Overhead)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				buf = seal(buf[:0], s.aead, &s.nonce, s.h, msg)
				s.h.counter++
			}
		})
	}
}

// BenchmarkOpen times what Recv does per datagram after the header checks:
// move the ciphertext down over the header, authenticate and decrypt in
// place. The sealed bytes are restored first each time (a copy of the same
// size as the move, included in the figure).
func BenchmarkOpen(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			s := benchAEAD(b)
			sealed := seal(nil, s.aead, &s.nonce, s.h, payload(n, 1))
			buf := make([]byte, len(sealed))
			var nonce [nonceSize]byte
			var hdr [HeaderSize]byte
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				copy(buf, sealed)
				if _, ok := open(buf, s.aead, &nonce, &hdr, s.h); !ok {
					b.Fatal("open failed")
				}
			}
		})
	}
}

// BenchmarkSealParallel seals 1472-byte datagrams on every P, each
// goroutine with its own sealer (as one per thread would be, with its own
// boot salt), to show how sealing scales with cores: what corosync's
// "threads" option would buy.
func BenchmarkSealParallel(b *testing.B) {
	msg := payload(1472, 1)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		s := benchAEAD(b)
		buf := make([]byte, 0, len(msg)+Overhead)
		for pb.Next() {
			buf = seal(buf[:0], s.aead, &s.nonce, s.h, msg)
			s.h.counter++
		}
	})
}

// BenchmarkSendRecv times the whole wrapper on the fake network: Send of a
// window of 16 datagrams to one node, then its Recv of all of them, with
// ("secure") and without ("plain") this package. One operation is one
// window; ns/datagram is per datagram.
func BenchmarkSendRecv(b *testing.B) {
	for _, n := range []int{64, 1472} {
		for _, secure := range []bool{false, true} {
			name := fmt.Sprintf("plain/%d", n)
			if secure {
				name = fmt.Sprintf("secure/%d", n)
			}
			b.Run(name, func(b *testing.B) {
				var fn fakeNet
				var tx, rx transport.Transport
				if secure {
					tx, rx = newNode(b, &fn, 1), newNode(b, &fn, 2)
				} else {
					tx, rx = fn.attach(1), fn.attach(2)
				}
				dgs := make([]transport.Datagram, 16)
				for i := range dgs {
					dgs[i] = transport.Datagram{To: 2, Data: payload(n, byte(i))}
				}
				pkts := packets(16)
				b.SetBytes(int64(n * len(dgs)))
				b.ReportAllocs()
				for b.Loop() {
					if err := tx.Send(dgs); err != nil {
						b.Fatal(err)
					}
					for got := 0; got < len(dgs); {
						k, err := rx.Recv(pkts)
						if err != nil {
							b.Fatal(err)
						}
						got += k
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(dgs)), "ns/datagram")
			})
		}
	}
}
