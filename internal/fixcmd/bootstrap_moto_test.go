package fixcmd_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cli"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/plan"
)

const otherRole = "arn:aws:iam::111122223333:role/trailwatch-bootstrap"

// restWrites are the S3 writes among the calls recorded.
func (w *world) restWrites() []string {
	var out []string
	for _, op := range w.writes() {
		if restWrite.MatchString(op) {
			out = append(out, op)
		}
	}
	return out
}

// checkBootstrapped: f's account has a multi-region trail made by trailwatch,
// logging, delivering to a locked-down bucket; it returns the trail's bucket.
func checkBootstrapped(t *testing.T, ctx context.Context, f *awsx.Factory, account string) string {
	t.Helper()
	ct := f.CloudTrail(region)
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var bucket, arn string
	for _, tr := range out.TrailList {
		if aws.ToBool(tr.IsMultiRegionTrail) {
			if !aws.ToBool(tr.LogFileValidationEnabled) || !aws.ToBool(tr.IncludeGlobalServiceEvents) || aws.ToString(tr.CloudWatchLogsLogGroupArn) == "" {
				t.Errorf("trail %+v", tr)
			}
			bucket, arn = aws.ToString(tr.S3BucketName), aws.ToString(tr.TrailARN)
		}
	}
	if arn == "" || !strings.Contains(arn, ":"+account+":") {
		t.Fatalf("no multi-region trail in account %s: %+v", account, out.TrailList)
	}
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil || len(tags.ResourceTagList) != 1 || !slices.ContainsFunc(tags.ResourceTagList[0].TagsList, func(x cttypes.Tag) bool {
		return aws.ToString(x.Key) == plan.ManagedTagKey
	}) {
		t.Errorf("trail tags: %+v, %v", tags, err)
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil || !aws.ToBool(st.IsLogging) {
		t.Errorf("trail logging: %v", err)
	}
	s := f.S3(region)
	pol, err := s.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), arn) {
		t.Errorf("bucket %s policy: %v", bucket, err)
	}
	return bucket
}

func checkLockedDown(t *testing.T, ctx context.Context, f *awsx.Factory, bucket string) {
	t.Helper()
	s := f.S3(region)
	pab, err := s.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket)})
	if err != nil || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicAcls) || !aws.ToBool(pab.PublicAccessBlockConfiguration.RestrictPublicBuckets) ||
		!aws.ToBool(pab.PublicAccessBlockConfiguration.IgnorePublicAcls) || !aws.ToBool(pab.PublicAccessBlockConfiguration.BlockPublicPolicy) {
		t.Errorf("public access block of %s: %+v %v", bucket, pab, err)
	}
	enc, err := s.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAes256 {
		t.Errorf("encryption of %s: %v", bucket, err)
	}
	own, err := s.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String(bucket)})
	if err != nil || own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("ownership of %s: %v", bucket, err)
	}
	tags, err := s.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil || len(tags.TagSet) != 1 || aws.ToString(tags.TagSet[0].Key) != plan.ManagedTagKey {
		t.Errorf("tags of %s: %v", bucket, err)
	}
	pol, err := s.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), "aws:SecureTransport") {
		t.Errorf("bucket %s policy has no TLS deny: %v", bucket, err)
	}
}

// Issue 5: an empty account becomes compliant in one unattended run, and a
// second run writes nothing.
func TestBootstrapEmptyAccount(t *testing.T) {
	w := newWorld(t)
	before := w.cli(false, "audit", "--output", "json")
	// One cause, one gap: every other link is blocked by the missing trail.
	if before.code != 2 || gapsOf(before.out) != "NO_MULTI_REGION_TRAIL" {
		t.Fatalf("empty account: exit %d, gaps %s", before.code, gapsOf(before.out))
	}
	w.resetOps()
	fix := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
	if fix.code != 0 {
		t.Fatalf("fix exit %d\nstdout:\n%s\nstderr:\n%s", fix.code, fix.out, fix.errOut)
	}
	if !strings.Contains(fix.out, "After: compliant") || len(w.restWrites()) == 0 {
		t.Errorf("fix output / S3 writes %v:\n%s", w.restWrites(), fix.out)
	}
	if after := w.cli(false, "audit", "--output", "json"); after.code != 0 {
		t.Fatalf("audit after fix: exit %d, gaps %s", after.code, gapsOf(after.out))
	}
	bucket := checkBootstrapped(t, w.ctx, w.f, w.id)
	if bucket != plan.DefaultBucketName(w.id, region) {
		t.Errorf("bucket %s, want the deterministic name", bucket)
	}
	checkLockedDown(t, w.ctx, w.f, bucket)

	w.resetOps()
	again := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
	if again.code != 0 || len(w.writes()) != 0 {
		t.Errorf("second fix: exit %d, writes %v\n%s", again.code, w.writes(), again.out)
	}
}

