package ipc

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"testing"
)

// BenchmarkCall measures one request/response round trip through a real
// socket, a Server and an echoing loop goroutine (allocations of both
// sides count: they share the process).
func BenchmarkCall(b *testing.B) {
	for _, size := range []int{64, 4096} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			h := newHarness(b, ServerConfig{}, echo)
			c, err := Dial(context.Background(), h.path, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { c.Close() })
			body := make([]byte, size)
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(size))
			for b.Loop() {
				if _, err := c.Call(ctx, 1, body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCallParallel measures Calls from many goroutines sharing one
// Client, where batching into one writev per side pays.
func BenchmarkCallParallel(b *testing.B) {
	h := newHarness(b, ServerConfig{}, echo)
	c, err := Dial(context.Background(), h.path, 1)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	body := make([]byte, 64)
	b.ReportAllocs()
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Call(context.Background(), 1, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCallback measures one-way callback throughput: the loop sends
// b.N callbacks, the client receives them all. ns/op is per callback.
func BenchmarkCallback(b *testing.B) {
	for _, size := range []int{64, 4096} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			h := newHarness(b, ServerConfig{}, func(ev Event) {
				if ev.Kind != EventRequest {
					return
				}
				n := int(binary.LittleEndian.Uint64(ev.Body))
				ev.Conn.Respond(ev.ReqID, ev.Fn, StatusOK, nil)
				payload := make([]byte, size)
				for range n {
					ev.Conn.Callback(1, payload)
					// Stay below HardBacklog as a service would, by
					// watching the backlog; a service would answer
					// TRY_AGAIN, the benchmark waits for the writer.
					for ev.Conn.Backlog() > DefaultMaxBacklog {
						waitForWriter(ev.Conn)
					}
				}
			})
			c, err := Dial(context.Background(), h.path, 1)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { c.Close() })
			b.ReportAllocs()
			b.SetBytes(int64(size))
			b.ResetTimer()
			if _, err := c.Call(context.Background(), 1, binary.LittleEndian.AppendUint64(nil, uint64(b.N))); err != nil {
				b.Fatal(err)
			}
			for range b.N {
				if _, ok := <-c.Callbacks(); !ok {
					b.Fatal(c.Err())
				}
			}
		})
	}
}

// waitForWriter blocks until the connection's writer has made progress,
// using the reader's wait condition; only benchmarks use it.
func waitForWriter(c *Conn) {
	c.mu.Lock()
	for c.backlog > c.srv.cfg.MaxBacklog && !c.closed {
		c.rcond.Wait()
	}
	c.mu.Unlock()
}

func BenchmarkReader(b *testing.B) {
	var stream []byte
	for i := range 1000 {
		stream = AppendFrame(stream, Header{Kind: KindRequest, Fn: 1, ReqID: uint32(i + 1)}, make([]byte, 64))
	}
	src := bytes.NewReader(stream)
	r := NewReader(src)
	b.ReportAllocs()
	b.SetBytes(int64(len(stream) / 1000))
	for i := 0; b.Loop(); i++ {
		if i%1000 == 0 {
			src.Reset(stream)
		}
		if _, _, err := r.Next(); err != nil {
			b.Fatal(err)
		}
	}
}
