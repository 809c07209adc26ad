package hardening

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// badCase is one run of the command line with a bad value: it must exit 1,
// and stderr must contain every string in want (the value, quoted as the
// message quotes it, and the expected form).
type badCase struct {
	name string
	args []string
	want []string
}

// Issue 6, bad input: an invalid email, endpoint, topic ARN, region,
// profile, role ARN or account id, a damaged plan file, or a malformed
// evidence file is a clear error that names the value and the expected form,
// exit 1, and nothing is written: no write call reaches the account (a proxy
// in front of moto records every call, and AWS_ENDPOINT_URL points there
// too, so a code path that dropped --endpoint-url would still be seen), and
// the account's resources are the same afterwards.
//
// The account has a trail with every link broken, so each run would have
// writes to make if the bad value got past validation.
func TestBadInputWritesNothing(t *testing.T) {
	srv := motoserver.Shared(t)
	brokenTrail(t, srv)
	p := faultproxy.Start(t, srv.URL)
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	ctx := t.Context()
	before := resources(t, srv)

	dir := t.TempDir()
	good := filepath.Join(dir, "plan.json")
	if res := run(t, ctx, "plan", "--subscribe", subscribe, "--out", good, "--endpoint-url", p.URL); res.code != 2 {
		t.Fatalf("plan --out: exit %d, want 2\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if w := p.Writes(); len(w) > 0 {
		t.Fatalf("plan wrote: %v", w)
	}
	goodPlan, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}

	fix := func(args ...string) []string {
		return append([]string{"fix", "--yes", "--endpoint-url", p.URL}, args...)
	}
	const role = "arn:aws:iam::123456789012:role/audit"
	cases := []badCase{
		{"email", fix("--email", "not-an-email"),
			[]string{"--email", `"not-an-email"`, "secops@example.com"}},
		{"email with a display name", fix("--email", "Sec Ops <secops@example.com>"),
			[]string{"--email", `"Sec Ops <secops@example.com>"`, "plain address"}},
		{"subscribe unknown protocol", fix("--subscribe", "ftp:x"),
			[]string{`"ftp"`, "email, email-json, https"}},
		{"subscribe empty https", fix("--subscribe", "https:"),
			[]string{`--subscribe "https:"`, "PROTOCOL:ENDPOINT"}},
		{"subscribe sqs not an ARN", fix("--subscribe", "sqs:not-an-arn"),
			[]string{`"not-an-arn"`, "arn:aws:sqs:REGION:ACCOUNT:QUEUE"}},
		{"subscribe https without host", fix("--subscribe", "https:///path"),
			[]string{`"https:///path"`, "https://"}},
		{"topic ARN not an ARN", fix("--topic-arn", "not-an-arn"),
			[]string{`--topic-arn "not-an-arn"`, "arn:aws:sns:REGION:ACCOUNT:TOPIC"}},
		{"topic ARN of a queue", fix("--topic-arn", "arn:aws:sqs:us-east-1:123456789012:alerts"),
			[]string{`--topic-arn "arn:aws:sqs:us-east-1:123456789012:alerts"`, "arn:aws:sns:REGION:ACCOUNT:TOPIC"}},
		{"topic ARN with a short account", fix("--topic-arn", "arn:aws:sns:us-east-1:12345:alerts"),
			[]string{`--topic-arn "arn:aws:sns:us-east-1:12345:alerts"`, "arn:aws:sns:REGION:ACCOUNT:TOPIC"}},
		{"region with a suffix", fix("--region", "us-east-1x"),
			[]string{`invalid region "us-east-1x"`, "us-east-1"}},
		{"region in capitals", fix("--region", "EU_WEST"),
			[]string{`invalid region "EU_WEST"`, "such as us-east-1"}},
		{"profile that does not exist", fix("--profile", "nope"),
			[]string{`profile "nope" does not exist`, "--profile"}},
		{"assume-role not an ARN", fix("--assume-role", "not-an-arn"),
			[]string{`invalid role ARN "not-an-arn"`, "arn:aws:iam::ACCOUNT_ID:role/NAME"}},
		{"assume-role short account id", fix("--assume-role", "arn:aws:iam::12345:role/audit"),
			[]string{`"arn:aws:iam::12345:role/audit"`, "arn:aws:iam::ACCOUNT_ID:role/NAME"}},
		{"assume-role account id with a letter", fix("--assume-role", "arn:aws:iam::12345678901a:role/audit"),
			[]string{`"arn:aws:iam::12345678901a:role/audit"`, "arn:aws:iam::ACCOUNT_ID:role/NAME"}},
		{"assume-role account id too long", fix("--assume-role", "arn:aws:iam::1234567890123:role/audit"),
			[]string{`"arn:aws:iam::1234567890123:role/audit"`, "arn:aws:iam::ACCOUNT_ID:role/NAME"}},
		{"assume-role user, not role", fix("--assume-role", "arn:aws:iam::123456789012:user/audit"),
			[]string{`"arn:aws:iam::123456789012:user/audit"`, "arn:aws:iam::ACCOUNT_ID:role/NAME"}},
		{"role session name", fix("--assume-role", role, "--role-session-name", "a b"),
			[]string{`invalid role session name "a b"`, "2 to 64"}},
		{"external id", fix("--assume-role", role, "--external-id", "x"),
			[]string{`invalid external id "x"`, "2 to 1224"}},
		{"endpoint URL", []string{"fix", "--yes", "--subscribe", subscribe, "--endpoint-url", "ftp://127.0.0.1:1"},
			[]string{`invalid endpoint URL "ftp://127.0.0.1:1"`, "http(s)://HOST[:PORT]"}},
		{"retention days", fix("--subscribe", subscribe, "--retention-days", "2"),
			[]string{"--retention-days 2", "want one of"}},
		{"retention days past 32 bits", fix("--subscribe", subscribe, "--retention-days", "4294967297"),
			[]string{"--retention-days 4294967297", "want one of"}},
		{"AWS managed KMS key", fix("--subscribe", subscribe, "--kms-key", "alias/aws/sns"),
			[]string{`--kms-key "alias/aws/sns"`, "customer managed key"}},
	}
	cases = append(cases, planFileCases(t, dir, goodPlan, p.URL)...)
	cases = append(cases, evidenceCases(t, dir)...)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.ResetCalls()
			res := run(t, ctx, c.args...)
			if res.code != 1 {
				t.Errorf("exit %d, want 1", res.code)
			}
			for _, w := range c.want {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("stderr does not contain %q", w)
				}
			}
			if w := p.Writes(); len(w) > 0 {
				t.Errorf("bad input led to writes: %v", w)
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("trailwatch %s\nexit %d, %d calls\nstdout:\n%s\nstderr:\n%s", strings.Join(c.args, " "), res.code, len(p.Calls()), res.stdout, res.stderr)
			}
		})
	}

	if diff := cmp.Diff(before, resources(t, srv)); diff != "" {
		t.Errorf("the account changed (-before +after):\n%s", diff)
	}

	// The control: with the same account and good values, fix does write,
	// and both the proxy and the snapshot see it.
	p.ResetCalls()
	if res := run(t, ctx, fix("--subscribe", subscribe)...); res.code != 0 {
		t.Fatalf("control fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if len(p.Writes()) == 0 || cmp.Equal(before, resources(t, srv)) {
		t.Errorf("control fix: %d writes seen, account changed: %v; the checks above could not have seen a write", len(p.Writes()), !cmp.Equal(before, resources(t, srv)))
	}
}

