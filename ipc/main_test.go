package ipc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
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
	os.Exit(m.Run())
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
