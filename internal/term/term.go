// Package term holds the streams a command writes to and knows whether they
// are terminals, so colour and prompts can be decided (and tested) in one place.
package term

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IO is a command's view of its standard streams.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	noColor               bool
}

// System returns the process's streams.
func System() *IO {
	return &IO{
		In:      os.Stdin,
		Out:     os.Stdout,
		ErrOut:  os.Stderr,
		inTTY:   isTerminal(os.Stdin),
		outTTY:  isTerminal(os.Stdout),
		errTTY:  isTerminal(os.Stderr),
		noColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
	}
}

// Test returns buffered streams; tty says whether they pretend to be a terminal.
func Test(tty bool) (*IO, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IO{In: in, Out: out, ErrOut: errOut, inTTY: tty, outTTY: tty}, in, out, errOut
}

// SetNoColor forces colour off (tests, --no-color).
func (s *IO) SetNoColor(v bool) { s.noColor = v }

// Color is true when stdout is a terminal and NO_COLOR is unset.
func (s *IO) Color() bool { return s.outTTY && !s.noColor }

// CanPrompt is true only when both stdin and stdout are terminals, so a
// pipeline never hangs on a question.
func (s *IO) CanPrompt() bool { return s.inTTY && s.outTTY }

// IsOutTTY reports whether stdout is a terminal.
func (s *IO) IsOutTTY() bool { return s.outTTY }

// IsErrTTY reports whether stderr is a terminal: where a status line may be
// drawn and erased. Test streams never are, unless SetErrTTY says so.
func (s *IO) IsErrTTY() bool { return s.errTTY }

// SetErrTTY makes stderr count as a terminal (tests of the status line).
func (s *IO) SetErrTTY(v bool) { s.errTTY = v }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
