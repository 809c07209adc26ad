package policydoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Merge adds each of stmts, trailwatch's own statements, to the policy
// document existing. Each must be a JSON object with a Sid; the Sid is how
// trailwatch recognises its statements. A statement whose Sid is not in
// the document is appended; one whose Sid is there but that differs is
// replaced where it stands; every other byte of the document is kept: its
// Version and Id (an absent one stays absent), the other statements, their
// order, spacing and escapes. changed is false, and merged is existing,
// when the document already holds every statement as given. An empty
// existing policy starts a new document with Version 2012-10-17.
//
// Merge refuses, with an error saying so, a trailwatch statement that
// needs policy variables when the document's Version is not 2012-10-17:
// raising the Version would turn ${...} text in other people's statements
// from literals into variables, changing what they mean.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//
// A URL-encoded document (as IAM returns them) is accepted; merged is then
// plain JSON, which is what the Put and Set APIs take.
func Merge(existing string, stmts []json.RawMessage) (merged string, changed bool, err error) {
	ours := make([]ourStatement, 0, len(stmts))
	seen := map[string]bool{}
	for _, s := range stmts {
		o, err := newOurStatement(s)
		if err != nil {
			return "", false, err
		}
		if seen[o.sid] {
			return "", false, fmt.Errorf("internal error: two trailwatch statements with the Sid %q", o.sid)
		}
		seen[o.sid] = true
		ours = append(ours, o)
	}

	if strings.TrimSpace(existing) == "" {
		return `{"Version":"` + Version2012 + `","Statement":[` + join(ours) + `]}`, true, nil
	}
	d, err := parse(existing)
	if err != nil {
		return "", false, fmt.Errorf("existing policy is not a policy document trailwatch can merge into: %w", err)
	}

	type edit struct {
		at   span
		text string
	}
	var edits []edit
	var appends []ourStatement
	for _, o := range ours {
		found, differs := false, false
		for _, s := range d.stmts {
			if sidOf(s.raw) != o.sid {
				continue
			}
			found = true
			if !sameJSON(s.raw, o.raw) {
				differs = true
				edits = append(edits, edit{s.at, string(o.raw)})
			}
		}
		if found && !differs {
			continue
		}
		if o.variables && d.version != Version2012 {
			return "", false, versionError(d, o.sid)
		}
		if !found {
			appends = append(appends, o)
		}
	}
	if len(edits) == 0 && len(appends) == 0 {
		return existing, false, nil
	}

	switch {
	case len(appends) == 0:
	case !d.hasStatement:
		sep := ""
		if d.members > 0 {
			sep = ","
		}
		edits = append(edits, edit{span{d.close.start, d.close.start}, sep + `"Statement":[` + join(appends) + `]`})
	case d.single:
		// One statement object becomes a list: [it, ours...]. It may itself
		// be ours and replaced, so take the edit already made for it.
		obj := string(d.stmts[0].raw)
		if len(edits) == 1 {
			obj = edits[0].text
		}
		edits = []edit{{d.statement, "[" + obj + "," + join(appends) + "]"}}
	case len(d.stmts) == 0:
		at := d.statement.start + 1 // just inside the '['
		edits = append(edits, edit{span{at, at}, join(appends)})
	default:
		at := d.stmts[len(d.stmts)-1].at.end
		edits = append(edits, edit{span{at, at}, "," + join(appends)})
	}

	sort.Slice(edits, func(i, j int) bool { return edits[i].at.start < edits[j].at.start })
	var b strings.Builder
	last := 0
	for _, e := range edits {
		b.WriteString(d.text[last:e.at.start])
		b.WriteString(e.text)
		last = e.at.end
	}
	b.WriteString(d.text[last:])
	return b.String(), true, nil
}

// ourStatement is one of trailwatch's statements, compacted.
type ourStatement struct {
	sid       string
	raw       []byte
	variables bool // it holds ${...}, which only 2012-10-17 reads as a variable
}

func newOurStatement(s json.RawMessage) (ourStatement, error) {
	var b bytes.Buffer
	// Compact keeps strings as they are; it does not HTML-escape.
	if err := json.Compact(&b, s); err != nil || b.Len() == 0 || b.Bytes()[0] != '{' {
		return ourStatement{}, fmt.Errorf("internal error: trailwatch statement is not a JSON object: %s", s)
	}
	sid := sidOf(b.Bytes())
	if sid == "" {
		return ourStatement{}, fmt.Errorf("internal error: trailwatch statement without a Sid: %s", s)
	}
	return ourStatement{sid: sid, raw: b.Bytes(), variables: usesVariables(b.Bytes())}, nil
}

// usesVariables reports whether any string in the statement holds "${",
// the start of a policy variable.
func usesVariables(raw []byte) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	var walk func(any) bool
	walk = func(v any) bool {
		switch t := v.(type) {
		case string:
			return strings.Contains(t, "${")
		case []any:
			for _, x := range t {
				if walk(x) {
					return true
				}
			}
		case map[string]any:
			for k, x := range t {
				if strings.Contains(k, "${") || walk(x) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

func versionError(d *document, sid string) error {
	have := "has no Version, which AWS reads as 2008-10-17"
	if d.hasVersion {
		have = fmt.Sprintf("has Version %q", d.version)
	}
	return fmt.Errorf("trailwatch's statement %q uses policy variables, which need Version %s, but the policy %s; "+
		"trailwatch does not change the Version of a policy it did not write, because that would turn ${...} text in "+
		"the other statements from literal text into variables. Check those statements and set the Version yourself, then run again",
		sid, Version2012, have)
}

func join(stmts []ourStatement) string {
	parts := make([]string, len(stmts))
	for i, s := range stmts {
		parts[i] = string(s.raw)
	}
	return strings.Join(parts, ",")
}

// sameJSON reports whether a and b are equal as JSON values (member order
// and spacing aside).
// Equal reports whether two policy documents are equal as JSON, either of
// them in the URL-encoded form IAM returns.
func Equal(a, b string) bool {
	ta, errA := decodeText(a)
	tb, errB := decodeText(b)
	return errA == nil && errB == nil && sameJSON([]byte(ta), []byte(tb))
}

func sameJSON(a, b []byte) bool {
	dec := func(raw []byte) (any, bool) {
		d := json.NewDecoder(bytes.NewReader(raw))
		d.UseNumber()
		var v any
		return v, d.Decode(&v) == nil
	}
	va, oka := dec(a)
	vb, okb := dec(b)
	return oka && okb && reflect.DeepEqual(va, vb)
}
