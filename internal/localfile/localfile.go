// Package localfile reads the local files trailwatch is given (a plan, an
// evidence file) and checks the ones the AWS SDK reads for it (the shared
// config and credentials files). A path to a FIFO blocks a reader forever, a
// path to /dev/zero or to a huge file exhausts memory, and a directory makes
// no sense: each is refused with an error that says what the path is.
package localfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Size limits, each far above any real file of its kind, so that only a
// wrong path reaches them.
const (
	// PlanLimit: a saved plan is tens of kilobytes.
	PlanLimit = 16 << 20
	// EvidenceLimit: an evidence file holds every response an audit read; an
	// account with thousands of alarms makes a few megabytes.
	EvidenceLimit = 128 << 20
	// ConfigLimit: a shared AWS config or credentials file, even one
	// generated for thousands of profiles, is a few megabytes.
	ConfigLimit = 64 << 20
)

// Error says why a local file was refused. Its message starts with the path.
type Error struct {
	Path    string
	Problem string
}

func (e *Error) Error() string { return e.Path + ": " + e.Problem }

// Read returns the content of the regular file at path. It refuses anything
// else (a directory, a named pipe, a device, a socket) and a file larger than
// limit bytes, without reading it.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, fi, limit); err != nil {
		return nil, err
	}
	// The path may have been replaced since Stat: open without blocking (a
	// FIFO would wait for a writer) and check what was opened.
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, err
	}
	if err := check(path, fi, limit); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, tooLarge(path, int64(len(b)), limit)
	}
	return b, nil
}

// Check reports an error when path exists and is not a regular file, or is
// larger than limit bytes, for files another library reads. A missing file
// is not an error: the reader decides what that means.
func Check(path string, limit int64) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return check(path, fi, limit)
}

func check(path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &Error{Path: path, Problem: "is " + describe(fi.Mode()) + ", not a regular file"}
	}
	if fi.Size() > limit {
		return tooLarge(path, fi.Size(), limit)
	}
	return nil
}

func tooLarge(path string, size, limit int64) error {
	return &Error{Path: path, Problem: fmt.Sprintf("is %s, larger than the %s any real file of this kind needs; check the path", mib(size), mib(limit))}
}

func mib(n int64) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a plain file (" + m.Type().String() + ")"
}
