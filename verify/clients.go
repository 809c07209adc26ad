package verify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// The calls verify makes, each interface the subset of an SDK client it
// uses: the real clients satisfy them and tests use small fakes. Only
// CloudWatchAPI.SetAlarmState writes, and only in Fire.

type CloudTrailAPI interface {
	GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
}

type LogsAPI interface {
	TestMetricFilter(ctx context.Context, in *cloudwatchlogs.TestMetricFilterInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.TestMetricFilterOutput, error)
}

type CloudWatchAPI interface {
	cloudwatch.DescribeAlarmsAPIClient
	cloudwatch.DescribeAlarmHistoryAPIClient
	cloudwatch.GetMetricDataAPIClient
	SetAlarmState(ctx context.Context, in *cloudwatch.SetAlarmStateInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.SetAlarmStateOutput, error)
}

// Clients hands out a client per region: the trail is read in its home
// region, the filter tested and the alarm read in the log group's, and SNS
// metrics in each topic's. Implementations cache.
type Clients interface {
	CloudTrail(region string) CloudTrailAPI
	Logs(region string) LogsAPI
	CloudWatch(region string) CloudWatchAPI
}
