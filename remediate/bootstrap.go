package remediate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// --- the new trail's name ---

// trailStep returns the plan's trail-creation step, if any.
func (a *applier) trailStep() *plan.Step {
	for i := range a.p.Steps {
		if a.p.Steps[i].Params.Trail != nil {
			return &a.p.Steps[i]
		}
	}
	return nil
}

// trailARN maps the ARN of the trail the plan creates to the trail apply
// actually uses: the planned name, or the next free one when a trail
// trailwatch did not make holds it. Other ARNs come back unchanged. The
// name is settled once, by the first step that needs it (the bucket policy
// and the role's trust name the trail before it exists).
func (a *applier) trailARN(ctx context.Context, planned string) (string, error) {
	s := a.trailStep()
	if s == nil || s.Params.Trail.ARN != planned {
		return planned, nil
	}
	if v, ok := a.resolved[plan.IDTrail]; ok {
		return v, nil
	}
	tp := s.Params.Trail
	ct := a.c.CloudTrail(s.Address.Region)
	part := plan.Partition(tp.ARN)
	for _, name := range candidates(tp.Name) {
		arn := plan.TrailARN(part, s.Address.Region, a.p.Account, name)
		got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
		if err != nil && !awserr.IsNotFound(err) {
			return "", fmt.Errorf("get trail %q: %w", name, err)
		}
		if err != nil || got.Trail == nil {
			a.resolved[plan.IDTrail] = arn
			return arn, nil
		}
		if t := aws.ToString(got.Trail.TrailARN); t != "" {
			arn = t
		}
		tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
		if err != nil {
			return "", fmt.Errorf("list tags of trail %s: %w", arn, err)
		}
		if trailManaged(tags.ResourceTagList) {
			a.resolved[plan.IDTrail] = arn
			return arn, nil
		}
	}
	return "", fmt.Errorf("trail names %q to %q-%d are all taken by trails trailwatch did not make; pass --trail-name", tp.Name, tp.Name, maxNameTries)
}

func trailManaged(list []cttypes.ResourceTag) bool {
	for _, r := range list {
		for _, t := range r.TagsList {
			if aws.ToString(t.Key) == plan.ManagedTagKey && aws.ToString(t.Value) == plan.ManagedTagValue {
				return true
			}
		}
	}
	return false
}

func nameOfTrailARN(arn string) string {
	if i := strings.LastIndex(arn, ":trail/"); i >= 0 {
		return arn[i+len(":trail/"):]
	}
	return arn
}

// --- bucket ---

// bucketOwner says whose a bucket name is.
type bucketOwner int

const (
	bucketFree   bucketOwner = iota // no such bucket anywhere
	bucketOurs                      // in this account and tagged by trailwatch
	bucketTaken                     // someone else's, or this account's but not trailwatch's
	bucketInAcct                    // in this account (tags not asked)
)

// s3Code reports whether err carries one of codes (S3 says "not set" with
// its own code for each setting).
func s3Code(err error, codes ...string) bool {
	return err != nil && slices.Contains(codes, awserr.Code(err))
}

func (a *applier) bucketOwner(ctx context.Context, c S3API, name string, wantTag bool) (bucketOwner, error) {
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
	case awserr.IsNotFound(err) || s3Code(err, "NotFound"):
		return bucketFree, nil
	case awserr.IsDenied(err):
		return bucketTaken, nil // it exists and is not ours to read
	default:
		return 0, fmt.Errorf("head bucket %s: %w", name, err)
	}
	// It exists; listed among this account's buckets?
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(name)})
	if err != nil {
		return 0, fmt.Errorf("list buckets named %s: %w", name, err)
	}
	mine := slices.ContainsFunc(out.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == name })
	if !mine {
		return bucketTaken, nil
	}
	if !wantTag {
		return bucketInAcct, nil
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	if s3Code(err, "NoSuchTagSet", "NoSuchTagSetError") {
		return bucketTaken, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get tags of bucket %s: %w", name, err)
	}
	for _, t := range tags.TagSet {
		if aws.ToString(t.Key) == plan.ManagedTagKey && aws.ToString(t.Value) == plan.ManagedTagValue {
			return bucketOurs, nil
		}
	}
	return bucketTaken, nil
}