// With an email, everything is in place but the subscription waits for its
// link: exit 2, said plainly; a second run writes nothing.
func TestBootstrapPendingEmail(t *testing.T) {
	w := newWorld(t)
	w.pending = true
	r := w.cli(false, "fix", "--yes", "--email", "pending@example.com")
	if r.code != 2 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	for _, want := range []string{"click the link", "After: gaps remain"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	if a := w.cli(false, "audit", "--output", "json"); a.code != 2 || gapsOf(a.out) != "NO_CONFIRMED_SUBSCRIPTION" {
		t.Errorf("audit: exit %d, gaps %s (want only the pending subscription)", a.code, gapsOf(a.out))
	}
	checkBootstrapped(t, w.ctx, w.f, w.id)
	w.resetOps()
	r = w.cli(false, "fix", "--yes", "--email", "pending@example.com")
	if r.code != 2 || len(w.writes()) != 0 {
		t.Errorf("second run: exit %d, writes %v\n%s", r.code, w.writes(), r.out)
	}
}

// The same through --assume-role: the role's account (111122223333 on
// moto) is bootstrapped; the caller's own account is untouched.
func TestBootstrapAssumeRole(t *testing.T) {
	w := newWorld(t)
	role := []string{"--assume-role", otherRole, "--external-id", "ext-42", "--role-session-name", "ci"}
	fix := w.cli(false, append([]string{"fix", "--yes", "--subscribe", "sqs:" + queueARN}, role...)...)
	if fix.code != 0 || !strings.Contains(fix.out, "111122223333") {
		t.Fatalf("fix through the role: exit %d\n%s\n%s", fix.code, fix.out, fix.errOut)
	}
	if a := w.cli(false, append([]string{"audit", "--output", "json"}, role...)...); a.code != 0 || !strings.Contains(a.out, `"account": "111122223333"`) {
		t.Errorf("audit through the role: exit %d, gaps %s", a.code, gapsOf(a.out))
	}
	if own := w.cli(false, "audit", "--output", "json"); own.code != 2 || !strings.Contains(gapsOf(own.out), "NO_MULTI_REGION_TRAIL") {
		t.Errorf("own account: exit %d, gaps %s", own.code, gapsOf(own.out))
	}
	other, err := awsx.Load(w.ctx, awsx.Settings{AssumeRoleARN: otherRole, EndpointURL: w.srv.URL, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	bucket := checkBootstrapped(t, w.ctx, other, "111122223333")
	if bucket != plan.DefaultBucketName("111122223333", region) {
		t.Errorf("bucket %s", bucket)
	}
	w.resetOps()
	again := w.cli(false, append([]string{"fix", "--yes", "--subscribe", "sqs:" + queueARN}, role...)...)
	if again.code != 0 || len(w.writes()) != 0 {
		t.Errorf("second fix: exit %d, writes %v", again.code, w.writes())
	}
}

// A role that cannot be assumed: exit 1, the role and the reason named,
// nothing written.
func TestBootstrapAssumeRoleDenied(t *testing.T) {
	w := newWorld(t)
	p := faultproxy.Start(t, w.srv.URL)
	p.Add(faultproxy.On("AssumeRole").Every().Deny())
	io, _, out, errOut := term.Test(false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code := cli.Run(ctx, []string{"trailwatch", "fix", "--yes", "--subscribe", "sqs:" + queueARN, "--assume-role", otherRole, "--endpoint-url", p.URL}, io)
	msg := out.String() + errOut.String()
	if code != 1 || !strings.Contains(msg, otherRole) || !strings.Contains(msg, "AccessDenied") {
		t.Errorf("exit %d; want 1 naming the role and the reason:\n%s", code, msg)
	}
	for _, c := range p.Calls() {
		if c.IsWrite() && c.Operation != "AssumeRole" {
			t.Errorf("wrote %s", c.Name())
		}
	}
}

// --trail-bucket: an existing bucket keeps its other statements.
func TestBootstrapExistingBucket(t *testing.T) {
	w := newWorld(t)
	const shared = "shared-trail-logs"
	s := w.f.S3(region)
	_, err := s.CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(shared)})
	w.must(err, "CreateBucket")
	other := `{"Version":"2012-10-17","Statement":[{"Sid":"OtherTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared-trail-logs/AWSLogs/999999999999/*"}]}`
	_, err = s.PutBucketPolicy(w.ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(shared), Policy: aws.String(other)})
	w.must(err, "PutBucketPolicy")

	fix := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN, "--trail-bucket", shared)
	if fix.code != 0 {
		t.Fatalf("fix exit %d\n%s\n%s", fix.code, fix.out, fix.errOut)
	}
	if got := checkBootstrapped(t, w.ctx, w.f, w.id); got != shared {
		t.Errorf("trail logs to %s, want %s", got, shared)
	}
	pol, err := s.GetBucketPolicy(w.ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(shared)})
	w.must(err, "GetBucketPolicy")
	var doc struct{ Statement []struct{ Sid string } }
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil {
		t.Fatal(err)
	}
	var sids []string
	for _, x := range doc.Statement {
		sids = append(sids, x.Sid)
	}
	if !slices.Contains(sids, "OtherTrailWrite") || !slices.Contains(sids, plan.BucketWriteSidPrefix+"trailwatchb6fe5665") {
		t.Errorf("statements %v: the other trail's must survive beside ours", sids)
	}
	if slices.Contains(sids, plan.BucketDenyInsecureSid) {
		t.Errorf("statements %v: the TLS deny goes only into buckets trailwatch creates", sids)
	}
	if _, err := s.HeadBucket(w.ctx, &s3.HeadBucketInput{Bucket: aws.String(plan.DefaultBucketName(w.id, region))}); err == nil {
		t.Error("a new bucket was created although --trail-bucket was given")
	}
}

