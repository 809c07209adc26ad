package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/chain"
)

func savedPlan(t *testing.T) (*Plan, []byte) {
	t.Helper()
	fx := byName("everything")
	p, err := Build(fx.report(), fx.choices, fx.lookups)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, p, time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return p, buf.Bytes()
}

func TestSaveLoadRoundTrip(t *testing.T) {
	p, _ := savedPlan(t)
	path := filepath.Join(t.TempDir(), "plan.json")
	if err := Save(path, p, time.Now()); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, s.Plan, cmpOpts); diff != "" {
		t.Errorf("(-saved +loaded):\n%s", diff)
	}
	if s.StateDigest != p.State.Digest() || s.Account != acct || s.FormatVersion != FormatVersion {
		t.Errorf("metadata = %+v", s)
	}
}

func TestLoadRejectsDamage(t *testing.T) {
	_, good := savedPlan(t)
	cases := map[string][]byte{
		"truncated":      good[:len(good)/2],
		"empty":          nil,
		"not json":       []byte("hello"),
		"changed value":  bytes.Replace(good, []byte(`secops@example.com`), []byte(`evil@example.com`), 1),
		"changed action": bytes.Replace(good, []byte(`"action": "+"`), []byte(`"action": "~"`), 1),
		"wrong checksum": bytes.Replace(good, []byte(`"checksum": "sha256:`), []byte(`"checksum": "sha256:00`), 1),
		"other format":   bytes.Replace(good, []byte(`trailwatch-plan`), []byte(`terraform-plan`), 1),
		"no body":        []byte(`{"format":"trailwatch-plan","checksum":"sha256:x"}`),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			if name != "empty" && name != "not json" && name != "truncated" && name != "no body" && bytes.Equal(data, good) {
				t.Fatal("test did not change the file")
			}
			_, err := Decode(bytes.NewReader(data))
			if err == nil {
				t.Fatal("accepted a damaged plan")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("err = %v, want ErrCorrupt", err)
			}
		})
	}
	// Reformatting whitespace is not damage.
	re := bytes.ReplaceAll(good, []byte("\n"), []byte("\r\n"))
	if _, err := Decode(bytes.NewReader(re)); err != nil {
		t.Errorf("whitespace change rejected: %v", err)
	}
}

func TestCheckFresh(t *testing.T) {
	fx := byName("everything")
	p, err := Build(fx.report(), fx.choices, fx.lookups)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckFresh(p, fx.report(), nil); err != nil {
		t.Fatalf("same state is stale: %v", err)
	}
	now := fx.report()
	now.Facts.Trail.IsLogging = true
	now.Gaps = now.Gaps[1:]
	err = CheckFresh(p, now, nil)
	var se *StaleError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want *StaleError", err)
	}
	msg := err.Error()
	for _, want := range []string{"facts.trail.is_logging: false → true", "gaps:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stale message lacks %q:\n%s", want, msg)
		}
	}
	// A value that went away reads "(none)", as an absent field does, not "null".
	gone := fx.report()
	gone.Gaps = nil
	if err := CheckFresh(p, gone, nil); err == nil || !strings.Contains(err.Error(), "→ (none)") || strings.Contains(err.Error(), "null") {
		t.Errorf("all gaps gone: %v, want a change to (none)", err)
	}
	// Alarm order in the report does not matter.
	r1 := byName("compliant").report()
	r1.Facts.Alarms = append(r1.Facts.Alarms, r1.Facts.Alarms[0])
	r1.Facts.Alarms[1].Name = "another"
	r2 := byName("compliant").report()
	r2.Facts.Alarms = []chain.Alarm{r1.Facts.Alarms[1], r1.Facts.Alarms[0]}
	if StateOf(r1, Choices{}, nil).Digest() != StateOf(r2, Choices{}, nil).Digest() {
		t.Error("digest depends on alarm order")
	}
	// A tag added to an alarm since the plan counts as a change.
	tagged := fx.report()
	tagged.Facts.Alarms = []chain.Alarm{{Name: "x", Ours: true}}
	if err := CheckFresh(p, tagged, nil); err == nil {
		t.Error("managed alarms change not noticed")
	}
	// So does what the name probes found.
	if err := CheckFresh(p, fx.report(), Lookups{{Kind: KindTopic, Want: "t", Name: "t-2"}}); err == nil {
		t.Error("lookups change not noticed")
	}
}

func TestSaveIsAtomic(t *testing.T) {
	dir := t.TempDir()
	p, _ := savedPlan(t)
	path := filepath.Join(dir, "p.json")
	if err := Save(path, p, time.Now()); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("leftover files: %v", ents)
	}
}

// The file's account and region must be the plan's and its state's: apply
// checks the file's against the account it reaches, so they cannot differ.
func TestLoadRejectsMismatchedAccount(t *testing.T) {
	p, _ := savedPlan(t)
	for name, edit := range map[string]func(p *Plan){
		"plan account":  func(p *Plan) { p.Account = "999999999999" },
		"plan region":   func(p *Plan) { p.Region = "eu-west-1" },
		"state account": func(p *Plan) { p.State.Account = "999999999999" },
	} {
		t.Run(name, func(t *testing.T) {
			q := *p
			q.State = p.State
			edit(&q)
			// Encode writes the file's account and region from q; put the
			// original ones back in the envelope, as a forger would.
			var buf bytes.Buffer
			if err := Encode(&buf, &q, time.Now()); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			var env envelope
			if err := json.Unmarshal(data, &env); err != nil {
				t.Fatal(err)
			}
			var s Saved
			if err := json.Unmarshal(env.Body, &s); err != nil {
				t.Fatal(err)
			}
			s.Account, s.Region, s.StateDigest = p.Account, p.Region, q.State.Digest()
			body, _ := json.Marshal(s)
			sum := sha256.Sum256(body)
			data, _ = json.Marshal(envelope{Format: formatName, Checksum: "sha256:" + hex.EncodeToString(sum[:]), Body: body})
			_, err := Decode(bytes.NewReader(data))
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "999999999999") && !strings.Contains(err.Error(), "eu-west-1") {
				t.Errorf("err = %v, want ErrCorrupt naming the mismatch", err)
			}
		})
	}
}
