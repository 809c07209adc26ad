package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/interrupt"
	"github.com/trailwatch/trailwatch/internal/safe"
	"github.com/trailwatch/trailwatch/internal/term"
)

// With --output json, an error is also one JSON document on stdout, with a
// kind a script can branch on; a command that printed its own document
// (a report) gets no second one.
func TestJSONErrorDocument(t *testing.T) {
	isolateAWS(t)
	closed := "http://127.0.0.1:1"
	for _, tc := range []struct {
		name string
		args []string
		kind string
		msg  string
	}{
		{"usage", []string{"audit", "--output", "json", "--nope"}, KindUsage, "flag provided but not defined: --nope"},
		{"usage, -o=json", []string{"audit", "-o=json", "now"}, KindUsage, `audit takes no arguments, got ["now"]`},
		{"input", []string{"apply", "/dev/zero", "-o", "json"}, KindInput, "load plan: /dev/zero: is a character device, not a regular file"},
		{"evidence input", []string{"audit", "--evidence", "/dev/zero", "--output=json"}, KindInput, "evidence: /dev/zero: is a character device"},
		{"aws", []string{"audit", "--output", "json", "--region", "us-east-1", "--endpoint-url", closed}, KindAWS,
			"identify the caller: sts:GetCallerIdentity: could not reach " + closed + ": connection refused"},
		{"pattern error", []string{"pattern", "test", "--output", "json"}, KindUsage, "pattern test takes one PATTERN argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_MAX_ATTEMPTS", "1")
			code, out, errOut := run(t, tc.args...)
			if code != exitcode.Error {
				t.Errorf("exit %d", code)
			}
			dec := json.NewDecoder(strings.NewReader(out))
			var doc map[string]map[string]string
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("stdout is not JSON (%v): %q", err, out)
			}
			if dec.More() {
				t.Errorf("more than one document: %q", out)
			}
			if got := doc["error"]["kind"]; got != tc.kind {
				t.Errorf("kind %q, want %q", got, tc.kind)
			}
			msg := doc["error"]["message"]
			if !strings.HasPrefix(msg, tc.msg) || !strings.HasPrefix(errOut, "trailwatch: "+msg+"\n") {
				t.Errorf("message %q, want it to start with %q and be on stderr (%q)", msg, tc.msg, errOut)
			}
			if diff := cmp.Diff([]string{"error"}, keys(doc)); diff != "" {
				t.Errorf("keys (-want +got):\n%s", diff)
			}
		})
	}
	// A report is the one document even when the status is not 0.
	code, out, _ := run(t, "audit", "--output", "json", "--evidence", "../../testdata/evidence/no-metric-filter.json")
	if code != exitcode.Changes || strings.Contains(out, `"error": {`) || strings.Count(out, "\n}") != 1 {
		t.Errorf("exit %d, stdout:\n%s", code, out)
	}
	// Text output: nothing on stdout for an error.
	if _, out, _ := run(t, "apply", "/dev/zero"); out != "" {
		t.Errorf("text mode wrote %q on stdout", out)
	}
}

func keys(m map[string]map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A panic anywhere under a command is an internal error: one message, exit
// 1 (Go's own exit status for a panic, 2, would read as "gaps"), and with
// --output json the error document.
func TestPanicIsInternalError(t *testing.T) {
	app := func(io *term.IO) *cli.App {
		a := NewApp(io)
		a.Commands = append(a.Commands, &cli.Command{Name: "boom", Flags: []cli.Flag{&cli.StringFlag{Name: "output"}},
			Action: func(*cli.Context) error {
				var m map[string]int
				m["x"]++ // a nil map write
				return nil
			}})
		return a
	}
	io, _, out, errOut := term.Test(false)
	code := runApp(context.Background(), []string{"trailwatch", "boom", "--output", "json"}, io, app)
	if code != exitcode.Error {
		t.Errorf("exit %d, want 1", code)
	}
	msg := errOut.String()
	if !strings.HasPrefix(msg, "trailwatch: internal error: assignment to entry in nil map at ") ||
		!strings.Contains(msg, "errors_test.go:") || !strings.Contains(msg, "This is a bug in trailwatch") || strings.Contains(msg, "goroutine") {
		t.Errorf("stderr %q", msg)
	}
	var doc errorDoc
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || doc.Error.Kind != KindInternal {
		t.Errorf("stdout %q (%v)", out.String(), err)
	}
}

// A panic in a goroutine (the audit's reads run in a safe.Group) is the
// same internal error, naming where the goroutine failed; without the
// group Go would end the process with exit 2.
func TestGoroutinePanicIsInternalError(t *testing.T) {
	app := func(io *term.IO) *cli.App {
		a := NewApp(io)
		a.Commands = append(a.Commands, &cli.Command{Name: "boom",
			Action: func(*cli.Context) error {
				var g safe.Group
				g.Go(func() {
					var m map[string]int
					m["x"]++
				})
				g.Wait()
				return nil
			}})
		return a
	}
	io, _, _, errOut := term.Test(false)
	code := runApp(context.Background(), []string{"trailwatch", "boom"}, io, app)
	if code != exitcode.Error {
		t.Errorf("exit %d, want 1", code)
	}
	msg := errOut.String()
	if !strings.HasPrefix(msg, "trailwatch: internal error: assignment to entry in nil map at ") || !strings.Contains(msg, "errors_test.go:") ||
		strings.Count(msg, " at ") != 1 {
		t.Errorf("stderr %q", msg)
	}
}

// An interrupted run exits 130 whatever the command returned, and a bare
// context error reads "interrupted".
func TestInterruptedExit130(t *testing.T) {
	ctx, stop := interrupt.Notify(context.Background(), &bytes.Buffer{}, func(int) {})
	defer stop()
	interrupt.Mark(ctx)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{exitcode.New(exitcode.Error, errors.New("cancelled; nothing was written")), "trailwatch: cancelled; nothing was written\n"},
		{exitcode.Silent(exitcode.Changes), ""},
		{errors.Join(errors.New("audit"), context.Canceled), "trailwatch: interrupted\n"},
	} {
		io, _, _, errOut := term.Test(false)
		if code := finish(ctx, io, false, false, tc.err); code != interrupt.ExitCode {
			t.Errorf("%v: exit %d", tc.err, code)
		}
		if errOut.String() != tc.want {
			t.Errorf("%v: stderr %q, want %q", tc.err, errOut.String(), tc.want)
		}
	}
	if code := finish(ctx, term.System(), false, false, nil); code != 0 {
		t.Errorf("no error after an interrupt: exit %d", code)
	}
}

// Watching stdout keeps a file a file (the forms look for a terminal in
// it) and sees writes made either way.
func TestWatchKeepsFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, seen := watch(f)
	if _, ok := w.(interface{ Fd() uintptr }); !ok {
		t.Fatal("the watched file lost its Fd")
	}
	if _, err := io.WriteString(w, "x"); err != nil || !seen.wrote {
		t.Errorf("WriteString not seen (%v)", err)
	}
	var b bytes.Buffer
	w2, seen2 := watch(&b)
	if _, err := w2.Write(nil); err != nil || seen2.wrote {
		t.Error("an empty write counts")
	}
}
