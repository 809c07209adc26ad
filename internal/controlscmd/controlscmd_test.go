package controlscmd

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/golden"
	"github.com/trailwatch/trailwatch/internal/term"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func runApp(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	io, _, out, errOut := term.Test(false)
	app := &cli.App{
		Name:           "trailwatch",
		Writer:         io.Out,
		ErrWriter:      io.ErrOut,
		ExitErrHandler: func(*cli.Context, error) {},
		Commands:       []*cli.Command{Command(func() *term.IO { return io })},
	}
	err := app.RunContext(context.Background(), append([]string{"trailwatch", "controls"}, args...))
	if err != nil && err.Error() != "" {
		fmt.Fprintf(errOut, "trailwatch: %s\n", err)
	}
	return exitcode.Of(err), out.String(), errOut.String()
}

func TestControls(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"list", nil, 0},
		{"list_json", []string{"--output", "json"}, 0},
		{"show_4.1", []string{"4.1"}, 0},
		{"show_by_security_hub_id", []string{"CloudWatch.5"}, 0},
		{"show_json", []string{"-o", "json", "5.13"}, 0},
		{"show_4.16", []string{"4.16"}, 0},
		{"unknown", []string{"9.9"}, 1},
		{"two_ids", []string{"4.1", "4.2"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runApp(t, tt.args...)
			if diff := cmp.Diff(tt.code, code); diff != "" {
				t.Errorf("exit status (-want +got):\n%s%s", diff, errOut)
			}
			got := "--- stdout\n" + out + "--- stderr\n" + errOut
			golden.File(t, filepath.Join("testdata", tt.name+".golden"), []byte(got), *update)
		})
	}
}
