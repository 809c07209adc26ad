package audit

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The audit's read interfaces: each is the subset of an SDK client it calls,
// so the real clients satisfy them and unit tests use small fakes.

type CloudTrailAPI interface {
	DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error)
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error)
}

type LogsAPI interface {
	cloudwatchlogs.DescribeMetricFiltersAPIClient
}

type CloudWatchAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
	// DescribeAlarmsForMetric finds the alarms on a filter's metric in a
	// region with too many alarms to list (alarms.go).
	DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error)
	// ListTagsForResource tells trailwatch's alarms from others.
	ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error)
}

type SNSAPI interface {
	sns.ListSubscriptionsByTopicAPIClient
	GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error)
	// ListTagsForResource tells trailwatch's topics from others.
	ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, opts ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error)
}

// KMSAPI reads the customer managed key a topic is encrypted with: its
// manager, state and policy.
type KMSAPI interface {
	DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error)
	GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, opts ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error)
}

type STSAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// Clients hands out a client per region. The audit reads each trail in its
// home region and each log group in the region its ARN names, so it needs
// more than one region's clients in one run. Implementations cache.
type Clients interface {
	Region() string // the configured region (--region or the profile's)
	STS() STSAPI
	CloudTrail(region string) CloudTrailAPI
	Logs(region string) LogsAPI
	CloudWatch(region string) CloudWatchAPI
	SNS(region string) SNSAPI
	KMS(region string) KMSAPI
}
