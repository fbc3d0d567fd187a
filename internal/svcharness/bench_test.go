package svcharness_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"goais/internal/svcharness"
	"goais/service"
	"goais/totem"
)

// toyID is the service id of toy, the service the bench's own scripts
// drive.
const toyID service.ID = 99

// toy is a small sync service that logs every call it gets: the scripts
// in testdata show in what order the bench calls it. In SyncProcess it
// sends one message "hello from N" per round, as SyncSendsOnce wants it;
// a message of fn 7 makes it log at debug level, with a tab in the
// message.
type toy struct {
	env  service.Env
	log  *slog.Logger
	open bool // a round is on and its message not sent
}

func (s *toy) ID() service.ID { return toyID }
func (s *toy) Name() string   { return "toy" }

func (s *toy) Deliver(sender service.NodeID, fn uint16, msg []byte, be bool) {
	switch {
	case fn == 7:
		s.log.Debug("fn 7\tindented")
		return
	case len(msg) < service.HeaderSize:
		s.log.Warn("short message", "from", sender, "bytes", len(msg))
		return
	}
	s.log.Info("deliver", "from", sender, "fn", fn, "body", fmt.Sprintf("%q", msg[service.HeaderSize:]), "be", be)
}

func (s *toy) ConfigChange(cc totem.ConfigChange) {
	s.log.Info("confchg", "type", cc.Type, "ring", cc.Ring, "members", cc.Members, "left", cc.Left, "joined", cc.Joined)
}

func (s *toy) SyncInit(trans, members []service.NodeID, ring service.RingID) {
	s.open = true
	s.log.Info("sync init", "trans", trans, "members", members)
}

func (s *toy) SyncProcess() bool {
	if !s.open {
		return true
	}
	err := s.env.Mcast(1, fmt.Appendf(nil, "hello from %d", s.env.NodeID()))
	if errors.Is(err, service.ErrTryAgain) {
		return false
	}
	if err != nil {
		s.log.Error("giving up", "err", err)
	}
	s.open = false
	return true
}

func (s *toy) SyncActivate() {
	s.open = false
	s.log.Info("activate")
}

func (s *toy) SyncAbort() {
	s.open = false
	s.log.Info("abort")
}

func toyMessage(fn uint16, body []byte) []byte {
	b := service.AppendHeader(nil, toyID, fn, service.HeaderSize+len(body))
	return append(b, body...)
}

// toyDescribe shows a message's fn, length, the size its header claims
// and its byte order.
func toyDescribe(fn uint16, msg []byte, be bool) string {
	if len(msg) < service.HeaderSize {
		return fmt.Sprintf("fn %d (%d bytes, no header)", fn, len(msg))
	}
	return fmt.Sprintf("fn %d (%d bytes, size %d) be=%v", fn, len(msg), svcharness.Order(be).Uint32(msg[8:]), be)
}

// toyRaw builds "raw from=N body=TEXT [fn=F]", or "raw from=N len=L
// [size=S] [fn=F]", in byte order o.
func toyRaw(d *svcharness.Case, _ service.NodeID, o binary.ByteOrder) (uint16, []byte) {
	fn := uint16(d.Num("fn", 1))
	if d.Has("len") {
		return fn, d.Sized(o, toyID, fn)
	}
	body := d.Str("body", "")
	b := make([]byte, service.HeaderSize, service.HeaderSize+len(body))
	o.PutUint32(b, uint32(toyID)<<16|uint32(fn))
	o.PutUint32(b[8:], uint32(service.HeaderSize+len(body)))
	return fn, append(b, body...)
}

// bench is the bench of the scripts in testdata, with the commands of
// toy's harness besides the shared ones:
//
//	nodes ids=a,b,…   start toy nodes
//	restart node=N    restart one
//	crash node=N      take one off the bench
//	say node=N text=… a line of node N's output
//	state             each node's ring, members and last activated ring,
//	                  whether the bench is quiet, how many checks ran
type bench struct {
	*svcharness.Cluster[*toy]
	checks int
}

func newBench(t *testing.T) *bench {
	b := new(bench)
	b.Cluster = svcharness.New[*toy](t, svcharness.Config{
		Message:  toyMessage,
		Describe: toyDescribe,
		Refused:  func(fn uint16) string { return fmt.Sprintf("env: fn %d refused", fn) },
		Raw:      toyRaw,
		LogLevel: slog.LevelInfo,
		Commands: b.command,
		Check:    func(string) { b.checks++ },
	})
	return b
}

func (b *bench) start(n *svcharness.Node[*toy]) *toy { return &toy{env: n, log: b.Logger(n.ID)} }

