package main

import (
	"errors"
	"net"
	"sync"
	"time"

	"goais/internal/lab"
)

// rawDatagram is the largest UDP payload that fits a 1500-byte MTU
// without IP fragmentation.
const rawDatagram = 1472

// rawUDP measures what plain UDP moves through a lab like the engines':
// host 1 sends 1472-byte datagrams to hosts 2 and 3 in turn as fast as it
// can for d (the fan-out of a udpu ring), and each receiver counts what
// arrives. It returns the mean payload MB/s one receiver gets.
func rawUDP(bin string, d time.Duration) (float64, error) {
	l, err := lab.New(lab.Options{Prefix: "goaisbench", Hosts: 3, Bin: bin})
	if err != nil {
		return 0, err
	}
	defer l.Close()
	const port = 9999
	var receivers []*net.UDPConn
	for _, h := range l.Hosts[1:] {
		err := h.Do(func() error {
			c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: h.Addr.AsSlice(), Port: port})
			if err == nil {
				_ = c.SetReadBuffer(4 << 20)
				receivers = append(receivers, c)
			}
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	var sender *net.UDPConn
	if err := l.Hosts[0].Do(func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: l.Hosts[0].Addr.AsSlice()})
		if err == nil {
			_ = c.SetWriteBuffer(4 << 20)
			sender = c
		}
		return err
	}); err != nil {
		return 0, err
	}
	defer sender.Close()

	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	got := make([]int64, len(receivers))
	for i, c := range receivers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.Close()
			buf := make([]byte, 65536)
			_ = c.SetReadDeadline(end)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				got[i] += int64(n)
			}
		}()
	}
	var dsts []*net.UDPAddr
	for _, h := range l.Hosts[1:] {
		dsts = append(dsts, &net.UDPAddr{IP: h.Addr.AsSlice(), Port: port})
	}
	payload := make([]byte, rawDatagram)
	for time.Now().Before(end) {
		for range 64 {
			for _, dst := range dsts {
				// A full socket buffer drops datagrams (ENOBUFS is rare on
				// Linux, which blocks instead): that is the limit measured.
				_, _ = sender.WriteToUDP(payload, dst)
			}
		}
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	var sum int64
	for _, g := range got {
		sum += g
	}
	if sum == 0 {
		return 0, errors.New("no datagram arrived")
	}
	return float64(sum) / float64(len(got)) / secs / 1e6, nil
}
