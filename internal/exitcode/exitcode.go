// Package exitcode carries a process exit status inside an error so that
// commands return errors and only main decides how the process ends.
package exitcode

import "errors"

// Terraform's detailed exit codes, which pipelines already gate on.
const (
	OK      = 0
	Error   = 1
	Changes = 2 // gaps found, steps pending, pattern does not cover
)

// Err is an error with an exit status. A nil Err inside means the command
// already printed what it had to say and only the status is left.
type Err struct {
	Code int
	Err  error
}

func (e *Err) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *Err) Unwrap() error { return e.Err }

// New wraps err with code. New(2, nil) is a silent "changes" status.
func New(code int, err error) error { return &Err{Code: code, Err: err} }

// Silent reports a status without a message.
func Silent(code int) error { return &Err{Code: code} }

// Of returns the exit status for err: 0 for nil, the carried code, or 1.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Err
	if errors.As(err, &e) {
		return e.Code
	}
	return Error
}
