package pattern

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExampleRecords(t *testing.T) {
	for _, e := range knownEventNames() {
		recs := ExampleRecords(e)
		if len(recs) == 0 {
			t.Errorf("ExampleRecords(%q) is empty", e)
			continue
		}
		types := map[string]bool{}
		var ok, failed int
		for _, text := range recs {
			var r map[string]any
			if err := json.Unmarshal([]byte(text), &r); err != nil {
				t.Fatalf("ExampleRecords(%q): not JSON: %v\n%s", e, err, text)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(text)); err != nil || compact.String() != text {
				t.Errorf("ExampleRecords(%q): not compact JSON: %s", e, text)
			}
			if !strings.HasPrefix(text, `{"eventVersion":"1.09","userIdentity":{"type":"`) {
				t.Errorf("ExampleRecords(%q): not in CloudTrail's key order: %s", e, text)
			}
			if diff := cmp.Diff(e, r["eventName"]); diff != "" {
				t.Errorf("ExampleRecords(%q) eventName (-want +got):\n%s", e, diff)
			}
			want := exampleSources(e)
			src, _ := r["eventSource"].(string)
			if !strings.Contains(strings.Join(want, " "), src) || src == "" {
				t.Errorf("ExampleRecords(%q) eventSource %q, want one of %v", e, src, want)
			}
			types[r["userIdentity"].(map[string]any)["type"].(string)] = true
			_, code := r["errorCode"]
			_, msg := r["errorMessage"]
			if code || msg {
				failed++
			} else {
				ok++
			}
		}
		if diff := cmp.Diff(map[string]bool{"IAMUser": true, "AssumedRole": true, "Root": true}, types); diff != "" {
			t.Errorf("ExampleRecords(%q) callers (-want +got):\n%s", e, diff)
		}
		if ok == 0 || failed == 0 {
			t.Errorf("ExampleRecords(%q): %d successful and %d failed calls, want both", e, ok, failed)
		}
	}
	if got := ExampleRecords("NoSuchCall"); got != nil {
		t.Errorf("ExampleRecords of an unknown event = %v, want nil", got)
	}
}

// TestWriteStringAsEncodingJSON: records are written by hand for speed;
// strings must come out as encoding/json writes them.
func TestWriteStringAsEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "tab\tnl\ncr\r", "\x00\x1f", "<&>", "é ü 漢", "\u2028\u2029", "bad\xffutf8"} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		writeString(&got, s)
		if diff := cmp.Diff(strings.TrimSuffix(want.String(), "\n"), got.String()); diff != "" {
			t.Errorf("writeString(%q) (-want +got):\n%s", s, diff)
		}
	}
}