func (a *applier) bucket(ctx context.Context, region string, p *plan.BucketParams) (outcome, error) {
	if region == "" {
		region = a.p.Region
	}
	c := a.c.S3(region)
	trail, err := a.trailARN(ctx, p.TrailARN)
	if err != nil {
		return outcome{}, err
	}
	if p.Existing {
		return a.existingBucket(ctx, c, p, trail)
	}
	for _, name := range candidates(p.Name) {
		owner, err := a.bucketOwner(ctx, c, name, true)
		if err != nil {
			return outcome{}, err
		}
		switch owner {
		case bucketTaken:
			continue
		case bucketFree:
			in := &s3.CreateBucketInput{Bucket: aws.String(name)}
			if region != "us-east-1" {
				in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
			}
			if _, err := c.CreateBucket(ctx, in); err != nil {
				if s3Code(err, "BucketAlreadyExists") {
					continue // taken between the look and the create
				}
				return outcome{}, fmt.Errorf("create bucket %s: %w", name, err)
			}
			if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name),
				Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}}}); err != nil {
				return outcome{resource: name}, fmt.Errorf("created bucket %s but could not tag it (a later run will not take it for trailwatch's; tag it %s=%s or delete it): %w",
					name, plan.ManagedTagKey, plan.ManagedTagValue, err)
			}
			if _, err := a.bucketSettings(ctx, c, region, name, p, trail); err != nil {
				return outcome{resource: name}, fmt.Errorf("created bucket %s: %w", name, err)
			}
			d := "created; public access blocked, " + encryptionText(p) + ", bucket owner enforced, CloudTrail may write for " + trail
			return outcome{changed: true, resource: name, detail: d + renamed(p.Name, name)}, nil
		case bucketOurs:
			changed, err := a.bucketSettings(ctx, c, region, name, p, trail)
			if err != nil {
				return outcome{resource: name}, err
			}
			if len(changed) > 0 {
				return outcome{changed: true, resource: name, detail: "trailwatch's bucket existed; set " + strings.Join(changed, ", ") + renamed(p.Name, name)}, nil
			}
			return outcome{resource: name, detail: "trailwatch's bucket already exists" + renamed(p.Name, name)}, nil
		}
	}
	return outcome{}, fmt.Errorf("bucket names %q to %q-%d are all taken by buckets trailwatch did not make; pass --trail-bucket", p.Name, p.Name, maxNameTries)
}

func encryptionText(p *plan.BucketParams) string {
	if p.KMSKeyID != "" {
		return "SSE-KMS with " + p.KMSKeyID
	}
	return "SSE-S3"
}