func (b *bench) command(d *svcharness.Case) bool {
	switch d.Cmd {
	case "nodes":
		for _, id := range d.IDs("ids") {
			b.Add(id, b.start)
		}
	case "restart":
		b.Restart(service.NodeID(d.Need("node")), b.start)
	case "crash":
		b.Remove(service.NodeID(d.Need("node")))
	case "say":
		b.Say(service.NodeID(d.Need("node")), "%s", d.Str("text", ""))
	case "state":
		for _, n := range b.Nodes {
			b.Say(n.ID, "ring=%v members=%v active=%v quiet=%v checks=%d", n.Ring, n.Members, n.Active, b.Quiet(), b.checks)
		}
	default:
		return false
	}
	return true
}

func TestScripts(t *testing.T) {
	svcharness.Run(t, func(t *testing.T) func(*svcharness.Case) string { return newBench(t).Do })
}

func TestInput(t *testing.T) {
	in := svcharness.NewInput([]byte{1, 2, 3, 0b100100})
	if in.Byte() != 1 || in.Len() != 3 {
		t.Fatal("Byte")
	}
	if b := in.Bytes(2); string(b) != "\x02\x03" || in.Len() != 1 {
		t.Fatalf("Bytes: %v", b)
	}
	if m := in.Members(5); fmt.Sprint(m) != "[1 2 5]" {
		t.Fatalf("Members: %v", m)
	}
	if in.Byte() != 0 || len(in.Bytes(3)) != 0 || in.Len() != 0 {
		t.Fatal("past the end")
	}
}

func TestEnv(t *testing.T) {
	env := &svcharness.Env{ID: 4, Message: toyMessage}
	if env.NodeID() != 4 {
		t.Fatal(env.NodeID())
	}
	env.Full = true
	if err := env.Mcast(1, []byte("a")); !errors.Is(err, service.ErrTryAgain) || len(env.Sent) != 0 {
		t.Fatalf("full: %v, %d sent", err, len(env.Sent))
	}
	broken := errors.New("broken")
	env.Full, env.Err = false, broken
	if err := env.Mcast(1, []byte("a")); err != broken || len(env.Sent) != 0 {
		t.Fatalf("broken: %v, %d sent", err, len(env.Sent))
	}
	env.Err = nil
	if err := env.Mcast(2, []byte("ab")); err != nil || len(env.Sent) != 1 || len(env.Sent[0]) != service.HeaderSize+2 {
		t.Fatalf("%v, sent %x", err, env.Sent)
	}
}

func TestSyncSendsOnce(t *testing.T) {
	env := &svcharness.Env{ID: 1, Message: toyMessage}
	svcharness.SyncSendsOnce(t, env, &toy{env: env, log: slog.New(slog.DiscardHandler)})
}

func TestConn(t *testing.T) {
	var c service.Conn = &svcharness.Conn{ConnID: 3, PID: 77}
	c.Respond(1, 2, 0, []byte("x"))
	c.Callback(1, nil)
	if c.ID() != 3 || c.Cred().PID != 77 || c.Backlog() != 0 {
		t.Fatalf("%d %+v %d", c.ID(), c.Cred(), c.Backlog())
	}
}

func TestPayload(t *testing.T) {
	for _, tt := range []struct {
		in   []byte
		want string
	}{
		{[]byte("hi"), `"hi"`},
		{nil, `""`},
		{[]byte{0}, "1 bytes sha256:6e340b9cffb3"},
		{svcharness.Pattern(65), "65 bytes sha256:"},
	} {
		if got := svcharness.Payload(tt.in); got[:min(len(got), len(tt.want))] != tt.want {
			t.Errorf("Payload(%x) = %s, want %s…", tt.in, got, tt.want)
		}
	}
	if p := svcharness.Pattern(3); fmt.Sprint(p) != "[0 7 14]" {
		t.Fatalf("Pattern: %v", p)
	}
}

// The helpers of decoder fuzz targets, on toy's messages: a message is
// accepted if its size field matches its length.
func FuzzToyDecode(f *testing.F) {
	encode := func(body string, o binary.ByteOrder) ([]byte, error) {
		b := make([]byte, service.HeaderSize, service.HeaderSize+len(body))
		o.PutUint32(b, uint32(toyID)<<16|1)
		o.PutUint32(b[8:], uint32(len(b)+len(body)))
		return append(b, body...), nil
	}
	decode := func(msg []byte, be bool) (string, error) {
		if len(msg) < service.HeaderSize || int(svcharness.Order(be).Uint32(msg[8:])) != len(msg) {
			return "", errors.New("malformed")
		}
		return string(msg[service.HeaderSize:]), nil
	}
	svcharness.Seeds(f, 16, func(o binary.ByteOrder) ([]byte, error) { return encode("hello", o) })
	f.Fuzz(func(t *testing.T, msg []byte, be bool) {
		if m, err := decode(msg, be); err == nil {
			svcharness.RoundTrip(t, m, be, encode, decode, nil)
			svcharness.RoundTrip(t, m, be, encode, decode, func(a, b string) bool { return a == b })
		}
	})
}
