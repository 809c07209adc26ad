package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// savedPlans returns a plan file for every fixture that can be saved (one
// that needs no more choices), for seeding.
func savedPlans(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, fx := range fixtures() {
		p, err := Build(fx.report(), fx.choices, fx.lookups)
		if err != nil || len(p.Missing()) > 0 {
			continue
		}
		var buf bytes.Buffer
		if err := Encode(&buf, p, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
			tb.Fatalf("%s: %v", fx.name, err)
		}
		out = append(out, buf.Bytes())
	}
	if len(out) == 0 {
		tb.Fatal("no fixture makes a plan that can be saved")
	}
	return out
}

// checkDecode asserts what Decode promises for any input: a clear error, or
// a plan that re-encodes and decodes to the same plan.
func checkDecode(t *testing.T, data []byte) {
	t.Helper()
	s, err := Decode(bytes.NewReader(data))
	if err != nil {
		msg := err.Error()
		switch {
		case s != nil:
			t.Fatalf("Decode returned a plan and the error %v", err)
		case errors.Is(err, ErrCorrupt):
			if len(strings.TrimSpace(strings.TrimPrefix(msg, ErrCorrupt.Error()+":"))) == 0 || msg == ErrCorrupt.Error() {
				t.Fatalf("error %q does not say what is damaged", msg)
			}
		case strings.HasPrefix(msg, "plan file format "):
		default:
			t.Fatalf("error %q is neither ErrCorrupt nor the format version", msg)
		}
		return
	}
	var buf bytes.Buffer
	if err := Encode(&buf, s.Plan, s.Created); err != nil {
		t.Fatalf("a decoded plan does not encode: %v", err)
	}
	first := buf.Bytes()
	back, err := Decode(bytes.NewReader(first))
	if err != nil {
		t.Fatalf("a decoded plan, encoded again, does not decode: %v\n%s", err, first)
	}
	// Encode takes the file's account and region from the plan, and Decode
	// does not (yet) check that a file's agree with its plan's, so only the
	// plan and the metadata Encode keeps are compared here.
	if diff := cmp.Diff(s.Plan, back.Plan, cmpOpts); diff != "" {
		t.Errorf("decode, encode, decode changed the plan (-decoded +again):\n%s", diff)
	}
	if !s.Created.Equal(back.Created) || s.FormatVersion != back.FormatVersion || s.StateDigest != back.StateDigest {
		t.Errorf("decode, encode, decode changed the metadata: %+v, then %+v", s, back)
	}
	var again bytes.Buffer
	if err := Encode(&again, back.Plan, back.Created); err != nil {
		t.Fatalf("second encode: %v", err)
	}
	if !bytes.Equal(first, again.Bytes()) {
		t.Errorf("encoding is not stable:\n%s\n---\n%s", first, again.Bytes())
	}
}

// FuzzDecode: Decode never panics on any file. Damage is ErrCorrupt with
// the reason (or the format-version message); an accepted plan re-encodes
// and decodes to the same plan. Random bytes rarely keep the checksum, so
// FuzzDecodeBody reaches the checks behind it.
func FuzzDecode(f *testing.F) {
	for _, b := range savedPlans(f) {
		f.Add(b)
		f.Add(b[:len(b)/2])
	}
	f.Add([]byte(`{"format":"trailwatch-plan","checksum":"sha256:x"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// withChecksum wraps a plan body in an envelope with its correct checksum,
// as a file someone edited and re-summed would be. ok is false when body is
// not JSON (no envelope can hold it).
func withChecksum(body []byte) ([]byte, bool) {
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return nil, false
	}
	sum := sha256.Sum256(compact.Bytes())
	b, err := json.Marshal(envelope{Format: formatName, Checksum: "sha256:" + hex.EncodeToString(sum[:]), Body: compact.Bytes()})
	return b, err == nil
}

// FuzzDecodeBody fuzzes the plan inside the envelope: the checksum is
// recomputed for every input, and, where the body holds a plan, so is the
// state digest, so the structural checks behind them (format version, steps,
// dependencies, choices, missing endpoints) see every mutation.
func FuzzDecodeBody(f *testing.F) {
	for _, b := range savedPlans(f) {
		var env envelope
		if err := json.Unmarshal(b, &env); err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(env.Body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if file, ok := withChecksum(body); ok {
			checkDecode(t, file)
		}
		var s Saved
		if err := json.Unmarshal(body, &s); err != nil || s.Plan == nil {
			return
		}
		s.StateDigest = s.Plan.State.Digest()
		redone, err := json.Marshal(s)
		if err != nil {
			return // e.g. an action MarshalText refuses
		}
		if file, ok := withChecksum(redone); ok {
			checkDecode(t, file)
		}
	})
}
