package ocsf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
)

// schema is the hand-written compact definition in testdata (see its
// "source" for where each fact comes from).
type schema struct {
	Version string `json:"version"`
	Class   struct {
		Name        string `json:"name"`
		UID         int    `json:"uid"`
		CategoryUID int    `json:"category_uid"`
	} `json:"class"`
	Objects map[string]struct {
		Constraints struct {
			AtLeastOne []string `json:"at_least_one"`
		} `json:"constraints"`
		Attributes map[string]attr `json:"attributes"`
	} `json:"objects"`
}

type attr struct {
	Type        string            `json:"type"`
	IsArray     bool              `json:"is_array"`
	Requirement string            `json:"requirement"`
	Sibling     string            `json:"sibling"`
	Enum        map[string]string `json:"enum"`
	Profile     string            `json:"profile"`
}

func loadSchema(t *testing.T) *schema {
	t.Helper()
	b, err := os.ReadFile("testdata/compliance_finding-1.6.json")
	if err != nil {
		t.Fatal(err)
	}
	var s schema
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("schema definition: %v", err)
	}
	return &s
}

// validate checks one event (decoded as generic JSON) against the class
// definition and returns every problem found.
func (s *schema) validate(event map[string]any) []string {
	var problems []string
	add := func(path, format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	var profiles []string
	if md, ok := event["metadata"].(map[string]any); ok {
		if ps, ok := md["profiles"].([]any); ok {
			for _, p := range ps {
				if s, ok := p.(string); ok {
					profiles = append(profiles, s)
				}
			}
		}
	}
	var object func(path, name string, v map[string]any)
	var value func(path string, a attr, v any)
	value = func(path string, a attr, v any) {
		switch a.Type {
		case "integer_t", "long_t", "timestamp_t":
			n, ok := v.(float64)
			if !ok || n != math.Trunc(n) {
				add(path, "%v is not an integer", v)
				return
			}
			if a.Type == "integer_t" && (n > math.MaxInt32 || n < math.MinInt32) {
				add(path, "%v does not fit integer_t", v)
			}
			if a.Enum != nil {
				if _, ok := a.Enum[strconv.FormatInt(int64(n), 10)]; !ok {
					add(path, "%v is not one of the enum values %v", n, keys(a.Enum))
				}
			}
		case "string_t":
			if _, ok := v.(string); !ok {
				add(path, "%v is not a string", v)
			}
		case "boolean_t":
			if _, ok := v.(bool); !ok {
				add(path, "%v is not a boolean", v)
			}
		case "object":
			if _, ok := v.(map[string]any); !ok {
				add(path, "%v is not an object", v)
			}
		default:
			m, ok := v.(map[string]any)
			if !ok {
				add(path, "%v is not a %s object", v, a.Type)
				return
			}
			object(path, a.Type, m)
		}
	}
	object = func(path, name string, v map[string]any) {
		def, ok := s.Objects[name]
		if !ok {
			add(path, "no definition for object %s", name)
			return
		}
		for k := range v {
			if _, ok := def.Attributes[k]; !ok {
				add(path+"."+k, "not an attribute of %s", name)
			}
		}
		for k, a := range def.Attributes {
			x, present := v[k]
			p := path + "." + k
			if a.Profile != "" && present && !slices.Contains(profiles, a.Profile) {
				add(p, "belongs to profile %q, which metadata.profiles does not list", a.Profile)
			}
			required := a.Requirement == "required" && (a.Profile == "" || slices.Contains(profiles, a.Profile))
			if !present {
				if required {
					add(p, "required by %s but missing", name)
				}
				continue
			}
			if a.IsArray {
				xs, ok := x.([]any)
				if !ok {
					add(p, "%v is not an array", x)
					continue
				}
				for i, e := range xs {
					value(fmt.Sprintf("%s[%d]", p, i), a, e)
				}
				continue
			}
			value(p, a, x)
			// A sibling caption must be the enum's caption for the id
			// (Other, 99, lets the source name it).
			if a.Sibling != "" && a.Enum != nil {
				if n, ok := x.(float64); ok && n != 99 {
					if cap, ok := v[a.Sibling]; ok && cap != a.Enum[strconv.FormatInt(int64(n), 10)] {
						add(path+"."+a.Sibling, "%q is not the caption %q of %s %v", cap, a.Enum[strconv.FormatInt(int64(n), 10)], k, n)
					}
				}
			}
		}
		if c := def.Constraints.AtLeastOne; len(c) > 0 && !slices.ContainsFunc(c, func(k string) bool { _, ok := v[k]; return ok }) {
			add(path, "%s needs at least one of %v", name, c)
		}
	}
	object("", s.Class.Name, event)

	num := func(k string) int64 { n, _ := event[k].(float64); return int64(n) }
	if num("class_uid") != int64(s.Class.UID) || num("category_uid") != int64(s.Class.CategoryUID) {
		add("", "class_uid %d / category_uid %d, want %d / %d", num("class_uid"), num("category_uid"), s.Class.UID, s.Class.CategoryUID)
	}
	if want := num("class_uid")*100 + num("activity_id"); num("type_uid") != want {
		add(".type_uid", "%d, want class_uid*100+activity_id = %d", num("type_uid"), want)
	}
	if md, ok := event["metadata"].(map[string]any); ok && md["version"] != s.Version {
		add(".metadata.version", "%v, want %s", md["version"], s.Version)
	}
	return problems
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func decode(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var events []map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&events); err != nil {
		t.Fatalf("OCSF output is not a JSON array of objects: %v\n%s", err, b)
	}
	if dec.More() {
		t.Fatalf("trailing data after the JSON array")
	}
	return events
}

// Every fixture's output is valid JSON, matches its golden file, and every
// event passes the Compliance Finding class definition.
func TestWriteGoldenAndSchema(t *testing.T) {
	s := loadSchema(t)
	for _, c := range fixture.Cases(t) {
		t.Run(c.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, c.Findings); err != nil {
				t.Fatal(err)
			}
			fixture.Golden(t, c.Name+".json", buf.Bytes())
			events := decode(t, buf.Bytes())
			if len(events) != len(c.Findings) {
				t.Fatalf("%d events for %d findings", len(events), len(c.Findings))
			}
			for i, e := range events {
				for _, p := range s.validate(e) {
					t.Errorf("event %d%s", i, p)
				}
			}
		})
	}
}

