package remediate

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/plan"
)

const (
	bucketName = "trailwatch-cloudtrail-123456789012-us-east-1"
	newTrail   = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trailwatch"
	// bootKeyPol lets CloudWatch (topic) and CloudTrail (bucket) use the key.
	bootKeyPol = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["cloudwatch.amazonaws.com","cloudtrail.amazonaws.com"]},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
)

var bootChoices = plan.Choices{Subscribe: "sqs:" + queue, KMSKeyID: "alias/secops"}

// empty is a new account: no trail at all.
func empty() (*fake, *audit.Report) {
	f := newFake()
	f.keys["alias/secops"] = &fakeKey{manager: kmstypes.KeyManagerTypeCustomer, policy: bootKeyPol}
	return f, auditFake(f)
}

// checkBootstrapped asserts the fake holds one multi-region trail made by
// trailwatch, logging to a locked-down bucket and to a log group, and the
// rest of the chain on that group.
func checkBootstrapped(t *testing.T, f *fake) {
	t.Helper()
	var arn string
	var tr *fakeTrail
	for a, x := range f.trails {
		if x.multi {
			arn, tr = a, x
		}
	}
	if tr == nil {
		t.Fatal("no multi-region trail")
	}
	if !f.trailManaged[arn] || !tr.logging || chain.JudgeEvents(tr.basic, tr.advanced).Status != chain.Passed {
		t.Errorf("trail %s: managed %v, logging %v", arn, f.trailManaged[arn], tr.logging)
	}
	b := f.buckets[tr.bucket]
	if b == nil {
		t.Fatalf("trail logs to bucket %q, which does not exist", tr.bucket)
	}
	if !strings.Contains(b.policy, arn) {
		t.Errorf("bucket %s policy does not name %s: %s", tr.bucket, arn, b.policy)
	}
	// A bucket trailwatch made is locked down (a --trail-bucket keeps its own settings).
	if b.tags[plan.ManagedTagKey] == plan.ManagedTagValue && (b.pab == nil || !allBlocked(*b.pab) ||
		b.ownership != s3types.ObjectOwnershipBucketOwnerEnforced || b.enc == nil) {
		t.Errorf("bucket %s not set up: %+v", tr.bucket, b)
	}
	group := strings.TrimSuffix(tr.groupARN[strings.Index(tr.groupARN, "log-group:")+10:], ":*")
	if _, ok := f.groups[group]; !ok {
		t.Fatalf("trail delivers to %q, which does not exist", tr.groupARN)
	}
	role := f.roles[tr.roleARN[strings.LastIndex(tr.roleARN, "/")+1:]]
	if role == nil || !strings.Contains(role.trust, arn) {
		t.Errorf("role %s does not trust %s only", tr.roleARN, arn)
	}
	var metric string
	for _, mf := range f.filters[group] {
		if aws.ToString(mf.FilterPattern) == pattern.CIS {
			metric = aws.ToString(mf.MetricTransformations[0].MetricName)
		}
	}
	ok := false
	for _, a := range f.alarms {
		if aws.ToString(a.MetricName) != metric || metric == "" {
			continue
		}
		for _, act := range a.AlarmActions {
			for _, s := range f.subs {
				ok = ok || (aws.ToString(s.TopicArn) == act && !chain.IsPendingARN(aws.ToString(s.SubscriptionArn)))
			}
		}
	}
	if !ok {
		t.Error("no alarm on the new group's metric notifies a confirmed subscriber")
	}
}

func TestApplyBootstrap(t *testing.T) {
	f, r := empty()
	p := build(t, r, bootChoices)
	applyAllDone(t, f, p)
	checkBootstrapped(t, f)
	b := f.buckets[bucketName]
	if b == nil {
		t.Fatalf("bucket %s not created (buckets %v)", bucketName, sortedKeys(f.buckets))
	}
	d := b.enc.Rules[0].ApplyServerSideEncryptionByDefault
	if d.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms || aws.ToString(d.KMSMasterKeyID) != "alias/secops" {
		t.Errorf("encryption = %+v, want SSE-KMS with alias/secops", d)
	}
	want, err := plan.BucketPolicy(bucketName, f.acct, newTrail)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.SamePolicy(want, b.policy) {
		t.Errorf("bucket policy = %s\nwant %s", b.policy, want)
	}

	// The same plan again writes nothing.
	f.writes = nil
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err != nil || len(f.writes) != 0 || res.Count(NoChange) != len(p.Steps) {
		t.Errorf("second apply: %v, writes %v, statuses %v", err, f.writes, statuses(res))
	}
}