// A taken bucket name is not reused: the deterministic name is held by an
// untagged bucket of this account, the next one by another account's bucket.
func TestBootstrapTakenBucketName(t *testing.T) {
	w := newWorld(t)
	name := plan.DefaultBucketName(w.id, region)
	_, err := w.f.S3(region).CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
	w.must(err, "CreateBucket in this account")
	// Someone's data is in it: it is not an interrupted trailwatch create.
	_, err = w.f.S3(region).PutObject(w.ctx, &s3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("exports/2025.csv"), Body: strings.NewReader("x")})
	w.must(err, "PutObject")
	other, err := awsx.Load(w.ctx, awsx.Settings{AssumeRoleARN: otherRole, EndpointURL: w.srv.URL, Region: region})
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.S3(region).CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(name + "-2")})
	w.must(err, "CreateBucket in another account")

	fix := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
	if fix.code != 0 {
		t.Fatalf("fix exit %d\n%s\n%s", fix.code, fix.out, fix.errOut)
	}
	if got := checkBootstrapped(t, w.ctx, w.f, w.id); got != name+"-3" {
		t.Errorf("trail logs to %s, want %s-3", got, name)
	}
	for _, op := range w.restWrites() {
		if strings.HasPrefix(op, "PUT /"+name+"?") || strings.HasPrefix(op, "PUT /"+name+"-2") {
			t.Errorf("wrote to a bucket that is not trailwatch's: %s", op)
		}
	}
	if _, err := w.f.S3(region).GetBucketPolicy(w.ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)}); err == nil {
		t.Error("the untagged bucket got a policy")
	}
}

// A single-region trail is left alone; the new multi-region trail is added
// beside it and the plan says so.
func TestBootstrapBesideSingleRegionTrail(t *testing.T) {
	w := newWorld(t)
	_, err := w.f.S3(region).CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String("legacy-logs-" + w.id)})
	w.must(err, "CreateBucket")
	_, err = w.f.CloudTrail(region).CreateTrail(w.ctx, &cloudtrail.CreateTrailInput{Name: aws.String("legacy"), S3BucketName: aws.String("legacy-logs-" + w.id)})
	w.must(err, "CreateTrail")
	fix := w.cli(false, "fix", "--yes", "--subscribe", "sqs:"+queueARN)
	if fix.code != 0 || !strings.Contains(fix.out, "legacy are left alone") {
		t.Fatalf("fix exit %d\n%s\n%s", fix.code, fix.out, fix.errOut)
	}
	checkBootstrapped(t, w.ctx, w.f, w.id)
	got, err := w.f.CloudTrail(region).GetTrail(w.ctx, &cloudtrail.GetTrailInput{Name: aws.String("legacy")})
	w.must(err, "GetTrail legacy")
	if aws.ToBool(got.Trail.IsMultiRegionTrail) || aws.ToString(got.Trail.CloudWatchLogsLogGroupArn) != "" || aws.ToString(got.Trail.S3BucketName) != "legacy-logs-"+w.id {
		t.Errorf("legacy trail changed: %+v", got.Trail)
	}
}

// A plan saved from an empty account applies.
func TestBootstrapSavedPlan(t *testing.T) {
	w := newWorld(t)
	file := filepath.Join(t.TempDir(), "boot.plan")
	if r := w.cli(false, "plan", "--subscribe", "sqs:"+queueARN, "--out", file); r.code != 2 {
		t.Fatalf("plan exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	w.resetOps()
	r := w.cli(false, "apply", "--yes", file)
	if r.code != 0 {
		t.Fatalf("apply exit %d\n%s\n%s", r.code, r.out, r.errOut)
	}
	checkBootstrapped(t, w.ctx, w.f, w.id)
	w.resetOps()
	if r := w.cli(false, "apply", "--yes", file); r.code != 1 || len(w.writes()) != 0 {
		t.Errorf("re-apply of the used plan: exit %d, writes %v", r.code, w.writes())
	}
}