// bucketSettings reads each setting of trailwatch's bucket and writes the
// ones that differ; it returns what it wrote.
func (a *applier) bucketSettings(ctx context.Context, c S3API, region, name string, p *plan.BucketParams, trail string) ([]string, error) {
	var changed []string
	b := aws.String(name)

	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil && !s3Code(err, "NoSuchPublicAccessBlockConfiguration") {
		return changed, fmt.Errorf("get public access block of %s: %w", name, err)
	}
	if err != nil || pab.PublicAccessBlockConfiguration == nil || !allBlocked(*pab.PublicAccessBlockConfiguration) {
		on := aws.Bool(true)
		if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
			BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
			return changed, fmt.Errorf("block public access to %s: %w", name, err)
		}
		changed = append(changed, "public access block")
	}

	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil && !s3Code(err, "ServerSideEncryptionConfigurationNotFoundError") {
		return changed, fmt.Errorf("get encryption of %s: %w", name, err)
	}
	if err != nil || !encryptedAsPlanned(enc.ServerSideEncryptionConfiguration, p.KMSKeyID) {
		rule := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}
		if p.KMSKeyID != "" {
			if err := a.checkKey(ctx, region, p.KMSKeyID, "cloudtrail.amazonaws.com"); err != nil {
				return changed, err
			}
			rule = s3types.ServerSideEncryptionRule{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
				SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(p.KMSKeyID)}}
		}
		if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{rule}}}); err != nil {
			return changed, fmt.Errorf("set default encryption of %s: %w", name, err)
		}
		changed = append(changed, "default encryption")
	}

	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil && !s3Code(err, "OwnershipControlsNotFoundError") {
		return changed, fmt.Errorf("get ownership controls of %s: %w", name, err)
	}
	if err != nil || own.OwnershipControls == nil || len(own.OwnershipControls.Rules) != 1 ||
		own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
			Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
			return changed, fmt.Errorf("set ownership controls of %s: %w", name, err)
		}
		changed = append(changed, "bucket owner enforced")
	}

	merged, err := a.mergeBucketPolicy(ctx, c, name, p.Account, trail, true)
	if err != nil {
		return changed, err
	}
	if merged {
		changed = append(changed, "policy")
	}
	return changed, nil
}

func allBlocked(c s3types.PublicAccessBlockConfiguration) bool {
	return aws.ToBool(c.BlockPublicAcls) && aws.ToBool(c.IgnorePublicAcls) && aws.ToBool(c.BlockPublicPolicy) && aws.ToBool(c.RestrictPublicBuckets)
}

func encryptedAsPlanned(c *s3types.ServerSideEncryptionConfiguration, key string) bool {
	if c == nil || len(c.Rules) == 0 || c.Rules[0].ApplyServerSideEncryptionByDefault == nil {
		return false
	}
	d := c.Rules[0].ApplyServerSideEncryptionByDefault
	if key == "" {
		return d.SSEAlgorithm == s3types.ServerSideEncryptionAes256
	}
	return d.SSEAlgorithm == s3types.ServerSideEncryptionAwsKms && aws.ToString(d.KMSMasterKeyID) == key
}

// mergeBucketPolicy adds the trail's statements (and, on trailwatch's own
// bucket, the TLS deny) to the bucket policy by Sid, keeping every other
// statement; it writes only when something is missing.
func (a *applier) mergeBucketPolicy(ctx context.Context, c S3API, bucket, account, trail string, ours bool) (bool, error) {
	cur := ""
	got, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	switch {
	case s3Code(err, "NoSuchBucketPolicy"):
	case err != nil:
		return false, fmt.Errorf("get policy of bucket %s: %w", bucket, err)
	default:
		cur = aws.ToString(got.Policy)
	}
	statements := plan.BucketStatements
	if ours {
		statements = plan.NewBucketStatements
	}
	stmts, err := statements(bucket, account, trail)
	if err != nil {
		return false, err
	}
	merged, changed, err := plan.MergeStatements(cur, stmts)
	if err != nil {
		return false, fmt.Errorf("bucket %s: %w", bucket, err)
	}
	if !changed {
		return false, nil
	}
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(merged)}); err != nil {
		return false, fmt.Errorf("put policy of bucket %s: %w", bucket, err)
	}
	return true, nil
}

