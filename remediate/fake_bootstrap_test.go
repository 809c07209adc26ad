package remediate

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// --- CloudTrail: bootstrap calls ---

func (f *fake) trailByName(name string) (string, *fakeTrail) {
	for arn, t := range f.trails {
		if t.name == name {
			return arn, t
		}
	}
	return "", nil
}

func (f *fake) GetTrail(_ context.Context, in *cloudtrail.GetTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetTrail"); err != nil {
		return nil, err
	}
	arn, t := f.trailByName(aws.ToString(in.Name))
	if t == nil {
		return nil, apiErr("TrailNotFoundException", "no trail "+aws.ToString(in.Name))
	}
	return &cloudtrail.GetTrailOutput{Trail: &cttypes.Trail{TrailARN: aws.String(arn), Name: aws.String(t.name),
		IsMultiRegionTrail: aws.Bool(t.multi), IncludeGlobalServiceEvents: aws.Bool(t.multi), LogFileValidationEnabled: aws.Bool(t.multi),
		S3BucketName: aws.String(t.bucket), CloudWatchLogsLogGroupArn: nilIfEmpty(t.groupARN), CloudWatchLogsRoleArn: nilIfEmpty(t.roleARN)}}, nil
}

func (f *fake) ListTags(_ context.Context, in *cloudtrail.ListTagsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.ListTagsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListTags"); err != nil {
		return nil, err
	}
	out := &cloudtrail.ListTagsOutput{}
	for _, id := range in.ResourceIdList {
		rt := cttypes.ResourceTag{ResourceId: aws.String(id)}
		if f.trailManaged[id] {
			rt.TagsList = []cttypes.Tag{{Key: aws.String("trailwatch:managed"), Value: aws.String("true")}}
		}
		out.ResourceTagList = append(out.ResourceTagList, rt)
	}
	return out, nil
}

// CreateTrail checks what CloudTrail checks: the name is free, the bucket
// exists and its policy lets this trail write, the role exists.
func (f *fake) CreateTrail(_ context.Context, in *cloudtrail.CreateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.CreateTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateTrail"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	if _, t := f.trailByName(name); t != nil {
		return nil, apiErr("TrailAlreadyExistsException", name)
	}
	arn := "arn:aws:cloudtrail:" + f.region + ":" + f.acct + ":trail/" + name
	b, ok := f.buckets[aws.ToString(in.S3BucketName)]
	if !ok {
		return nil, apiErr("S3BucketDoesNotExistException", aws.ToString(in.S3BucketName))
	}
	if !strings.Contains(b.policy, `"aws:SourceArn":"`+arn+`"`) || !strings.Contains(b.policy, "AWSLogs/"+f.acct+"/*") {
		return nil, apiErr("InsufficientS3BucketPolicyException", "bucket policy does not let "+arn+" write")
	}
	role := aws.ToString(in.CloudWatchLogsRoleArn)
	if _, ok := f.roles[role[strings.LastIndex(role, "/")+1:]]; !ok {
		return nil, apiErr("InvalidCloudWatchLogsRoleArnException", "role "+role)
	}
	if !aws.ToBool(in.IsMultiRegionTrail) || !aws.ToBool(in.IncludeGlobalServiceEvents) || !aws.ToBool(in.EnableLogFileValidation) {
		return nil, apiErr("InvalidParameterCombinationException", "trailwatch must ask for a multi-region trail with global events and validation")
	}
	f.trails[arn] = &fakeTrail{name: name, home: f.region, multi: true, bucket: aws.ToString(in.S3BucketName),
		groupARN: aws.ToString(in.CloudWatchLogsLogGroupArn), roleARN: role}
	for _, t := range in.TagsList {
		if aws.ToString(t.Key) == "trailwatch:managed" && aws.ToString(t.Value) == "true" {
			f.trailManaged[arn] = true
		}
	}
	return &cloudtrail.CreateTrailOutput{TrailARN: aws.String(arn), Name: aws.String(name)}, nil
}

// --- S3 ---

type fakeS3 fake

// httpErr is an S3 error with its HTTP status, as the SDK returns for HEAD.
func httpErr(code string, status int) error {
	return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: apiErr(code, code)}
}

func (c *fakeS3) bucket(op, name string) (*fakeBucket, error) {
	f := (*fake)(c)
	if err := f.call(op); err != nil {
		return nil, err
	}
	b, ok := f.buckets[name]
	if !ok {
		if _, foreign := f.foreign[name]; foreign {
			return nil, httpErr("AccessDenied", http.StatusForbidden)
		}
		return nil, httpErr("NoSuchBucket", http.StatusNotFound)
	}
	return b, nil
}

func (c *fakeS3) HeadBucket(_ context.Context, in *s3.HeadBucketInput, _ ...func(*s3.Options)) (*s3.HeadBucketOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("HeadBucket"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Bucket)
	if _, ok := f.buckets[name]; ok {
		return &s3.HeadBucketOutput{}, nil
	}
	if denied, ok := f.foreign[name]; ok {
		if denied {
			return nil, httpErr("Forbidden", http.StatusForbidden)
		}
		return &s3.HeadBucketOutput{}, nil
	}
	return nil, httpErr("NotFound", http.StatusNotFound)
}