// Taken names get another: a bucket in another account (403, and readable),
// an untagged bucket of this account, and a trail trailwatch did not make.
// None of them is written to.
func TestBootstrapTakenNames(t *testing.T) {
	f, r := empty()
	f.foreign[bucketName] = true
	f.foreign[bucketName+"-2"] = false
	f.buckets[bucketName+"-3"] = &fakeBucket{tags: map[string]string{"team": "data"}, policy: `{"Statement":[]}`}
	const foreignTrail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/trailwatch"
	f.trails[foreignTrail] = &fakeTrail{name: "trailwatch", home: "us-east-1", bucket: "other"}
	p := build(t, r, plan.Choices{Subscribe: "sqs:" + queue})
	res, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Steps[0].Resource; got != bucketName+"-4" {
		t.Errorf("bucket = %s, want %s-4", got, bucketName)
	}
	if f.buckets[bucketName+"-3"].policy != `{"Statement":[]}` || f.buckets[bucketName+"-3"].pab != nil {
		t.Error("the untagged bucket of this account was changed")
	}
	if _, ok := f.trails["arn:aws:cloudtrail:us-east-1:123456789012:trail/trailwatch-2"]; !ok {
		t.Errorf("trails = %v, want trailwatch-2 beside the foreign trailwatch", sortedKeys(f.trails))
	}
	if f.trails[foreignTrail].logging || f.trails[foreignTrail].multi {
		t.Error("the foreign trail was changed")
	}
	// The bucket policy and the role trust name the trail actually created.
	if !strings.Contains(f.buckets[bucketName+"-4"].policy, "trail/trailwatch-2") || !strings.Contains(f.roles[plan.DefaultRoleName].trust, "trail/trailwatch-2") {
		t.Error("policy or trust does not name trailwatch-2")
	}
	for _, d := range []string{res.Steps[0].Detail, res.Steps[3].Detail} {
		if !strings.Contains(d, "is taken") {
			t.Errorf("detail does not say the name was taken: %s", d)
		}
	}
	checkBootstrapped(t, f)
}

// --trail-bucket: the bucket's policy is merged; other statements stay.
func TestBootstrapExistingBucket(t *testing.T) {
	f, r := empty()
	other := `{"Version":"2012-10-17","Statement":[{"Sid":"OtherTrail","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::shared/AWSLogs/999999999999/*"}]}`
	f.buckets["shared"] = &fakeBucket{tags: map[string]string{"team": "sec"}, policy: other}
	p := build(t, r, plan.Choices{Subscribe: "sqs:" + queue, TrailBucket: "shared"})
	if _, err := Apply(context.Background(), p, f, Options{Sleep: noSleep}); err != nil {
		t.Fatal(err)
	}
	var doc struct{ Statement []map[string]any }
	if err := json.Unmarshal([]byte(f.buckets["shared"].policy), &doc); err != nil {
		t.Fatal(err)
	}
	var sids []string
	for _, s := range doc.Statement {
		sids = append(sids, s["Sid"].(string))
	}
	// Ours are added beside the owner's; no TLS deny on a bucket we did not
	// make, since it could cut off its other clients.
	if !slices.Contains(sids, "OtherTrail") || !slices.Contains(sids, plan.BucketWriteSidPrefix+"trailwatchb6fe5665") || len(sids) != 3 ||
		slices.Contains(sids, plan.BucketDenyInsecureSid) {
		t.Errorf("statements = %v", sids)
	}
	if f.buckets["shared"].pab != nil || f.buckets["shared"].enc != nil || len(f.buckets) != 1 {
		t.Error("only the policy of an existing bucket may change, and no bucket is created")
	}
	checkBootstrapped(t, f)

	// A bucket that does not exist, or is not this account's, is an error before the trail.
	for name, setup := range map[string]func(*fake){"missing": func(*fake) {}, "foreign": func(f *fake) { f.foreign["shared"] = false }} {
		t.Run(name, func(t *testing.T) {
			f, _ := empty()
			setup(f)
			_, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
			var se *StepError
			if !errors.As(err, &se) || se.Step.ID != plan.IDTrailBucket || !strings.Contains(err.Error(), "shared") || len(f.writes) != 0 {
				t.Errorf("err = %v, writes %v", err, f.writes)
			}
		})
	}
}

// CreateTrail is retried while the new role (or bucket policy) propagates.
func TestCreateTrailPropagationRetry(t *testing.T) {
	f, r := empty()
	p := build(t, r, bootChoices)
	f.fail["CreateTrail"], f.failN["CreateTrail"] = apiErr("InvalidCloudWatchLogsRoleArnException", "cannot assume"), 2
	sleeps := 0
	if _, err := Apply(context.Background(), p, f, Options{Sleep: func(context.Context, time.Duration) error { sleeps++; return nil }}); err != nil || sleeps != 2 {
		t.Fatalf("err = %v, sleeps = %d", err, sleeps)
	}
	checkBootstrapped(t, f)
}

// A key whose policy does not let CloudTrail use it stops at the bucket,
// before its encryption is set.
func TestBucketKMSKeyChecked(t *testing.T) {
	f, r := empty()
	f.keys["alias/secops"].policy = keyPol // CloudWatch only
	p := build(t, r, bootChoices)
	_, err := Apply(context.Background(), p, f, Options{Sleep: noSleep})
	var se *StepError
	if !errors.As(err, &se) || se.Step.ID != plan.IDTrailBucket || !strings.Contains(err.Error(), "cloudtrail.amazonaws.com") {
		t.Fatalf("err = %v", err)
	}
	if slices.Contains(f.writes, "PutBucketEncryption") {
		t.Error("encryption set with an unusable key")
	}
}
