package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"strings"
	"sync"
	"time"

	"goais/client/cpg"
)

// The multi-process CPG tests run their clients as separate processes:
// the test binary itself, started with cpgChildEnv set to the executive's
// run directory. A child joins group "g" and obeys commands read from
// stdin, one per line:
//
//	send N SIZE   multicast N messages of SIZE bytes (retrying on try-again)
//	big           multicast one 1 MiB message
//	flood D       multicast as fast as the window allows for duration D,
//	              counting try-agains instead of waiting
//	wait T        wait until T messages were delivered, then report
//	leave         leave the group
//
// It prints "ready NODEID PID" once joined, a "confchg …" line per
// configuration change, and answers each command with one line. Every
// message starts with the sender's pid and a per-sender sequence number,
// followed by a pattern derived from both: receivers check each sender's
// sequence has no gap or duplicate and each payload is intact, and hash
// the order of (nodeid, pid, seq) so that the test can compare orders.
const cpgChildEnv = "GOAIS_TEST_CPG_CHILD"

type childState struct {
	mu        sync.Mutex
	delivered int
	hash      uint64
	next      map[uint64]uint32 // nodeid<<32|pid → next seq
	errs      []string
	big       int
	changed   *sync.Cond
}

func cpgChild() int {
	ctx := context.Background()
	out := &syncWriter{}
	c, err := cpg.Dial(ctx, cpg.Options{RunDir: os.Getenv(cpgChildEnv)})
	if err != nil {
		out.printf("error dial %v\n", err)
		return 1
	}
	node, err := c.LocalGet(ctx)
	if err != nil {
		out.printf("error local_get %v\n", err)
		return 1
	}
	for {
		err = c.Join(ctx, "g")
		if !errors.Is(err, cpg.ErrTryAgain) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		out.printf("error join %v\n", err)
		return 1
	}
	st := &childState{next: map[uint64]uint32{}}
	st.changed = sync.NewCond(&st.mu)
	h := fnv.New64a()
	go func() {
		for ev := range c.Events() {
			switch e := ev.(type) {
			case *cpg.Delivery:
				st.deliver(h, e)
			case *cpg.Confchg:
				out.printf("confchg members=%s left=%s joined=%s\n", addrList(e.Members), addrList(e.Left), addrList(e.Joined))
			}
		}
		out.printf("disconnected %v\n", c.EventsErr())
		st.mu.Lock()
		st.errs = append(st.errs, "disconnected")
		st.changed.Broadcast()
		st.mu.Unlock()
	}()
	out.printf("ready %d %d\n", node, c.PID())

	var seq uint32
	msg := func(size int) []byte {
		m := make([]byte, max(size, 8))
		binary.LittleEndian.PutUint32(m, c.PID())
		binary.LittleEndian.PutUint32(m[4:], seq)
		fill(m, c.PID(), seq)
		seq++
		return m
	}
	send := func(m []byte) error {
		for {
			err := c.Mcast(ctx, cpg.Agreed, m)
			if !errors.Is(err, cpg.ErrTryAgain) {
				return err
			}
			if err := c.Flush(ctx); err != nil && !errors.Is(err, cpg.ErrTryAgain) {
				return err
			}
		}
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		f := strings.Fields(in.Text())
		if len(f) == 0 {
			continue
		}
		switch f[0] {
		case "send":
			var n, size int
			fmt.Sscan(f[1], &n)
			fmt.Sscan(f[2], &size)
			for range n {
				if err := send(msg(size)); err != nil {
					out.printf("error send %v\n", err)
					return 1
				}
			}
			out.printf("sent %d\n", n)
		case "big":
			if err := send(msg(cpg.MaxMessage)); err != nil {
				out.printf("error send %v\n", err)
				return 1
			}
			out.printf("sent big\n")
		case "flood":
			d, _ := time.ParseDuration(f[1])
			sent, again := 0, 0
			for end := time.Now().Add(d); time.Now().Before(end); {
				m := msg(1000)
				err := c.Mcast(ctx, cpg.Agreed, m)
				switch {
				case err == nil:
					sent++
				case errors.Is(err, cpg.ErrTryAgain):
					seq-- // not sent: the number is reused
					again++
				default:
					out.printf("error flood %v\n", err)
					return 1
				}
			}
			if err := c.Flush(ctx); err != nil {
				out.printf("error flood %v\n", err)
				return 1
			}
			out.printf("flooded sent=%d tryagain=%d\n", sent, again)
		case "wait":
			var t int
			fmt.Sscan(f[1], &t)
			st.mu.Lock()
			for st.delivered < t && !slicesContains(st.errs, "disconnected") {
				st.changed.Wait()
			}
			out.printf("delivered %d hash %x big %d errors %q\n", st.delivered, st.hash, st.big, strings.Join(st.errs, "; "))
			st.mu.Unlock()
		case "leave":
			if err := c.Leave(ctx, "g"); err != nil {
				out.printf("error leave %v\n", err)
				return 1
			}
			out.printf("left\n")
		}
	}
	return 0
}

func (st *childState) deliver(h interface {
	Write([]byte) (int, error)
	Sum64() uint64
}, d *cpg.Delivery) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.delivered++
	if len(d.Msg) < 8 {
		st.errs = append(st.errs, fmt.Sprintf("short message of %d bytes from %d/%d", len(d.Msg), d.NodeID, d.PID))
		st.changed.Broadcast()
		return
	}
	pid, seq := binary.LittleEndian.Uint32(d.Msg), binary.LittleEndian.Uint32(d.Msg[4:])
	key := uint64(d.NodeID)<<32 | uint64(d.PID)
	if pid != d.PID {
		st.errs = append(st.errs, fmt.Sprintf("message from %d/%d says pid %d", d.NodeID, d.PID, pid))
	}
	if want := st.next[key]; seq != want {
		st.errs = append(st.errs, fmt.Sprintf("from %d/%d: seq %d, expected %d", d.NodeID, d.PID, seq, want))
	}
	st.next[key] = seq + 1
	if !intact(d.Msg, pid, seq) {
		st.errs = append(st.errs, fmt.Sprintf("from %d/%d: seq %d (%d bytes) corrupted", d.NodeID, d.PID, seq, len(d.Msg)))
	}
	if len(d.Msg) == cpg.MaxMessage {
		st.big++
	}
	var b [12]byte
	binary.LittleEndian.PutUint32(b[:], d.NodeID)
	binary.LittleEndian.PutUint32(b[4:], pid)
	binary.LittleEndian.PutUint32(b[8:], seq)
	h.Write(b[:])
	st.hash = h.Sum64()
	st.changed.Broadcast()
}

// fill writes the pattern of message (pid, seq) after its 8-byte header.
func fill(m []byte, pid, seq uint32) {
	x := pid*2654435761 ^ seq
	for i := 8; i < len(m); i++ {
		x = x*1103515245 + 12345
		m[i] = byte(x >> 16)
	}
}

func intact(m []byte, pid, seq uint32) bool {
	x := pid*2654435761 ^ seq
	for i := 8; i < len(m); i++ {
		x = x*1103515245 + 12345
		if m[i] != byte(x>>16) {
			return false
		}
	}
	return true
}

func addrList(l []cpg.Address) string {
	var parts []string
	for _, a := range l {
		parts = append(parts, fmt.Sprintf("%d/%d:%d", a.NodeID, a.PID, a.Reason))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

type syncWriter struct{ mu sync.Mutex }

func (w *syncWriter) printf(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	fmt.Fprintf(os.Stdout, format, args...)
}
