package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Environment variables that turn the test binary into a client helper,
// re-executed under other credentials by the credential tests.
const (
	helperEnv       = "GOAIS_IPC_TEST_HELPER"
	helperSocketEnv = "GOAIS_IPC_TEST_SOCKET"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "dial" {
		os.Exit(helperDial(os.Getenv(helperSocketEnv)))
	}
	code := m.Run()
	if code == 0 {
		if leaked := leakedGoroutines(); leaked != "" {
			fmt.Fprintf(os.Stderr, "goroutines of package ipc still running after the tests:\n%s\n", leaked)
			code = 1
		}
	}
	os.Exit(code)
}

// leakedGoroutines returns the stacks of goroutines still running code of
// this package. Every Close in the package waits for its goroutines, so
// after the tests there should be none; the bounded retry only covers a
// goroutine between its last deferred call and its exit.
func leakedGoroutines() string {
	deadline := time.Now().Add(waitLimit)
	for {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		var leaked []string
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "goais/ipc.") && !strings.Contains(g, "goais/ipc.TestMain") && !strings.Contains(g, "goais/ipc.leakedGoroutines") {
				leaked = append(leaked, g)
			}
		}
		if len(leaked) == 0 || time.Now().After(deadline) {
			return strings.Join(leaked, "\n\n")
		}
		time.Sleep(time.Millisecond)
	}
}

// helperDial connects, makes one Call and prints what happened on one line
// for the parent test.
func helperDial(path string) int {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := Dial(ctx, path, 1)
	switch {
	case errors.Is(err, ErrAccess):
		fmt.Printf("REFUSED %v\n", err)
		return 0
	case err != nil:
		fmt.Printf("ERROR %v\n", err)
		return 1
	}
	defer c.Close()
	resp, err := c.Call(ctx, 1, []byte("from the helper"))
	if err != nil {
		fmt.Printf("ERROR %v\n", err)
		return 1
	}
	fmt.Printf("OK %s\n", resp)
	return 0
}
