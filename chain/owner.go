package chain

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// ManagedTagKey and ManagedTagValue mark everything trailwatch creates that
// can carry tags. A resource is trailwatch's to change only when it carries
// this tag (metric filters cannot be tagged: trailwatch knows its own by name, IsCandidate).
const (
	ManagedTagKey   = "trailwatch:managed"
	ManagedTagValue = "true"
)

// Managed reports whether tags carry trailwatch's mark. It is the one
// ownership test; the converters below turn each service's tag type into
// the map it reads.
func Managed(tags map[string]string) bool { return tags[ManagedTagKey] == ManagedTagValue }

// ManagedTags is the tag set trailwatch puts on what it creates.
func ManagedTags() map[string]string { return map[string]string{ManagedTagKey: ManagedTagValue} }

func tagMap[T any](list []T, kv func(T) (*string, *string)) map[string]string {
	m := make(map[string]string, len(list))
	for _, t := range list {
		k, v := kv(t)
		m[aws.ToString(k)] = aws.ToString(v)
	}
	return m
}

// CloudWatchTags converts CloudWatch tags.
func CloudWatchTags(l []cwtypes.Tag) map[string]string {
	return tagMap(l, func(t cwtypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// SNSTags converts SNS tags.
func SNSTags(l []snstypes.Tag) map[string]string {
	return tagMap(l, func(t snstypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// IAMTags converts IAM tags.
func IAMTags(l []iamtypes.Tag) map[string]string {
	return tagMap(l, func(t iamtypes.Tag) (*string, *string) { return t.Key, t.Value })
}

// S3Tags converts S3 tags.
func S3Tags(l []s3types.Tag) map[string]string {
	return tagMap(l, func(t s3types.Tag) (*string, *string) { return t.Key, t.Value })
}

// TrailTags converts the tags of every resource in a CloudTrail ListTags
// answer (one resource is asked at a time).
func TrailTags(l []cttypes.ResourceTag) map[string]string {
	m := map[string]string{}
	for _, r := range l {
		for k, v := range tagMap(r.TagsList, func(t cttypes.Tag) (*string, *string) { return t.Key, t.Value }) {
			m[k] = v
		}
	}
	return m
}

// CloudWatchManagedTags, SNSManagedTags, ... are ManagedTags in each
// service's request type.
func CloudWatchManagedTags() []cwtypes.Tag {
	return []cwtypes.Tag{{Key: aws.String(ManagedTagKey), Value: aws.String(ManagedTagValue)}}
}

func SNSManagedTags() []snstypes.Tag {
	return []snstypes.Tag{{Key: aws.String(ManagedTagKey), Value: aws.String(ManagedTagValue)}}
}

func IAMManagedTags() []iamtypes.Tag {
	return []iamtypes.Tag{{Key: aws.String(ManagedTagKey), Value: aws.String(ManagedTagValue)}}
}

func S3ManagedTags() []s3types.Tag {
	return []s3types.Tag{{Key: aws.String(ManagedTagKey), Value: aws.String(ManagedTagValue)}}
}

func TrailManagedTags() []cttypes.Tag {
	return []cttypes.Tag{{Key: aws.String(ManagedTagKey), Value: aws.String(ManagedTagValue)}}
}