func (c *fakeS3) ListBuckets(_ context.Context, in *s3.ListBucketsInput, _ ...func(*s3.Options)) (*s3.ListBucketsOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListBuckets"); err != nil {
		return nil, err
	}
	out := &s3.ListBucketsOutput{}
	for _, n := range sortedKeys(f.buckets) {
		if strings.HasPrefix(n, aws.ToString(in.Prefix)) {
			out.Buckets = append(out.Buckets, s3types.Bucket{Name: aws.String(n)})
		}
	}
	return out, nil
}

func (c *fakeS3) GetBucketTagging(_ context.Context, in *s3.GetBucketTaggingInput, _ ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("GetBucketTagging", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	if len(b.tags) == 0 {
		return nil, apiErr("NoSuchTagSet", "no tags")
	}
	out := &s3.GetBucketTaggingOutput{}
	for _, k := range sortedKeys(b.tags) {
		out.TagSet = append(out.TagSet, s3types.Tag{Key: aws.String(k), Value: aws.String(b.tags[k])})
	}
	return out, nil
}

func (c *fakeS3) CreateBucket(_ context.Context, in *s3.CreateBucketInput, _ ...func(*s3.Options)) (*s3.CreateBucketOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateBucket"); err != nil {
		return nil, err
	}
	name := aws.ToString(in.Bucket)
	if _, ok := f.foreign[name]; ok {
		return nil, apiErr("BucketAlreadyExists", name)
	}
	if _, ok := f.buckets[name]; ok {
		return nil, apiErr("BucketAlreadyOwnedByYou", name)
	}
	f.buckets[name] = &fakeBucket{}
	return &s3.CreateBucketOutput{}, nil
}

func (c *fakeS3) PutBucketTagging(_ context.Context, in *s3.PutBucketTaggingInput, _ ...func(*s3.Options)) (*s3.PutBucketTaggingOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("PutBucketTagging", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	b.tags = map[string]string{}
	for _, t := range in.Tagging.TagSet {
		b.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &s3.PutBucketTaggingOutput{}, nil
}

func (c *fakeS3) GetPublicAccessBlock(_ context.Context, in *s3.GetPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("GetPublicAccessBlock", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	if b.pab == nil {
		return nil, apiErr("NoSuchPublicAccessBlockConfiguration", "none")
	}
	return &s3.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: b.pab}, nil
}

func (c *fakeS3) PutPublicAccessBlock(_ context.Context, in *s3.PutPublicAccessBlockInput, _ ...func(*s3.Options)) (*s3.PutPublicAccessBlockOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("PutPublicAccessBlock", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	b.pab = in.PublicAccessBlockConfiguration
	return &s3.PutPublicAccessBlockOutput{}, nil
}

func (c *fakeS3) GetBucketEncryption(_ context.Context, in *s3.GetBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.GetBucketEncryptionOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("GetBucketEncryption", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	if b.enc == nil {
		return nil, apiErr("ServerSideEncryptionConfigurationNotFoundError", "none")
	}
	return &s3.GetBucketEncryptionOutput{ServerSideEncryptionConfiguration: b.enc}, nil
}

func (c *fakeS3) PutBucketEncryption(_ context.Context, in *s3.PutBucketEncryptionInput, _ ...func(*s3.Options)) (*s3.PutBucketEncryptionOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("PutBucketEncryption", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	b.enc = in.ServerSideEncryptionConfiguration
	return &s3.PutBucketEncryptionOutput{}, nil
}

func (c *fakeS3) GetBucketOwnershipControls(_ context.Context, in *s3.GetBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.GetBucketOwnershipControlsOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("GetBucketOwnershipControls", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	if b.ownership == "" {
		return nil, apiErr("OwnershipControlsNotFoundError", "none")
	}
	return &s3.GetBucketOwnershipControlsOutput{OwnershipControls: &s3types.OwnershipControls{Rules: []s3types.OwnershipControlsRule{{ObjectOwnership: b.ownership}}}}, nil
}

func (c *fakeS3) PutBucketOwnershipControls(_ context.Context, in *s3.PutBucketOwnershipControlsInput, _ ...func(*s3.Options)) (*s3.PutBucketOwnershipControlsOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("PutBucketOwnershipControls", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	b.ownership = in.OwnershipControls.Rules[0].ObjectOwnership
	return &s3.PutBucketOwnershipControlsOutput{}, nil
}

func (c *fakeS3) GetBucketPolicy(_ context.Context, in *s3.GetBucketPolicyInput, _ ...func(*s3.Options)) (*s3.GetBucketPolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("GetBucketPolicy", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	if b.policy == "" {
		return nil, apiErr("NoSuchBucketPolicy", "none")
	}
	return &s3.GetBucketPolicyOutput{Policy: aws.String(b.policy)}, nil
}

func (c *fakeS3) PutBucketPolicy(_ context.Context, in *s3.PutBucketPolicyInput, _ ...func(*s3.Options)) (*s3.PutBucketPolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("PutBucketPolicy", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	b.policy = aws.ToString(in.Policy)
	return &s3.PutBucketPolicyOutput{}, nil
}

func (c *fakeS3) ListObjectsV2(_ context.Context, in *s3.ListObjectsV2Input, _ ...func(*s3.Options)) (*s3.ListObjectsV2Output, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := c.bucket("ListObjectsV2", aws.ToString(in.Bucket))
	if err != nil {
		return nil, err
	}
	out := &s3.ListObjectsV2Output{KeyCount: aws.Int32(int32(min(b.objects, 1)))}
	if b.objects > 0 {
		out.Contents = []s3types.Object{{Key: aws.String("AWSLogs/x")}}
	}
	return out, nil
}
