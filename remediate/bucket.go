package remediate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// s3Code reports whether err carries one of codes (S3 says "not set" with
// its own code for each setting).
func s3Code(err error, codes ...string) bool {
	return err != nil && slices.Contains(codes, awserr.Code(err))
}

func (a *applier) bucketRegion(region string) string {
	if region == "" {
		return a.p.Region
	}
	return region
}

// bucketOwner says whose a bucket name is. A bucket in this account that
// carries no tags is trailwatch's orphan only when nothing but an
// interrupted trailwatch create can have made it: trailwatch's exact
// deterministic name, no policy and no objects (nobody's data is in it).
func (a *applier) bucketOwner(ctx context.Context, c S3API, name string, deterministic bool) (chain.Owner, error) {
	_, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
	switch {
	case err == nil:
	case awserr.IsNotFound(err) || s3Code(err, "NotFound"):
		return chain.Free, nil
	case awserr.IsDenied(err):
		return chain.Foreign, nil // it exists and is not ours to read
	default:
		return 0, fmt.Errorf("head bucket %s: %w", name, err)
	}
	// It exists; listed among this account's buckets?
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(name)})
	if err != nil {
		return 0, fmt.Errorf("list buckets named %s: %w", name, err)
	}
	if !slices.ContainsFunc(out.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == name }) {
		return chain.Foreign, nil
	}
	tags, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(name)})
	switch {
	case s3Code(err, "NoSuchTagSet", "NoSuchTagSetError"):
		if deterministic && a.emptyAndBare(ctx, c, name) {
			return chain.Orphan, nil
		}
		return chain.Foreign, nil
	case err != nil:
		return 0, fmt.Errorf("get tags of bucket %s: %w", name, err)
	case chain.Managed(chain.S3Tags(tags.TagSet)):
		return chain.Ours, nil
	}
	return chain.Foreign, nil
}

// emptyAndBare: no policy and no objects. Any doubt (a read that fails)
// keeps the bucket foreign.
func (a *applier) emptyAndBare(ctx context.Context, c S3API, name string) bool {
	if _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(name)}); !s3Code(err, "NoSuchBucketPolicy") {
		return false
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(name), MaxKeys: aws.Int32(1)})
	return err == nil && len(out.Contents) == 0 && aws.ToInt32(out.KeyCount) == 0
}

func (a *applier) probeBucket(ctx context.Context, c S3API, name string, p *plan.BucketParams) (state, error) {
	if p.Existing {
		return state{owner: chain.Ours}, nil
	}
	deterministic := name == plan.DefaultBucketName(p.Account, a.bucketRegion(""))
	owner, err := a.bucketOwner(ctx, c, name, deterministic)
	if err != nil || owner == chain.Free || owner == chain.Foreign {
		return state{owner: owner}, err
	}
	trail, err := a.trailARN(ctx, p.TrailARN)
	if err != nil {
		return state{}, err
	}
	st := state{owner: owner}
	if owner == chain.Orphan {
		st.changes = append(st.changes, "tags")
	}
	diff, err := a.bucketSettings(ctx, c, name, p, trail, false)
	st.changes = append(st.changes, diff...)
	return st, err
}

func (a *applier) bucket(ctx context.Context, s plan.Step) (outcome, error) {
	p := s.Params.Bucket
	region := a.bucketRegion(s.Address.Region)
	c := a.c.S3(region)
	trail, err := a.trailARN(ctx, p.TrailARN)
	if err != nil {
		return outcome{}, err
	}
	if p.Existing {
		return a.existingBucket(ctx, c, p, trail)
	}
	name, st, err := a.settle(ctx, s)
	if err != nil {
		return outcome{}, err
	}
	adopted := ""
	if st.owner == chain.Free {
		in := &s3.CreateBucketInput{Bucket: aws.String(name)}
		if region != "us-east-1" {
			in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
		}
		_, err := c.CreateBucket(ctx, in)
		switch {
		case err == nil:
			st.owner = chain.Orphan // created, not yet tagged
		case s3Code(err, "BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
			// A lost answer retried, or a concurrent run: adopt it only
			// if it is trailwatch's (or an orphan of an interrupted run).
			if st, err = a.probe(ctx, s, name); err != nil {
				return outcome{}, err
			}
			if st.owner == chain.Foreign || st.owner == chain.Free {
				return outcome{}, fmt.Errorf("create bucket %s: it was created by someone else meanwhile; run fix again to pick another name", name)
			}
			adopted = "; it was created meanwhile (a retry or another run) and is adopted"
		default:
			return outcome{}, fmt.Errorf("create bucket %s: %w", name, err)
		}
	} else if st.owner == chain.Orphan {
		adopted = "; an interrupted trailwatch run had created it (empty, untagged, no policy): adopted"
	}
	var set []string
	if st.owner == chain.Orphan {
		if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(name),
			Tagging: &s3types.Tagging{TagSet: chain.S3ManagedTags()}}); err != nil {
			return outcome{resource: name}, fmt.Errorf("could not tag bucket %s (a later run adopts it while it stays empty and untagged): %w", name, err)
		}
		set = append(set, "tags")
	}
	changed, err := a.bucketSettings(ctx, c, name, p, trail, true)
	if err != nil {
		return outcome{resource: name}, fmt.Errorf("bucket %s: %w", name, err)
	}
	set = append(set, changed...)
	a.resolve(s.ID, name)
	if len(set) == 0 {
		return outcome{resource: name, detail: "trailwatch's bucket already exists" + chain.Renamed(p.Name, name)}, nil
	}
	d := "created; public access blocked, " + encryptionText(p) + ", bucket owner enforced, CloudTrail may write for " + trail
	if adopted != "" || st.owner == chain.Ours {
		d = "trailwatch's bucket; set " + strings.Join(set, ", ")
	}
	return outcome{changed: true, resource: name, detail: d + adopted + chain.Renamed(p.Name, name)}, nil
}

