package plan

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const newTrailARN = "arn:aws:cloudtrail:us-east-1:111122223333:trail/trailwatch"

func TestBootstrapStepOrder(t *testing.T) {
	p := build(t, "no_trail")
	want := []string{IDTrailBucket, IDLogGroup, IDLogsRole, IDTrail, IDTrailLogging, IDMetricFilter, IDTopic, IDSubscription, IDAlarm}
	if diff := cmp.Diff(want, ids(p)); diff != "" {
		t.Errorf("step order (-want +got):\n%s", diff)
	}
	if len(p.Remaining) != 0 {
		t.Errorf("remaining = %v; every gap of a new account has a step", p.Remaining)
	}
	tr := p.Steps[3]
	if diff := cmp.Diff([]string{IDTrailBucket, IDLogGroup, IDLogsRole}, tr.DependsOn); diff != "" {
		t.Errorf("trail depends on (-want +got):\n%s", diff)
	}
	tp := tr.Params.Trail
	if !tp.IsMultiRegion || !tp.IncludeGlobalServiceEvents || !tp.EnableLogFileValidation || tp.ARN != newTrailARN ||
		tp.BucketName != "trailwatch-cloudtrail-111122223333-us-east-1" || tp.RoleARN != "arn:aws:iam::111122223333:role/"+DefaultRoleName {
		t.Errorf("trail params = %+v", tp)
	}
	if got := p.Steps[2].Params.LogsRole.TrailARN; got != newTrailARN {
		t.Errorf("role trusts %s, want the new trail", got)
	}
	if got := p.Steps[0].Params.Bucket.TrailARN; got != newTrailARN {
		t.Errorf("bucket policy names %s, want the new trail", got)
	}
}

func TestBootstrapHomeRegionAndNames(t *testing.T) {
	r := byName("no_trail").report()
	r.Region = "eu-west-1"
	r.Facts.SingleRegionTrails = []string{"audit", "audit-2"}
	p, err := Build(r, Choices{Subscribe: "sqs:arn:aws:sqs:eu-west-1:123456789012:q", TrailName: "audit"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var trail *TrailParams
	for _, s := range p.Steps {
		if s.Params.Trail != nil {
			trail = s.Params.Trail
		}
		if s.Address.Region != "" && s.Address.Region != "eu-west-1" {
			t.Errorf("%s is in %s, want the configured region", s.ID, s.Address.Region)
		}
	}
	if trail == nil || trail.Name != "audit-3" || trail.ARN != "arn:aws:cloudtrail:eu-west-1:111122223333:trail/audit-3" {
		t.Fatalf("trail = %+v; want audit-3 in eu-west-1 (audit and audit-2 are taken)", trail)
	}
	if !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, "left alone") && strings.Contains(n, "audit, audit-2") }) {
		t.Errorf("notes do not say the single-region trails are left alone: %q", p.Notes)
	}
}

func TestBootstrapChoicesValidated(t *testing.T) {
	for _, c := range []Choices{{TrailName: "-bad"}, {TrailName: "a..b"}, {TrailName: "ab"}, {TrailBucket: "Upper"}, {TrailBucket: "192.168.1.1"}, {TrailBucket: "a..b"}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: accepted", c)
		}
	}
	for _, c := range []Choices{{TrailName: "org.audit_trail-1"}, {TrailBucket: "my-logs.example"}} {
		if err := c.Validate(); err != nil {
			t.Errorf("%+v: %v", c, err)
		}
	}
}

// stmt is a policy statement decoded for structural checks.
type stmt struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Resource  any
	Condition map[string]map[string]string
}

func decodeDoc(t *testing.T, doc string) (version string, out []stmt) {
	t.Helper()
	var d struct {
		Version   string
		Statement []stmt
	}
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	return d.Version, d.Statement
}

