// Package policydoc reads AWS resource policy documents (SNS topic, S3
// bucket and KMS key policies) for two jobs: merging trailwatch's own
// statements into a policy without changing anything someone else wrote
// (Merge), and judging whether a policy lets a principal make a request
// (Evaluate, TopicAllowsCloudWatch, KeyAllowsCloudWatch).
//
// Both work on the document's text, not on a re-encoded copy: a merge
// splices trailwatch's statements into the original bytes, so the Version,
// the Id and every other statement come back exactly as they were.
package policydoc

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// Version2012 is the current policy language version. Policy variables
// such as ${aws:username} exist only in it; under 2008-10-17, or with no
// Version at all (which means 2008-10-17), the same text is a literal.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
const Version2012 = "2012-10-17"

// span is a byte range [start, end) of the document text.
type span struct{ start, end int }

// document is a parsed policy: the text it came from and where its parts
// are in that text.
type document struct {
	text       string
	version    string // "" when the document has no Version
	hasVersion bool
	id         string
	hasID      bool
	open       span // the '{' of the top-level object
	close      span // its '}'
	members    int  // how many top-level members it has

	// hasStatement is false for a document with no Statement member.
	hasStatement bool
	statement    span // the whole Statement value
	// single is true when Statement is one object rather than a list.
	single bool
	// stmts are the statements, in order, each with its exact bytes.
	stmts []rawStatement
}

type rawStatement struct {
	at  span
	raw []byte
}

// decodeText accepts a policy as AWS returns it: JSON, or the URL-encoded
// JSON that IAM returns (RFC 3986, where '+' is not a space, hence
// PathUnescape rather than QueryUnescape).
// https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRolePolicy.html
func decodeText(text string) (string, error) {
	t := strings.TrimSpace(text)
	if t == "" || t[0] == '{' {
		return text, nil
	}
	if strings.HasPrefix(t, "%7B") || strings.HasPrefix(t, "%7b") {
		u, err := url.PathUnescape(t)
		if err != nil {
			return "", fmt.Errorf("policy looks URL-encoded but is not: %w", err)
		}
		return u, nil
	}
	return "", errors.New("policy is not a JSON object")
}

// parse reads a policy document. It refuses what it could not splice into
// safely: trailing data, a top-level member named twice, or a Version, Id
// or Statement spelled with other letter case (AWS element names are case
// sensitive; a "statement" beside our "Statement" would be two lists).
func parse(text string) (*document, error) {
	text, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	d := &document{text: text}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	if tok != json.Delim('{') {
		return nil, errors.New("policy is not a JSON object")
	}
	d.open = span{int(dec.InputOffset()) - 1, int(dec.InputOffset())}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("policy is not valid JSON: %w", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("policy is not valid JSON: %w", err)
		}
		end := int(dec.InputOffset())
		at := span{end - len(raw), end}
		d.members++
		if seen[key] {
			return nil, fmt.Errorf("policy has the member %q twice", key)
		}
		seen[key] = true
		for _, name := range []string{"Version", "Id", "Statement"} {
			if key != name && strings.EqualFold(key, name) {
				return nil, fmt.Errorf("policy has a member %q; AWS spells it %q", key, name)
			}
		}
		switch key {
		case "Version":
			if err := json.Unmarshal(raw, &d.version); err != nil {
				return nil, fmt.Errorf("policy Version is not a string: %s", raw)
			}
			d.hasVersion = true
		case "Id":
			if err := json.Unmarshal(raw, &d.id); err != nil {
				return nil, fmt.Errorf("policy Id is not a string: %s", raw)
			}
			d.hasID = true
		case "Statement":
			d.hasStatement = true
			d.statement = at
			if err := d.readStatements(raw, at.start); err != nil {
				return nil, err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, fmt.Errorf("policy is not valid JSON: %w", err)
	}
	d.close = span{int(dec.InputOffset()) - 1, int(dec.InputOffset())}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("policy has data after its closing brace")
	}
	return d, nil
}

// readStatements records each statement of the Statement value raw, which
// starts at offset base of the document: a list of statements, or a single
// statement object (both are valid policy grammar).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
func (d *document) readStatements(raw []byte, base int) error {
	switch raw[0] {
	case '{':
		d.single = true
		d.stmts = []rawStatement{{at: span{base, base + len(raw)}, raw: raw}}
		return nil
	case '[':
	default:
		return fmt.Errorf("policy Statement is neither a list nor an object: %s", raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		var s json.RawMessage
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("policy Statement: %w", err)
		}
		end := int(dec.InputOffset())
		d.stmts = append(d.stmts, rawStatement{at: span{base + end - len(s), base + end}, raw: s})
	}
	return nil
}

// sidOf is the Sid of a statement, "" when it has none or is not an
// object. The member name is matched exactly (encoding/json's struct
// matching would also take "sid").
func sidOf(raw []byte) string {
	var members map[string]json.RawMessage
	if json.Unmarshal(raw, &members) != nil {
		return ""
	}
	var sid string
	if json.Unmarshal(members["Sid"], &sid) != nil {
		return ""
	}
	return sid
}