func encryptionText(p *plan.BucketParams) string {
	if p.KMSKeyID != "" {
		return "SSE-KMS with " + p.KMSKeyID
	}
	return "SSE-S3"
}

// bucketSettings reads each setting of trailwatch's bucket and, with write,
// writes the ones that differ; it returns what differs (or was written).
func (a *applier) bucketSettings(ctx context.Context, c S3API, name string, p *plan.BucketParams, trail string, write bool) ([]string, error) {
	var changed []string
	b := aws.String(name)

	pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil && !s3Code(err, "NoSuchPublicAccessBlockConfiguration") {
		return changed, fmt.Errorf("get public access block of %s: %w", name, err)
	}
	if err != nil || pab.PublicAccessBlockConfiguration == nil || !allBlocked(*pab.PublicAccessBlockConfiguration) {
		if write {
			on := aws.Bool(true)
			if _, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{
				BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
				return changed, fmt.Errorf("block public access to %s: %w", name, err)
			}
		}
		changed = append(changed, "public access block")
	}

	enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
	if err != nil && !s3Code(err, "ServerSideEncryptionConfigurationNotFoundError") {
		return changed, fmt.Errorf("get encryption of %s: %w", name, err)
	}
	if err != nil || !encryptedAsPlanned(enc.ServerSideEncryptionConfiguration, p.KMSKeyID) {
		if write {
			rule := s3types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAes256}}
			if p.KMSKeyID != "" {
				if err := a.checkKey(ctx, a.bucketRegion(""), p.KMSKeyID, "cloudtrail.amazonaws.com"); err != nil {
					return changed, err
				}
				rule = s3types.ServerSideEncryptionRule{BucketKeyEnabled: aws.Bool(true), ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{
					SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(p.KMSKeyID)}}
			}
			if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b,
				ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{rule}}}); err != nil {
				return changed, fmt.Errorf("set default encryption of %s: %w", name, err)
			}
		}
		changed = append(changed, "default encryption")
	}

	own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
	if err != nil && !s3Code(err, "OwnershipControlsNotFoundError") {
		return changed, fmt.Errorf("get ownership controls of %s: %w", name, err)
	}
	if err != nil || own.OwnershipControls == nil || len(own.OwnershipControls.Rules) != 1 ||
		own.OwnershipControls.Rules[0].ObjectOwnership != s3types.ObjectOwnershipBucketOwnerEnforced {
		if write {
			if _, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: b, OwnershipControls: &s3types.OwnershipControls{
				Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: s3types.ObjectOwnershipBucketOwnerEnforced}}}}); err != nil {
				return changed, fmt.Errorf("set ownership controls of %s: %w", name, err)
			}
		}
		changed = append(changed, "bucket owner enforced")
	}

	merged, err := a.mergeBucketPolicy(ctx, c, name, p.Account, trail, true, write)
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
// statement; it reports whether something is missing, and writes it when
// write is true.
func (a *applier) mergeBucketPolicy(ctx context.Context, c S3API, bucket, account, trail string, ours, write bool) (bool, error) {
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
	if !changed || !write {
		return changed, nil
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
	if owner == chain.Free {
		return outcome{}, fmt.Errorf("bucket %s (--trail-bucket) does not exist; create it, or omit --trail-bucket and trailwatch creates one", p.Name)
	}
	if owner == chain.Foreign {
		// Foreign here only means "not tagged": it is the user's bucket,
		// which they named; it must be in this account.
		out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{Prefix: aws.String(p.Name)})
		if err != nil {
			return outcome{}, fmt.Errorf("list buckets named %s: %w", p.Name, err)
		}
		if !slices.ContainsFunc(out.Buckets, func(b s3types.Bucket) bool { return aws.ToString(b.Name) == p.Name }) {
			return outcome{}, fmt.Errorf("bucket %s (--trail-bucket) is not in account %s; trailwatch changes bucket policies only in the account it runs in", p.Name, a.p.Account)
		}
	}
	changed, err := a.mergeBucketPolicy(ctx, c, p.Name, p.Account, trail, false, true)
	if err != nil {
		return outcome{}, err
	}
	if !changed {
		return outcome{resource: p.Name, detail: "policy already lets " + trail + " write"}, nil
	}
	return outcome{changed: true, resource: p.Name, detail: "CloudTrail statements for " + trail + " merged into the policy; other statements kept"}, nil
}
