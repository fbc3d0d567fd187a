package ipc

import "strconv"

// Status is an SA Forum AIS / corosync error code as carried in the status
// field of responses and hello-replies. The values are those of SaAisErrorT
// (and corosync's cs_error_t, which shares them).
type Status int32

// The SA Forum error codes.
const (
	StatusOK                Status = 1
	StatusLibrary           Status = 2
	StatusVersion           Status = 3
	StatusInit              Status = 4
	StatusTimeout           Status = 5
	StatusTryAgain          Status = 6
	StatusInvalidParam      Status = 7
	StatusNoMemory          Status = 8
	StatusBadHandle         Status = 9
	StatusBusy              Status = 10
	StatusAccess            Status = 11
	StatusNotExist          Status = 12
	StatusNameTooLong       Status = 13
	StatusExist             Status = 14
	StatusNoSpace           Status = 15
	StatusInterrupt         Status = 16
	StatusNameNotFound      Status = 17
	StatusNoResources       Status = 18
	StatusNotSupported      Status = 19
	StatusBadOperation      Status = 20
	StatusFailedOperation   Status = 21
	StatusMessageError      Status = 22
	StatusQueueFull         Status = 23
	StatusQueueNotAvailable Status = 24
	StatusBadFlags          Status = 25
	StatusTooBig            Status = 26
	StatusNoSections        Status = 27
)

var statusNames = [...]string{
	StatusOK:                "SA_AIS_OK",
	StatusLibrary:           "SA_AIS_ERR_LIBRARY",
	StatusVersion:           "SA_AIS_ERR_VERSION",
	StatusInit:              "SA_AIS_ERR_INIT",
	StatusTimeout:           "SA_AIS_ERR_TIMEOUT",
	StatusTryAgain:          "SA_AIS_ERR_TRY_AGAIN",
	StatusInvalidParam:      "SA_AIS_ERR_INVALID_PARAM",
	StatusNoMemory:          "SA_AIS_ERR_NO_MEMORY",
	StatusBadHandle:         "SA_AIS_ERR_BAD_HANDLE",
	StatusBusy:              "SA_AIS_ERR_BUSY",
	StatusAccess:            "SA_AIS_ERR_ACCESS",
	StatusNotExist:          "SA_AIS_ERR_NOT_EXIST",
	StatusNameTooLong:       "SA_AIS_ERR_NAME_TOO_LONG",
	StatusExist:             "SA_AIS_ERR_EXIST",
	StatusNoSpace:           "SA_AIS_ERR_NO_SPACE",
	StatusInterrupt:         "SA_AIS_ERR_INTERRUPT",
	StatusNameNotFound:      "SA_AIS_ERR_NAME_NOT_FOUND",
	StatusNoResources:       "SA_AIS_ERR_NO_RESOURCES",
	StatusNotSupported:      "SA_AIS_ERR_NOT_SUPPORTED",
	StatusBadOperation:      "SA_AIS_ERR_BAD_OPERATION",
	StatusFailedOperation:   "SA_AIS_ERR_FAILED_OPERATION",
	StatusMessageError:      "SA_AIS_ERR_MESSAGE_ERROR",
	StatusQueueFull:         "SA_AIS_ERR_QUEUE_FULL",
	StatusQueueNotAvailable: "SA_AIS_ERR_QUEUE_NOT_AVAILABLE",
	StatusBadFlags:          "SA_AIS_ERR_BAD_FLAGS",
	StatusTooBig:            "SA_AIS_ERR_TOO_BIG",
	StatusNoSections:        "SA_AIS_ERR_NO_SECTIONS",
}

// String returns the SA Forum name, e.g. "SA_AIS_ERR_TRY_AGAIN", or
// "Status(N)" for a value outside the table.
func (s Status) String() string {
	if s > 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Err returns nil for StatusOK and a *StatusError for anything else.
func (s Status) Err() error {
	if s == StatusOK {
		return nil
	}
	return &StatusError{Status: s}
}

// StatusError is a non-OK status from the executive. errors.Is matches it
// against any StatusError with the same Status, so callers test with the
// sentinels: errors.Is(err, ipc.ErrTryAgain).
type StatusError struct {
	Status Status
}

func (e *StatusError) Error() string { return "ipc: " + e.Status.String() }

// Is reports whether target is a *StatusError with the same status.
func (e *StatusError) Is(target error) bool {
	t, ok := target.(*StatusError)
	return ok && t.Status == e.Status
}

// Sentinels for errors.Is, one per non-OK status.
var (
	ErrLibrary           error = &StatusError{StatusLibrary}
	ErrVersion           error = &StatusError{StatusVersion}
	ErrInit              error = &StatusError{StatusInit}
	ErrTimeout           error = &StatusError{StatusTimeout}
	ErrTryAgain          error = &StatusError{StatusTryAgain}
	ErrInvalidParam      error = &StatusError{StatusInvalidParam}
	ErrNoMemory          error = &StatusError{StatusNoMemory}
	ErrBadHandle         error = &StatusError{StatusBadHandle}
	ErrBusy              error = &StatusError{StatusBusy}
	ErrAccess            error = &StatusError{StatusAccess}
	ErrNotExist          error = &StatusError{StatusNotExist}
	ErrNameTooLong       error = &StatusError{StatusNameTooLong}
	ErrExist             error = &StatusError{StatusExist}
	ErrNoSpace           error = &StatusError{StatusNoSpace}
	ErrInterrupt         error = &StatusError{StatusInterrupt}
	ErrNameNotFound      error = &StatusError{StatusNameNotFound}
	ErrNoResources       error = &StatusError{StatusNoResources}
	ErrNotSupported      error = &StatusError{StatusNotSupported}
	ErrBadOperation      error = &StatusError{StatusBadOperation}
	ErrFailedOperation   error = &StatusError{StatusFailedOperation}
	ErrMessageError      error = &StatusError{StatusMessageError}
	ErrQueueFull         error = &StatusError{StatusQueueFull}
	ErrQueueNotAvailable error = &StatusError{StatusQueueNotAvailable}
	ErrBadFlags          error = &StatusError{StatusBadFlags}
	ErrTooBig            error = &StatusError{StatusTooBig}
	ErrNoSections        error = &StatusError{StatusNoSections}
)
