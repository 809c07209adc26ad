package evidence_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/evidence"
)

// fuzzPath is the file name Parse is given; every error must name it.
const fuzzPath = "fuzz.json"

// FuzzParse: Parse never panics. A file it rejects gets an error that names
// the file and says what is wrong. A file it accepts audits without panicking,
// and recording that audit and parsing the recording again audits the same:
// what the recorder writes, the parser reads back.
//
// The seed corpus in testdata/fuzz/FuzzParse holds every shipped example
// under testdata/evidence; f.Add adds the same files here in case the corpus
// directory is pruned.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(evidenceDir, "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no evidence examples in %s: %v", evidenceDir, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(handWritten))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := evidence.Parse(fuzzPath, data)
		if err != nil {
			prefix := "evidence file " + fuzzPath + ": "
			if msg := err.Error(); !strings.HasPrefix(msg, prefix) || len(strings.TrimSpace(msg)) <= len(prefix) {
				t.Fatalf("error %q does not name the file and say what is wrong", msg)
			}
			if r != nil {
				t.Fatalf("Parse returned clients and the error %v", err)
			}
			return
		}
		ctx := context.Background()
		first := auditJSON(t, r)

		rec := evidence.NewRecorder(r)
		if _, err := audit.Run(ctx, rec, audit.Options{}); err != nil {
			t.Fatalf("audit through the recorder: %v", err)
		}
		file, err := rec.File()
		if err != nil {
			t.Fatalf("recorded file: %v", err)
		}
		b, err := json.Marshal(file)
		if err != nil {
			t.Fatalf("marshal the recording: %v", err)
		}
		again, err := evidence.Parse("recorded.json", b)
		if err != nil {
			t.Fatalf("the recording of an accepted file does not parse: %v\n%s", err, b)
		}
		if diff := cmp.Diff(first, auditJSON(t, again)); diff != "" {
			t.Errorf("audit of the recording differs (-original +recording):\n%s", diff)
		}
	})
}

// auditJSON audits c and returns the JSON report as a generic value.
func auditJSON(t *testing.T, c audit.Clients) any {
	t.Helper()
	rep, err := audit.Run(context.Background(), c, audit.Options{})
	if err != nil {
		t.Fatalf("audit: %v", err)
	}
	var buf bytes.Buffer
	if err := audit.WriteJSON(&buf, rep); err != nil {
		t.Fatalf("render the report: %v", err)
	}
	var v any
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatalf("report JSON: %v", err)
	}
	return v
}