// planFileCases are apply runs with damaged plan files.
func planFileCases(t *testing.T, dir string, good []byte, endpoint string) []badCase {
	t.Helper()
	write := func(name string, b []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	apply := func(file string) []string { return []string{"apply", file, "--yes", "--endpoint-url", endpoint} }

	// Tampered: one value of a step changed, the checksum kept.
	tampered := bytes.Replace(good, []byte(`"retention_days": 365`), []byte(`"retention_days": 1`), 1)
	if bytes.Equal(tampered, good) {
		t.Fatalf("the saved plan has no retention_days 365 to change:\n%s", good)
	}
	// Forged: a step changed and the checksum recomputed, so only the
	// structural checks stand between the file and the account.
	forgedAction := resum(t, good, func(body []byte) []byte {
		return bytes.Replace(body, []byte(`"action":"+"`), []byte(`"action":"-"`), 1)
	})
	forgedVersion := resum(t, good, func(body []byte) []byte {
		return bytes.Replace(body, []byte(`"format_version":1`), []byte(`"format_version":2`), 1)
	})

	files := map[string]string{
		"corrupt":        write("corrupt.json", []byte("this is not a plan\n")),
		"truncated":      write("truncated.json", good[:len(good)/2]),
		"empty":          write("empty.json", nil),
		"tampered":       write("tampered.json", tampered),
		"forged action":  write("forged-action.json", forgedAction),
		"forged version": write("forged-version.json", forgedVersion),
		"missing":        filepath.Join(dir, "absent.json"),
	}
	return []badCase{
		{"plan file corrupt", apply(files["corrupt"]),
			[]string{files["corrupt"], "plan file is damaged", "not a complete JSON document"}},
		{"plan file truncated", apply(files["truncated"]),
			[]string{files["truncated"], "plan file is damaged", "truncated"}},
		{"plan file empty", apply(files["empty"]),
			[]string{files["empty"], "plan file is damaged"}},
		{"plan file tampered, checksum kept", apply(files["tampered"]),
			[]string{files["tampered"], "checksum", "does not match"}},
		{"plan file forged with an unknown action", apply(files["forged action"]),
			[]string{files["forged action"], "plan file is damaged", `unknown action "-"`}},
		{"plan file of another format version", apply(files["forged version"]),
			[]string{files["forged version"], "plan file format 2", "make the plan again"}},
		{"plan file missing", apply(files["missing"]),
			[]string{files["missing"], "no such file"}},
	}
}

// resum applies edit to the compact body of a plan file and writes a file
// with the checksum of the edited body.
func resum(t *testing.T, file []byte, edit func([]byte) []byte) []byte {
	t.Helper()
	var env struct {
		Format   string          `json:"format"`
		Checksum string          `json:"checksum"`
		Body     json.RawMessage `json:"plan"`
	}
	if err := json.Unmarshal(file, &env); err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, env.Body); err != nil {
		t.Fatal(err)
	}
	body := edit(compact.Bytes())
	if bytes.Equal(body, compact.Bytes()) {
		t.Fatalf("the edit changed nothing in:\n%s", body)
	}
	sum := sha256.Sum256(body)
	env.Checksum = "sha256:" + hex.EncodeToString(sum[:])
	env.Body = body
	out, err := json.MarshalIndent(env, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// evidenceCases are offline audits of bad evidence files. They make no AWS
// call at all (AWS_ENDPOINT_URL points at the proxy, so one would be seen).
func evidenceCases(t *testing.T, dir string) []badCase {
	t.Helper()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	const head = `{"format":"trailwatch-evidence/1","region":"us-east-1","calls":[`
	malformed := write("malformed.json", "{\n  \"format\": \"trailwatch-evidence/1\",\n  \"calls\": [,]\n}")
	noResponse := write("no-response.json", head+`{"service":"cloudwatch","operation":"DescribeAlarms","region":"us-east-1"}]}`)
	wrongType := write("wrong-type.json", head+`{"service":"cloudwatch","operation":"DescribeAlarms","response":{"MetricAlarms":[{"AlarmName":"a","Threshold":"one"}]}}]}`)
	format := write("format.json", `{"format":"trailwatch-evidence/9","region":"us-east-1","calls":[]}`)
	missing := filepath.Join(dir, "absent-evidence.json")
	audit := func(file string) []string { return []string{"audit", "--evidence", file} }
	return []badCase{
		{"evidence malformed JSON", audit(malformed),
			[]string{malformed, "malformed JSON at line 3"}},
		{"evidence call without a response", audit(noResponse),
			[]string{noResponse, "calls[0] (cloudwatch DescribeAlarms): missing response (or error)"}},
		{"evidence response member of the wrong type", audit(wrongType),
			[]string{wrongType, "response.MetricAlarms[0].Threshold: want a number, got a string"}},
		{"evidence of another format", audit(format),
			[]string{format, `format is "trailwatch-evidence/9", want "trailwatch-evidence/1"`}},
		{"evidence file missing", audit(missing),
			[]string{missing, "no such file"}},
	}
}

// Issue 6, bad input: an evidence file that lacks responses the audit needs
// is not a gap. The audit reports each missing response as an unknown read
// naming the call, exits 1, and makes no AWS call.
func TestEvidenceMissingResponses(t *testing.T) {
	srv := motoserver.Shared(t)
	p := faultproxy.Start(t, srv.URL)
	t.Setenv("AWS_ENDPOINT_URL", p.URL)
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "evidence", "compliant.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	var kept []any
	for _, c := range f["calls"].([]any) {
		if op := c.(map[string]any)["operation"]; op != "DescribeMetricFilters" && op != "ListSubscriptionsByTopic" {
			kept = append(kept, c)
		}
	}
	if len(kept) != len(f["calls"].([]any))-2 {
		t.Fatalf("compliant.json does not have one DescribeMetricFilters and one ListSubscriptionsByTopic call")
	}
	f["calls"] = kept
	out, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "partial.json")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}

	res := run(t, t.Context(), "audit", "--evidence", path, "--output", "json")
	var r report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("exit %d, not a JSON report: %v\n%s\n%s", res.code, err, res.stdout, res.stderr)
	}
	if res.code != 1 || verdict(r) != "unknown" {
		t.Errorf("exit %d, verdict %s; want 1, unknown", res.code, verdict(r))
	}
	var msgs []string
	for _, u := range r.Unknown {
		msgs = append(msgs, u.Message)
	}
	if !slices.ContainsFunc(msgs, func(m string) bool {
		return strings.Contains(m, "evidence file has no response for logs DescribeMetricFilters")
	}) {
		t.Errorf("no unknown read names the missing DescribeMetricFilters response: %q", msgs)
	}
	if calls := p.Calls(); len(calls) > 0 {
		t.Errorf("an offline audit called AWS: %v", calls)
	}
}

