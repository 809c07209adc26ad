package catalog

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit/pattern"
)

func mustParse(t *testing.T, s string) *pattern.Pattern {
	t.Helper()
	p, err := pattern.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%s): %v", s, err)
	}
	return p
}

// checkWitnesses fails unless every witness is a record the control's
// must-catch set matches and the filter does not.
func checkWitnesses(t *testing.T, c Control, filter *pattern.Pattern, j Judgement) {
	t.Helper()
	must := mustParse(t, c.MustCatch)
	for _, m := range j.Missed {
		if m.Witness != "" && (!pattern.Match(must, m.Witness) || pattern.Match(filter, m.Witness)) {
			t.Errorf("CIS %s: witness does not check out:\n%s", c.CIS, m.Witness)
		}
	}
}

// eventNames lists the names a pattern compares $.eventName with by =.
func eventNames(p *pattern.Pattern) []string {
	var out []string
	for _, c := range p.Conditions() {
		if c.Selector == "$.eventName" && c.Op == "=" {
			out = append(out, c.Value)
		}
	}
	return out
}

func TestTable(t *testing.T) {
	all := All()
	if len(all) != 16 {
		t.Fatalf("%d controls, want CIS 4.1 to 4.16", len(all))
	}
	seen := map[string]string{}
	for i, c := range all {
		if want := "4." + []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}[i]; c.CIS != want {
			t.Errorf("control %d is CIS %s, want %s", i, c.CIS, want)
		}
		for _, id := range c.IDs() {
			if other, dup := seen[strings.ToLower(id)]; dup {
				t.Errorf("id %s names both %s and %s", id, other, c.CIS)
			}
			seen[strings.ToLower(id)] = c.CIS
		}
		if c.Title == "" || c.MustCatchWhy == "" {
			t.Errorf("CIS %s: no title or no reason for its must-catch set", c.CIS)
		}
		if !c.HasPattern() {
			if c.CIS != "4.16" {
				t.Errorf("CIS %s has no must-catch pattern", c.CIS)
			}
			continue
		}
		must := mustParse(t, c.MustCatch)
		if c.Defaults.MetricName == "" || c.Defaults.Namespace == "" || c.Defaults.FilterName == "" || c.Defaults.AlarmName == "" {
			t.Errorf("CIS %s: defaults %+v", c.CIS, c.Defaults)
		}
		if len(c.Published) == 0 {
			t.Errorf("CIS %s: no published text", c.CIS)
		}
		for _, txt := range append(append([]Text(nil), c.Published...), Text{"must-catch", c.MustCatch}) {
			p := mustParse(t, txt.Pattern) // also enforces 1024 characters and two regexes
			// Every event a text names is one the facts know: its records
			// can be shown, and its event source is fixed or the control's
			// must-catch set says which source it means.
			for _, n := range eventNames(p) {
				if pattern.ExampleRecords(n) == nil {
					t.Errorf("CIS %s (%s): the facts know nothing of %s", c.CIS, txt.Source, n)
				}
				if _, fixed := pattern.EventSource(n); fixed || n == "ConsoleLogin" || n == "HeadBucket" {
					continue
				}
				srcs, ambiguous := pattern.AmbiguousEvents()[n]
				if !ambiguous {
					t.Errorf("CIS %s: %s is neither fixed to a source nor listed as ambiguous", c.CIS, n)
					continue
				}
				scopedOK := false
				for _, s := range srcs {
					scopedOK = scopedOK || pattern.Implies(mustParse(t, `{ $.eventSource = "`+s+`" }`), must).Verdict == pattern.Holds
				}
				if !scopedOK {
					t.Errorf("CIS %s: %s is a call of several services, and the must-catch set does not say which (%v)", c.CIS, n, srcs)
				}
			}
		}
		for _, tc := range c.ToolChecks {
			for _, s := range tc.Texts {
				mustParse(t, s)
			}
			if tc.Why == "" {
				t.Errorf("CIS %s: tool check %s without a reason", c.CIS, tc.Tool)
			}
		}
		for _, r := range c.Readings {
			if r.Enforced == "" || r.Why == "" || len(r.Sources) == 0 {
				t.Errorf("CIS %s: reading %q lacks what is enforced, why or a source", c.CIS, r.Topic)
			}
		}
	}
}