// existingBucket: --trail-bucket. Only the policy changes, by merge.
func (a *applier) existingBucket(ctx context.Context, c S3API, p *plan.BucketParams, trail string) (outcome, error) {
	owner, err := a.bucketOwner(ctx, c, p.Name, false)
	if err != nil {
		return outcome{}, err
	}
	switch owner {
	case bucketFree:
		return outcome{}, fmt.Errorf("bucket %s (--trail-bucket) does not exist; create it, or omit --trail-bucket and trailwatch creates one", p.Name)
	case bucketTaken:
		return outcome{}, fmt.Errorf("bucket %s (--trail-bucket) is not in account %s; trailwatch changes bucket policies only in the account it runs in", p.Name, a.p.Account)
	}
	changed, err := a.mergeBucketPolicy(ctx, c, p.Name, p.Account, trail, false)
	if err != nil {
		return outcome{}, err
	}
	if !changed {
		return outcome{resource: p.Name, detail: "policy already lets " + trail + " write"}, nil
	}
	return outcome{changed: true, resource: p.Name, detail: "CloudTrail statements for " + trail + " merged into the policy; other statements kept"}, nil
}

// --- trail ---

// trailNotReady: errors CloudTrail returns while a new role (or a new
// bucket policy) propagates.
func trailNotReady(err error) bool {
	return roleNotReady(err) || awserr.Code(err) == "InsufficientS3BucketPolicyException"
}

func (a *applier) createTrail(ctx, wctx context.Context, region string, p *plan.TrailParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	arn, err := a.trailARN(wctx, p.ARN)
	if err != nil {
		return outcome{}, err
	}
	name := nameOfTrailARN(arn)
	bucket := a.ref(plan.IDTrailBucket, p.BucketName)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	groupARN := plan.LogGroupARN(plan.Partition(p.ARN), region, a.p.Account, group)
	roleARN := a.ref(plan.IDLogsRole, p.RoleARN)

	got, err := ct.GetTrail(wctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil && !awserr.IsNotFound(err) {
		return outcome{}, fmt.Errorf("get trail %q: %w", name, err)
	}
	exists := err == nil && got.Trail != nil
	if exists {
		t := got.Trail
		trim := func(s string) string { return strings.TrimSuffix(s, ":*") }
		if aws.ToBool(t.IsMultiRegionTrail) && aws.ToBool(t.IncludeGlobalServiceEvents) && aws.ToBool(t.LogFileValidationEnabled) &&
			aws.ToString(t.S3BucketName) == bucket && trim(aws.ToString(t.CloudWatchLogsLogGroupArn)) == trim(groupARN) &&
			aws.ToString(t.CloudWatchLogsRoleArn) == roleARN {
			return outcome{resource: arn, detail: "trailwatch's trail already exists as planned"}, nil
		}
	}
	for attempt := 1; ; attempt++ {
		if exists {
			_, err = ct.UpdateTrail(wctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket),
				IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
				CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(roleARN)})
		} else {
			var out *cloudtrail.CreateTrailOutput
			out, err = ct.CreateTrail(wctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(bucket),
				IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
				CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(roleARN),
				TagsList: []cttypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}})
			if err == nil && aws.ToString(out.TrailARN) != "" {
				arn = aws.ToString(out.TrailARN)
			}
		}
		if err == nil {
			break
		}
		if !trailNotReady(err) || attempt >= a.opts.PropagationAttempts {
			if trailNotReady(err) {
				return outcome{}, fmt.Errorf("create trail %q: CloudTrail still rejects the role or the bucket after %d attempts (IAM propagation can take a minute; run fix again): %w", name, attempt, err)
			}
			return outcome{}, fmt.Errorf("create trail %q: %w", name, err)
		}
		if serr := a.opts.Sleep(ctx, a.opts.PropagationDelay); serr != nil {
			return outcome{}, fmt.Errorf("create trail %q: stopped waiting for role %s to propagate: %w", name, roleARN, ErrCancelled)
		}
	}
	a.resolved[plan.IDTrail] = arn
	d := "created: multi-region, global service events, log file validation, logs to bucket " + bucket + ", delivers to log group " + group
	if exists {
		d = "trailwatch's trail existed; set to multi-region, global service events, log file validation, bucket " + bucket + ", log group " + group
	}
	return outcome{changed: true, resource: arn, detail: d + renamed(p.Name, name)}, nil
}