// resources lists what fix could create or change, read straight from moto
// (not through the proxy): trails with their status and selectors, log
// groups with their metric filters, alarms, topics with their attributes
// and subscriptions, and roles with their inline policies.
func resources(t *testing.T, srv *motoserver.Server) map[string]any {
	t.Helper()
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, home))
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot: %s: %v", what, err)
		}
	}
	out := map[string]any{}

	trails, err := f.CloudTrail(home).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(err, "DescribeTrails")
	for _, tr := range trails.TrailList {
		st, err := f.CloudTrail(home).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: tr.TrailARN})
		must(err, "GetTrailStatus")
		sel, err := f.CloudTrail(home).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: tr.TrailARN})
		must(err, "GetEventSelectors")
		out["trail "+aws.ToString(tr.Name)] = jsonOf(t, map[string]any{"trail": tr, "logging": aws.ToBool(st.IsLogging),
			"selectors": sel.EventSelectors, "advanced": sel.AdvancedEventSelectors})
	}

	groups, err := f.Logs(home).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	must(err, "DescribeLogGroups")
	for _, g := range groups.LogGroups {
		mf, err := f.Logs(home).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: g.LogGroupName})
		must(err, "DescribeMetricFilters")
		out["log group "+aws.ToString(g.LogGroupName)] = jsonOf(t, map[string]any{"retention": g.RetentionInDays, "filters": mf.MetricFilters})
	}

	alarms, err := f.CloudWatch(home).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	must(err, "DescribeAlarms")
	for _, a := range alarms.MetricAlarms {
		a.StateUpdatedTimestamp, a.StateTransitionedTimestamp, a.StateReason, a.StateReasonData = nil, nil, nil, nil
		out["alarm "+aws.ToString(a.AlarmName)] = jsonOf(t, a)
	}

	topics, err := f.SNS(home).ListTopics(ctx, &sns.ListTopicsInput{})
	must(err, "ListTopics")
	for _, tp := range topics.Topics {
		attrs, err := f.SNS(home).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: tp.TopicArn})
		must(err, "GetTopicAttributes")
		subs, err := f.SNS(home).ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: tp.TopicArn})
		must(err, "ListSubscriptionsByTopic")
		out["topic "+aws.ToString(tp.TopicArn)] = jsonOf(t, map[string]any{"attributes": attrs.Attributes, "subscriptions": subs.Subscriptions})
	}

	roles, err := f.IAM().ListRoles(ctx, &iam.ListRolesInput{})
	must(err, "ListRoles")
	for _, r := range roles.Roles {
		pols, err := f.IAM().ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
		must(err, "ListRolePolicies")
		out["role "+aws.ToString(r.RoleName)] = jsonOf(t, map[string]any{"trust": r.AssumeRolePolicyDocument, "policies": pols.PolicyNames})
	}
	return out
}

// jsonOf is v as generic JSON, so cmp compares values, not SDK internals.
func jsonOf(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var g any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}