func TestLookup(t *testing.T) {
	for _, id := range []string{"4.5", "CIS 4.5", "cis-4.5", "3.5", "v1.2 3.5", "v1.2.0:3.5", "5.5", "v6:5.5", "v7 5.5", "v5 4.5", "v1.4/4.5",
		"CloudWatch.5", "cloudwatch.5", "CW.5", " 4.5 "} {
		c, err := Lookup(id)
		if err != nil {
			t.Errorf("Lookup(%q): %v", id, err)
			continue
		}
		if c.CIS != "4.5" {
			t.Errorf("Lookup(%q) = CIS %s, want 4.5", id, c.CIS)
		}
	}
	if c, err := Lookup("4.16"); err != nil || c.HasPattern() {
		t.Errorf("Lookup(4.16) = %v, %v; want the control without a pattern", c, err)
	}
	for _, id := range []string{"9.9", "v1.2 4.16", "v6 4.5", "CloudWatch.15", ""} {
		_, err := Lookup(id)
		if err == nil {
			t.Errorf("Lookup(%q) succeeded", id)
			continue
		}
		if !strings.Contains(err.Error(), "4.1, 3.1, 5.1, CloudWatch.2  unauthorized API calls") {
			t.Errorf("Lookup(%q) error does not list the choices: %v", id, err)
		}
	}
	// Two controls answering to one id: an error naming both.
	dup := All()[:2]
	dup[1].CISv6 = dup[0].CISv6
	_, err := lookupIn(dup, "5.1")
	if err == nil || !strings.Contains(err.Error(), "ambiguous") || !strings.Contains(err.Error(), "console sign-in") || !strings.Contains(err.Error(), "unauthorized API calls") {
		t.Errorf("ambiguous id: %v", err)
	}
}

// TestPublishedTexts: every published text passes its control, except
// the readings that say otherwise; a narrowed text fails with a witness.
func TestPublishedTexts(t *testing.T) {
	failing := map[string]string{ // control and source of the text → the witness's event
		"4.10 CIS up to v4.0, Security Hub CloudWatch.10": "ModifySecurityGroupRules",
	}
	for _, c := range All() {
		if !c.HasPattern() {
			continue
		}
		for i, txt := range c.Published {
			t.Run(c.CIS+" "+txt.Source, func(t *testing.T) {
				p := mustParse(t, txt.Pattern)
				j, err := c.Judge(p)
				if err != nil {
					t.Fatal(err)
				}
				checkWitnesses(t, c, p, j)
				if !j.Literal || len(j.Literals) != len(c.Published) || !j.Literals[i].Same || j.Literals[i].Source != txt.Source {
					t.Errorf("a published text is not found literal at its own source: %+v", j.Literals)
				}
				if ev, fails := failing[c.CIS+" "+txt.Source]; fails {
					if j.Covers || len(j.Missed) == 0 || j.Missed[0].Event != ev || j.Missed[0].Witness == "" {
						t.Errorf("want a miss of %s with a witness, got %+v", ev, j.Missed)
					}
					return
				}
				if !j.Covers {
					t.Errorf("does not pass: %s", j.Implication.Reason)
				}
				// Narrowed to one region: fails, with a witness from another.
				inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(txt.Pattern), "{"), "}")
				narrowed := mustParse(t, "{ ("+inner+") && $.awsRegion = us-east-1 }")
				nj, err := c.Judge(narrowed)
				if err != nil {
					t.Fatal(err)
				}
				checkWitnesses(t, c, narrowed, nj)
				if nj.Covers || nj.Implication.Verdict != pattern.DoesNotHold || !strings.Contains(nj.Implication.Witness(), `"awsRegion":"`) ||
					strings.Contains(nj.Implication.Witness(), `"awsRegion":"us-east-1"`) {
					t.Errorf("narrowed to us-east-1: %+v", nj.Implication)
				}
				if nj.Literal {
					t.Error("the narrowed text is literal")
				}
			})
		}
	}
}

