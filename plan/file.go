package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/trailwatch/trailwatch/internal/atomicfile"
	"github.com/trailwatch/trailwatch/internal/localfile"
)

// FormatVersion of saved plans this build reads and writes.
const FormatVersion = 1

// envelope is the file: a checksum over the compact JSON of Body.
type envelope struct {
	Format   string          `json:"format"`
	Checksum string          `json:"checksum"`
	Body     json.RawMessage `json:"plan"`
}

const formatName = "trailwatch-plan"

// Saved is a plan as stored, with the metadata that makes apply safe.
type Saved struct {
	FormatVersion int       `json:"format_version"`
	Created       time.Time `json:"created"`
	Account       string    `json:"account"`
	Region        string    `json:"region"`
	StateDigest   string    `json:"state_digest"`
	Plan          *Plan     `json:"plan"`
}

// Encode writes p as a plan file.
func Encode(w io.Writer, p *Plan, created time.Time) error {
	if m := p.Missing(); len(m) > 0 {
		return fmt.Errorf("cannot save a plan that still needs %s", m[0])
	}
	body, err := json.Marshal(Saved{FormatVersion: FormatVersion, Created: created.UTC(),
		Account: p.Account, Region: p.Region, StateDigest: p.State.Digest(), Plan: p})
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	out, err := json.MarshalIndent(envelope{Format: formatName, Checksum: "sha256:" + hex.EncodeToString(sum[:]), Body: body}, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// Save writes the plan file atomically (temp file, then rename).
func Save(path string, p *Plan, created time.Time) error {
	var buf bytes.Buffer
	if err := Encode(&buf, p, created); err != nil {
		return err
	}
	// 0600: a plan names endpoints and accounts, as CreateTemp's default did.
	if err := atomicfile.Write(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("save plan %s: %w", path, err)
	}
	return nil
}

// ErrCorrupt wraps every reason a plan file cannot be trusted.
var ErrCorrupt = errors.New("plan file is damaged or was changed after it was written")

// Decode reads and verifies a plan file: JSON shape, checksum, format
// version, state digest and step structure.
func Decode(r io.Reader) (*Saved, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("%w: not a complete JSON document (truncated?): %v", ErrCorrupt, err)
	}
	if env.Format != formatName {
		return nil, fmt.Errorf("%w: not a trailwatch plan (format %q)", ErrCorrupt, env.Format)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, env.Body); err != nil || len(env.Body) == 0 {
		return nil, fmt.Errorf("%w: the plan body is missing", ErrCorrupt)
	}
	sum := sha256.Sum256(compact.Bytes())
	if got := "sha256:" + hex.EncodeToString(sum[:]); got != env.Checksum {
		return nil, fmt.Errorf("%w: checksum %s does not match the content (%s)", ErrCorrupt, env.Checksum, got)
	}
	var s Saved
	dec := json.NewDecoder(bytes.NewReader(compact.Bytes()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if s.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("plan file format %d; this trailwatch reads format %d: make the plan again with this version", s.FormatVersion, FormatVersion)
	}
	if s.Plan == nil {
		return nil, fmt.Errorf("%w: no plan inside", ErrCorrupt)
	}
	if s.Account != s.Plan.Account || s.Account != s.Plan.State.Account || s.Region != s.Plan.Region || s.Region != s.Plan.State.Region {
		return nil, fmt.Errorf("%w: the file says account %s, region %s, but its plan says account %s, region %s (state: %s, %s)",
			ErrCorrupt, s.Account, s.Region, s.Plan.Account, s.Plan.Region, s.Plan.State.Account, s.Plan.State.Region)
	}
	if d := s.Plan.State.Digest(); d != s.StateDigest {
		return nil, fmt.Errorf("%w: state digest %s does not match the recorded state (%s)", ErrCorrupt, s.StateDigest, d)
	}
	if err := s.Plan.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if err := s.Plan.Choices.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if m := s.Plan.Missing(); len(m) > 0 {
		return nil, fmt.Errorf("%w: the plan still needs %s", ErrCorrupt, m[0])
	}
	return &s, nil
}

// Load reads and verifies the plan file at path.
func Load(path string) (*Saved, error) {
	b, err := localfile.Read(path, localfile.PlanLimit)
	if err != nil {
		return nil, fmt.Errorf("load plan: %w", err)
	}
	s, err := Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("load plan %s: %w", path, err)
	}
	return s, nil
}
