package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/interrupt"
	"github.com/trailwatch/trailwatch/internal/localfile"
	"github.com/trailwatch/trailwatch/internal/safe"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/plan"
)

// Error kinds in the --output json error document, for scripts to branch on.
const (
	KindUsage       = "usage"       // the command line itself is wrong
	KindInput       = "input"       // a local file (plan, evidence, AWS config) is refused or damaged
	KindAWS         = "aws"         // AWS could not be reached or refused a call
	KindTimeout     = "timeout"     // --timeout ran out
	KindInterrupted = "interrupted" // Ctrl-C or SIGTERM
	KindInternal    = "internal"    // a bug in trailwatch
	KindError       = "error"       // anything else: a refusal, an unknown verdict...
)

// errorDoc is what `--output json` prints on stdout for an error, so a script
// reading stdout always gets one JSON document.
type errorDoc struct {
	Error struct {
		Message string `json:"message"`
		Kind    string `json:"kind"`
	} `json:"error"`
}

// finish turns the command's error into the exit status and the words on
// stderr (and, with --output json, on stdout when the command wrote nothing
// there). It is the only place errors become messages.
func finish(ctx context.Context, io *term.IO, jsonOut, stdoutUsed bool, err error) int {
	if err == nil {
		return exitcode.OK
	}
	code, kind := exitcode.Of(err), kindOf(err)
	msg := awserr.Explain(err)
	if interrupt.Interrupted(ctx) {
		code, kind = interrupt.ExitCode, KindInterrupted
		if errors.Is(err, context.Canceled) && strings.Contains(msg, "context canceled") {
			msg = "interrupted"
		}
	}
	if msg == "" {
		return code // the command already said everything
	}
	if kind == KindTimeout || kind == KindInternal {
		code = exitcode.Error // whatever the command had said before it stopped
	}
	fmt.Fprintf(io.ErrOut, "trailwatch: %s\n", msg)
	var ue *cliflags.UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(io.ErrOut, "Usage: %s\n", cliflags.UsageLine(ue.Command))
		help := "trailwatch"
		if c := ue.Command; c != nil {
			help = c.HelpName
			if help == "" {
				help = "trailwatch " + c.Name
			}
		}
		fmt.Fprintf(io.ErrOut, "Run '%s --help' for the options and examples.\n", help)
	}
	if jsonOut && !stdoutUsed {
		var doc errorDoc
		doc.Error.Message, doc.Error.Kind = msg, kind
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		_ = enc.Encode(doc)
	}
	return code
}

func kindOf(err error) string {
	var ue *cliflags.UsageError
	var te *timeoutError
	var ie *internalError
	var le *localfile.Error
	var oe *smithy.OperationError
	var re *awsx.UnknownRegionError
	switch {
	case errors.As(err, &ie):
		return KindInternal
	case errors.As(err, &te):
		return KindTimeout
	case errors.As(err, &ue):
		return KindUsage
	case errors.As(err, &le), errors.Is(err, plan.ErrCorrupt):
		return KindInput
	case errors.As(err, &oe), errors.As(err, &re):
		return KindAWS
	}
	return KindError
}

// internalError is a panic, recovered at the top so that a crash is a
// message and exit 1, never Go's stack trace and exit 2 ("gaps").
type internalError struct {
	value any
	where string // the function that panicked, file:line
}

func (e *internalError) Error() string {
	msg := fmt.Sprintf("internal error: %v", e.value)
	if e.where != "" {
		msg += " at " + e.where
	}
	return msg + ". This is a bug in trailwatch: please report it with the command you ran and this message"
}

// recovered builds the internalError for a recovered panic; it must be
// called from the deferred function that recovered.
func recovered(v any) *internalError {
	if p, ok := v.(safe.Panic); ok {
		// Raised again by a safe.Group: where names the goroutine's fault.
		return &internalError{value: p.Value, where: p.Where}
	}
	pcs := make([]uintptr, 32)
	n := runtime.Callers(3, pcs)
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return &internalError{value: v, where: fmt.Sprintf("%s (%s:%d)", f.Function, filepath.Base(f.File), f.Line)}
		}
		if !more {
			return &internalError{value: v}
		}
	}
}

// watchedWriter notes whether anything was written through it.
type watchedWriter struct {
	w     io.Writer
	wrote bool
}

func (w *watchedWriter) Write(p []byte) (int, error) {
	w.wrote = w.wrote || len(p) > 0
	return w.w.Write(p)
}

// watchedFile is a watchedWriter over a file that stays a file (a
// terminal, to the forms), with every write going through the watch.
type watchedFile struct {
	*os.File
	w *watchedWriter
}

func (f watchedFile) Write(p []byte) (int, error)       { return f.w.Write(p) }
func (f watchedFile) WriteString(s string) (int, error) { return f.w.Write([]byte(s)) }

// watch wraps w so that writes are noted in the returned watchedWriter.
func watch(w io.Writer) (io.Writer, *watchedWriter) {
	ww := &watchedWriter{w: w}
	if f, ok := w.(*os.File); ok {
		return watchedFile{File: f, w: ww}, ww
	}
	return ww, ww
}

// jsonRequested reports whether the command line asks for --output json,
// read from the raw arguments so that it is known even when they do not
// parse.
func jsonRequested(args []string) bool {
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || (name != cliflags.Output && name != "o") {
			continue
		}
		if !hasValue && i+1 < len(args) {
			value = args[i+1]
		}
		if value == string(cliflags.JSON) {
			return true
		}
	}
	return false
}