func findings(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

// TestReadings holds the readings issue 12 lists.
func TestReadings(t *testing.T) {
	const (
		unauthIntentNoz = `{(($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && (($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket"))}`
		sg7             = `{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }`
	)
	tests := []struct {
		rule     string
		control  string
		filter   string
		covers   bool
		broad    bool
		warnings []string
		notes    []string
		warnText string // a piece of a warning
	}{
		{"4.1: the 2-clause text passes; Steampipe wants the exclusions", "4.1", unauth2, true, false, []string{CodeToolText}, nil, "Steampipe"},
		{"4.1: the all-|| text passes, broader than needed, its exclusions exclude nothing", "4.1", unauth4Or, true, true, []string{CodeToolText, CodeTrap}, nil, "Security Hub CloudWatch.2"},
		{"4.1: the v4+ text passes; the precedence trap is named", "4.1", unauth4Trap, true, false, []string{CodeToolText, CodeTrap}, nil, "binds tighter"},
		{"4.1: the intended form passes; only Security Hub's exact text differs", "4.1", unauthIntentNoz, true, false, []string{CodeToolText}, nil, "Security Hub"},
		{"4.1: AccessDenied only misses UnauthorizedOperation", "4.1", `{ $.errorCode = "AccessDenied*" }`, false, false, nil, nil, ""},
		{"4.2: the basic form passes", "4.2", mfaBasic, true, true, []string{CodeToolText}, nil, "Security Hub CloudWatch.3"},
		{"4.2: the SSO form passes, with what it misses", "4.2", mfaSSO, true, false, nil, []string{CodeNarrower}, ""},
		{"4.2: MFAUsed = No (the AWS example) misses records where it is anything else", "4.2", `{ $.eventName = "ConsoleLogin" && $.additionalEventData.MFAUsed = "No" }`, false, true, nil, nil, ""},
		{"4.10: ModifySecurityGroupRules is required", "4.10", sg7, true, false, []string{CodeToolText}, nil, "Security Hub"},
		{"4.10: the EC2-scoped form passes", "4.10", `{ $.eventSource = ec2.amazonaws.com && (` + strings.TrimSuffix(strings.TrimPrefix(sg7, "{"), "}") + `) }`, true, false, []string{CodeToolText}, nil, "Security Hub CloudWatch.10"},
		{"4.10: without ModifySecurityGroupRules it fails", "4.10", "{ " + names(false, secGroup6...) + " }", false, false, nil, nil, ""},
		{"4.13: the EC2-scoped form passes; Security Hub wants its text", "4.13", scoped("ec2.amazonaws.com", routes...), true, false, []string{CodeToolText}, nil, "Security Hub CloudWatch.13"},
		{"4.13: the unscoped Security Hub text passes; Prowler wants the event source", "4.13", "{ " + names(false, routes...) + " }", true, false, []string{CodeToolText}, nil, "Prowler"},
		{"4.15: the CIS eighteen pass; Prowler demands three more", "4.15", "{ ($.eventSource = organizations.amazonaws.com) && (" + names(true, orgs...) + ") }", true, false, []string{CodeToolText}, nil, "CancelHandshake, CreateOrganization and EnableAllFeatures"},
		{"4.15: with Prowler's three it passes without warning", "4.15", "{ ($.eventSource = organizations.amazonaws.com) && (" + names(true, append(append([]string(nil), orgs...), "CancelHandshake", "CreateOrganization", "EnableAllFeatures")...) + ") }", true, true, nil, nil, ""},
		{"4.15: one of the eighteen missing fails", "4.15", "{ ($.eventSource = organizations.amazonaws.com) && (" + names(true, orgs[1:]...) + ") }", false, false, nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			c, err := Lookup(tt.control)
			if err != nil {
				t.Fatal(err)
			}
			p := mustParse(t, tt.filter)
			j, err := c.Judge(p)
			if err != nil {
				t.Fatal(err)
			}
			checkWitnesses(t, c, p, j)
			if diff := cmp.Diff(tt.covers, j.Covers); diff != "" {
				t.Fatalf("covers (-want +got):\n%s%s", diff, j.Implication.Reason)
			}
			if !tt.covers && (j.Implication.Verdict != pattern.DoesNotHold || j.Implication.Witness() == "") {
				t.Errorf("no witness: %+v", j.Implication)
			}
			if diff := cmp.Diff(tt.broad, j.TooBroad); diff != "" {
				t.Errorf("too broad (-want +got):\n%s%s", diff, j.BroadReason)
			}
			if diff := cmp.Diff(tt.warnings, findings(j.Warnings)); diff != "" {
				t.Errorf("warnings (-want +got):\n%s%+v", diff, j.Warnings)
			}
			if diff := cmp.Diff(tt.notes, findings(j.Notes)); diff != "" {
				t.Errorf("notes (-want +got):\n%s%+v", diff, j.Notes)
			}
			all := ""
			for _, w := range append(j.Warnings, j.Notes...) {
				all += w.Message + "\n"
			}
			if tt.warnText != "" && !strings.Contains(all, tt.warnText) {
				t.Errorf("findings do not say %q:\n%s", tt.warnText, all)
			}
		})
	}
}