func indent(t *testing.T, doc string) []byte {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

// The bucket policy has the shape AWS documents for a CloudTrail bucket
// ("Amazon S3 bucket policy for CloudTrail"): an ACL check and a write,
// both for the cloudtrail.amazonaws.com service and scoped to this trail
// with aws:SourceArn, the write limited to AWSLogs/ACCOUNT/ and the
// bucket-owner-full-control ACL; plus a deny of requests without TLS.
func TestBucketPolicyDocument(t *testing.T) {
	doc, err := BucketPolicy("trailwatch-cloudtrail-123456789012-us-east-1", acct, newTrailARN)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "bucket_policy.json", indent(t, doc))

	version, st := decodeDoc(t, doc)
	if version != "2012-10-17" {
		t.Errorf("Version = %q", version)
	}
	const bucketARN = "arn:aws:s3:::trailwatch-cloudtrail-123456789012-us-east-1" // the bucket name is the test's
	cloudtrail := map[string]any{"Service": "cloudtrail.amazonaws.com"}
	want := []stmt{
		{Sid: "TrailwatchCloudTrailAclChecktrailwatchb6fe5665", Effect: "Allow", Principal: cloudtrail, Action: "s3:GetBucketAcl", Resource: bucketARN,
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": newTrailARN}}},
		{Sid: "TrailwatchCloudTrailWritetrailwatchb6fe5665", Effect: "Allow", Principal: cloudtrail, Action: "s3:PutObject", Resource: bucketARN + "/AWSLogs/" + acct + "/*",
			Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": newTrailARN, "s3:x-amz-acl": "bucket-owner-full-control"}}},
		{Sid: BucketDenyInsecureSid, Effect: "Deny", Principal: "*", Action: "s3:*", Resource: []any{bucketARN, bucketARN + "/*"},
			Condition: map[string]map[string]string{"Bool": {"aws:SecureTransport": "false"}}},
	}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("bucket policy statements (-want +got):\n%s", diff)
	}

	if _, err := BucketStatements("b", acct, "arn:aws:sns:us-east-1:123456789012:t"); err == nil {
		t.Error("a non-trail ARN was accepted")
	}
}

// The role documents: CloudTrail may assume the role only for this trail in
// this account; the role may only create streams and put events in the
// group's streams.
func TestRolePolicyDocuments(t *testing.T) {
	trust := RoleTrustPolicy(acct, newTrailARN)
	golden(t, "role_trust_policy.json", indent(t, trust))
	_, st := decodeDoc(t, trust)
	want := []stmt{{Sid: "CloudTrailAssumeRole", Effect: "Allow", Principal: map[string]any{"Service": "cloudtrail.amazonaws.com"}, Action: "sts:AssumeRole",
		Condition: map[string]map[string]string{"StringEquals": {"aws:SourceArn": newTrailARN, "aws:SourceAccount": acct}}}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("trust policy (-want +got):\n%s", diff)
	}

	pol := RolePolicy("aws", region, acct, DefaultLogGroupName)
	golden(t, "role_policy.json", indent(t, pol))
	_, st = decodeDoc(t, pol)
	want = []stmt{{Sid: "CloudTrailDeliverToLogGroup", Effect: "Allow", Action: []any{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: "arn:aws:logs:us-east-1:" + acct + ":log-group:" + DefaultLogGroupName + ":log-stream:*"}}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("role policy (-want +got):\n%s", diff)
	}
}

// Merging into an existing bucket policy keeps every other statement (other
// trails' included), adds ours once, and is a no-op the second time.
func TestMergeBucketPolicyKeepsOthers(t *testing.T) {
	other, err := BucketStatements("shared", acct, "arn:aws:cloudtrail:us-east-1:123456789012:trail/other")
	if err != nil {
		t.Fatal(err)
	}
	existing := `{"Version":"2012-10-17","Id":"keep-me","Statement":[{"Sid":"ReadOnlyAuditors","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/auditor"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"},` +
		string(other[0]) + `,` + string(other[1]) + `]}`
	ours, err := BucketStatements("shared", acct, newTrailARN)
	if err != nil {
		t.Fatal(err)
	}
	merged, changed, err := MergeStatements(existing, ours)
	if err != nil || !changed {
		t.Fatalf("merge: changed %v, %v", changed, err)
	}
	_, st := decodeDoc(t, merged)
	var sids []string
	for _, s := range st {
		sids = append(sids, s.Sid)
	}
	wantSids := []string{"ReadOnlyAuditors", "TrailwatchCloudTrailAclCheckotherd9298a10", "TrailwatchCloudTrailWriteotherd9298a10",
		"TrailwatchCloudTrailAclChecktrailwatchb6fe5665", "TrailwatchCloudTrailWritetrailwatchb6fe5665"}
	if diff := cmp.Diff(wantSids, sids); diff != "" {
		t.Errorf("statements after merge (-want +got):\n%s", diff)
	}
	if !strings.Contains(merged, `"Id":"keep-me"`) {
		t.Errorf("policy Id lost: %s", merged)
	}
	again, changed, err := MergeStatements(merged, ours)
	if err != nil || changed || again != merged {
		t.Errorf("second merge: changed %v, err %v", changed, err)
	}
	if _, _, err := MergeStatements("not json", ours); err == nil {
		t.Error("a damaged policy was merged into")
	}
}

// A plan from an empty account survives a save and load.
func TestBootstrapPlanRoundTrip(t *testing.T) {
	p, err := Build(byName("no_trail").report(), Choices{Email: "secops@example.com", TrailBucket: "shared-logs"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var txt strings.Builder
	if err := WriteText(&txt, p, false); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, &back, cmpOpts); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if err := back.Validate(); err != nil {
		t.Error(err)
	}
	if back.Steps[0].Action != Update || !back.Steps[0].Params.Bucket.Existing {
		t.Errorf("--trail-bucket step = %+v", back.Steps[0])
	}
}

// Trails whose names differ only in punctuation ("a-b" and "ab", "a.b")
// share a bucket without one's statements replacing the other's: the Sid
// carries a hash of the exact name.
func TestBucketSidsDistinctPerTrail(t *testing.T) {
	names := []string{"a-b", "ab", "a.b", "a_b", "AB"}
	seen := map[string]string{}
	doc := ""
	for _, n := range names {
		arn := "arn:aws:cloudtrail:us-east-1:123456789012:trail/" + n
		stmts, err := BucketStatements("shared", acct, arn)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range stmts[:2] {
			var head struct{ Sid string }
			if err := json.Unmarshal(s, &head); err != nil {
				t.Fatal(err)
			}
			for _, r := range head.Sid {
				if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
					t.Errorf("Sid %q of trail %q: want letters and digits only", head.Sid, n)
				}
			}
			if other, ok := seen[head.Sid]; ok {
				t.Errorf("trails %q and %q get the same Sid %q", other, n, head.Sid)
			}
			seen[head.Sid] = n
		}
		var changed bool
		doc, changed, err = MergeStatements(doc, stmts)
		if err != nil || !changed {
			t.Fatalf("merge %s: changed %v, %v", n, changed, err)
		}
	}
	// Every trail may still write.
	_, st := decodeDoc(t, doc)
	writers := map[any]bool{}
	for _, s := range st {
		if s.Action == "s3:PutObject" {
			writers[s.Condition["StringEquals"]["aws:SourceArn"]] = true
		}
	}
	if len(writers) != len(names) {
		t.Errorf("%d trails may write after merging all %d: %v", len(writers), len(names), writers)
	}
	// Same name, same Sid: merging again changes nothing.
	stmts, _ := BucketStatements("shared", acct, "arn:aws:cloudtrail:us-east-1:123456789012:trail/a-b")
	if _, changed, _ := MergeStatements(doc, stmts); changed {
		t.Error("merging a trail's statements twice changed the policy")
	}
}
