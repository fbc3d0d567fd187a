package ipc

import (
	"errors"
	"fmt"
	"testing"
)

func TestStatusString(t *testing.T) {
	for s, want := range map[Status]string{
		StatusOK:                "SA_AIS_OK",
		StatusLibrary:           "SA_AIS_ERR_LIBRARY",
		StatusTryAgain:          "SA_AIS_ERR_TRY_AGAIN",
		StatusQueueNotAvailable: "SA_AIS_ERR_QUEUE_NOT_AVAILABLE",
		StatusNoSections:        "SA_AIS_ERR_NO_SECTIONS",
		0:                       "Status(0)",
		28:                      "Status(28)",
		-1:                      "Status(-1)",
	} {
		if got := s.String(); got != want {
			t.Errorf("Status(%d).String() = %q, want %q", int32(s), got, want)
		}
	}
	// Every code from 1 to 27 has a name.
	for s := StatusOK; s <= StatusNoSections; s++ {
		if statusNames[s] == "" {
			t.Errorf("Status %d has no name", int32(s))
		}
	}
}

func TestStatusErrorIs(t *testing.T) {
	err := fmt.Errorf("ckpt open: %w", StatusTryAgain.Err())
	if !errors.Is(err, ErrTryAgain) {
		t.Errorf("errors.Is(%v, ErrTryAgain) = false", err)
	}
	if errors.Is(err, ErrNotExist) {
		t.Errorf("errors.Is(%v, ErrNotExist) = true", err)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Status != StatusTryAgain {
		t.Errorf("errors.As(%v) = %v, want status TRY_AGAIN", err, se)
	}
	if got := err.Error(); got != "ckpt open: ipc: SA_AIS_ERR_TRY_AGAIN" {
		t.Errorf("Error() = %q", got)
	}
	if StatusOK.Err() != nil {
		t.Errorf("StatusOK.Err() = %v, want nil", StatusOK.Err())
	}
	sentinels := []error{ErrLibrary, ErrVersion, ErrInit, ErrTimeout, ErrTryAgain, ErrInvalidParam, ErrNoMemory,
		ErrBadHandle, ErrBusy, ErrAccess, ErrNotExist, ErrNameTooLong, ErrExist, ErrNoSpace, ErrInterrupt,
		ErrNameNotFound, ErrNoResources, ErrNotSupported, ErrBadOperation, ErrFailedOperation, ErrMessageError,
		ErrQueueFull, ErrQueueNotAvailable, ErrBadFlags, ErrTooBig, ErrNoSections}
	for i, e := range sentinels {
		s := Status(i + 2)
		if !errors.Is(s.Err(), e) {
			t.Errorf("%v.Err() does not match sentinel %v", s, e)
		}
	}
}