// TestNarrowerNoteSaysWhat: the SSO form's note names what it misses.
func TestNarrowerNoteSaysWhat(t *testing.T) {
	c, _ := Lookup("4.2")
	j, err := c.Judge(mustParse(t, mfaSSO))
	if err != nil || len(j.Notes) != 1 {
		t.Fatalf("%v %+v", err, j.Notes)
	}
	for _, s := range []string{"root sign-ins without MFA", "failed sign-ins"} {
		if !strings.Contains(j.Notes[0].Message, s) {
			t.Errorf("note %q does not say %q", j.Notes[0].Message, s)
		}
	}
}

// TestCloudTrailControlIsCovers: 4.5 judges exactly as pattern.Covers and
// pattern.Literal do.
func TestCloudTrailControlIsCovers(t *testing.T) {
	c, err := Lookup("4.5")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		pattern.CIS, ``, `{ $.eventName = CreateTrail || $.eventName = UpdateTrail }`, `{ $.eventSource = cloudtrail.amazonaws.com }`,
		`{ ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) && $.errorCode NOT EXISTS }`,
		`{ $.eventName = *Trail || $.eventName = *Logging }`, `{ $.eventName = %Trail$|Logging$% }`, `{ $.* != zzz }`,
		`?CreateTrail ?UpdateTrail ?DeleteTrail ?StartLogging ?StopLogging`, `cloudtrail`, `Root`, `StopLogging`, `[...]`, `[a, b]`,
		`{ $.eventName = StopLogging || $.eventName = StartLogging || $.eventName = DeleteTrail || $.eventName = UpdateTrail || $.eventName = CreateTrail }`,
	} {
		p := mustParse(t, s)
		j, err := c.Judge(p)
		if err != nil {
			t.Fatal(err)
		}
		cov := pattern.Covers(p)
		got := pattern.Coverage{Covers: j.Covers, Missed: j.Missed, TooBroad: j.TooBroad, BroadReason: j.BroadReason}
		if diff := cmp.Diff(cov, got); diff != "" {
			t.Errorf("Judge(%s) differs from Covers (-Covers +Judge):\n%s", s, diff)
		}
		if diff := cmp.Diff(pattern.Literal(p), j.Literal); diff != "" {
			t.Errorf("Judge(%s).Literal differs from Literal (-Literal +Judge):\n%s", s, diff)
		}
	}
}

func TestNoPattern(t *testing.T) {
	c, _ := Lookup("4.16")
	if _, err := c.Judge(mustParse(t, pattern.CIS)); !errors.Is(err, ErrNoPattern) {
		t.Errorf("Judge on 4.16: %v, want ErrNoPattern", err)
	}
}
