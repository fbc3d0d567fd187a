package main

import (
	"fmt"
	"testing"
	"time"

	"goais/client/cfg"
)

// BenchmarkLoopbackRing runs three aisexec processes on 127.0.0.1–3 (udpu)
// and has node 1 multicast numbered messages through its load service. One
// op is one message delivered at every node. It reports messages per
// second and the sender's and a receiver's heap allocations per message,
// which must stay near zero: the token path allocates nothing per message.
func BenchmarkLoopbackRing(b *testing.B) {
	for _, size := range []int{64, 1024, 8192} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			c := newProcCluster(b, 3, 3*time.Second)
			c.waitRing(30*time.Second, 1, 2, 3)
			status := func(id int) cfg.Status {
				st, err := c.status(id)
				if err != nil {
					b.Fatal(err)
				}
				return st
			}
			before1, before2 := status(1), status(2)
			n := max(b.N, 1000)
			b.ResetTimer()
			start := time.Now()
			c.runLoad(b, map[int]int{1: n}, max(size, 32), 10*time.Minute)
			elapsed := time.Since(start)
			b.StopTimer()
			after1, after2 := status(1), status(2)
			b.ReportMetric(float64(n)/elapsed.Seconds(), "msgs/s")
			b.ReportMetric(float64(after1.Memory.Mallocs-before1.Memory.Mallocs)/float64(n), "sender-mallocs/msg")
			b.ReportMetric(float64(after2.Memory.Mallocs-before2.Memory.Mallocs)/float64(n), "receiver-mallocs/msg")
		})
	}
}