// The validator itself catches what it should, or a passing schema test
// would mean nothing.
func TestValidatorRejects(t *testing.T) {
	s := loadSchema(t)
	var buf bytes.Buffer
	if err := Write(&buf, fixture.Org()[:1]); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mutate func(e map[string]any)
		want   string
	}{
		{"missing required", func(e map[string]any) { delete(e, "finding_info") }, ".finding_info: required"},
		{"unknown attribute", func(e map[string]any) { e["findings"] = 1 }, ".findings: not an attribute"},
		{"bad enum", func(e map[string]any) { e["compliance"].(map[string]any)["status_id"] = 7.0 }, ".compliance.status_id: 7 is not one of"},
		{"wrong caption", func(e map[string]any) { e["severity"] = "High" }, ".severity: \"High\" is not the caption"},
		{"wrong type", func(e map[string]any) { e["time"] = "2025-01-02" }, ".time: 2025-01-02 is not an integer"},
		{"type_uid", func(e map[string]any) { e["type_uid"] = 200302.0 }, ".type_uid: 200302, want"},
		{"nested required", func(e map[string]any) {
			e["compliance"].(map[string]any)["assessments"] = []any{map[string]any{"name": "X"}}
		}, ".compliance.assessments[0].meets_criteria: required"},
		{"profile not listed", func(e map[string]any) { e["metadata"].(map[string]any)["profiles"] = []any{} }, ".cloud: belongs to profile"},
		{"constraint", func(e map[string]any) {
			e["resources"] = []any{map[string]any{"type": "AWS::SNS::Topic"}}
		}, ".resources[0]: resource_details needs at least one of"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := decode(t, buf.Bytes())[0]
			if p := s.validate(e); len(p) != 0 {
				t.Fatalf("unmodified event invalid: %v", p)
			}
			tc.mutate(e)
			p := s.validate(e)
			if !slices.ContainsFunc(p, func(s string) bool { return strings.Contains(s, tc.want) }) {
				t.Errorf("problems %q, want one containing %q", p, tc.want)
			}
		})
	}
}

// The mapping of verdicts to OCSF's status and severity enums.
func TestStatusAndSeverity(t *testing.T) {
	base := fixture.Org()[0]
	for _, tc := range []struct {
		status             findings.Status
		wantStatus         string
		wantStatusID       int
		wantSeverityID     int
		gaps               []findings.Gap
		unknown            []findings.UnknownRead
		wantAssessments    int
		wantStatusDetails  int
		wantSeverityByName string
	}{
		{findings.Passed, "Pass", 1, 1, nil, nil, 0, 0, "Informational"},
		{findings.Failed, "Fail", 3, 2, []findings.Gap{{Code: "NO_ALARM", Message: "no alarm"}}, nil, 1, 1, "Low"},
		{findings.Unknown, "Warning", 2, 1, nil, []findings.UnknownRead{{Action: "sns:GetTopicAttributes", Message: "denied"}}, 0, 1, "Informational"},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			f := base
			f.Status, f.Gaps, f.Unknown = tc.status, tc.gaps, tc.unknown
			events, err := Events([]findings.Finding{f})
			if err != nil {
				t.Fatal(err)
			}
			e := events[0]
			if e.Compliance.Status != tc.wantStatus || e.Compliance.StatusID != tc.wantStatusID {
				t.Errorf("compliance %d %s, want %d %s", e.Compliance.StatusID, e.Compliance.Status, tc.wantStatusID, tc.wantStatus)
			}
			if e.SeverityID != tc.wantSeverityID || e.Severity != tc.wantSeverityByName {
				t.Errorf("severity %d %s, want %d %s", e.SeverityID, e.Severity, tc.wantSeverityID, tc.wantSeverityByName)
			}
			if len(e.Compliance.Assessments) != tc.wantAssessments || len(e.Compliance.StatusDetails) != tc.wantStatusDetails {
				t.Errorf("assessments %v, status details %v", e.Compliance.Assessments, e.Compliance.StatusDetails)
			}
			for _, c := range e.Compliance.Checks {
				if c.StatusID != tc.wantStatusID {
					t.Errorf("check %s status %d, want %d", c.UID, c.StatusID, tc.wantStatusID)
				}
			}
		})
	}
}

// An invalid finding writes nothing.
func TestWriteRefusesInvalid(t *testing.T) {
	fs := fixture.Org()
	fs[2].Status = "maybe"
	var buf bytes.Buffer
	err := Write(&buf, fs)
	if err == nil || !strings.Contains(err.Error(), `status "maybe"`) {
		t.Errorf("error %v, want one naming the status", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
}
