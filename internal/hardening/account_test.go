package hardening

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

const cisPattern = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`

// chain names what buildChain made.
type chain struct {
	trailName, trailARN, logGroup, topicARN string
}

// chainOpts leave out links, so fix has something to do.
type chainOpts struct {
	noLogs   bool // trail without CloudWatch Logs (and nothing downstream)
	noFilter bool // and nothing downstream of the filter
}

// buildChain creates, with moto's root test credentials, a multi-region
// logging trail and, unless left out, the rest of a compliant CIS 4.5 chain.
func buildChain(t *testing.T, srv *motoserver.Server, o chainOpts) chain {
	t.Helper()
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, home))
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("build state: %s: %v", what, err)
		}
	}
	acct := motoserver.Account
	c := chain{trailName: "org-trail", logGroup: "org-trail-logs"}

	bucket := "org-trail-logs-" + acct
	_, err := f.S3(home).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	must(err, "CreateBucket")
	in := &cloudtrail.CreateTrailInput{
		Name: aws.String(c.trailName), S3BucketName: aws.String(bucket),
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true),
	}
	if !o.noLogs {
		_, err = f.Logs(home).CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(c.logGroup)})
		must(err, "CreateLogGroup")
		in.CloudWatchLogsLogGroupArn = aws.String("arn:aws:logs:" + home + ":" + acct + ":log-group:" + c.logGroup + ":*")
		in.CloudWatchLogsRoleArn = aws.String("arn:aws:iam::" + acct + ":role/CloudTrailToCloudWatchLogs")
	}
	out, err := f.CloudTrail(home).CreateTrail(ctx, in)
	must(err, "CreateTrail")
	c.trailARN = aws.ToString(out.TrailARN)
	_, err = f.CloudTrail(home).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(c.trailName)})
	must(err, "StartLogging")
	if o.noLogs || o.noFilter {
		return c
	}

	_, err = f.Logs(home).PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String(c.logGroup), FilterName: aws.String("cloudtrail-changes"), FilterPattern: aws.String(cisPattern),
		MetricTransformations: []cwltypes.MetricTransformation{{
			MetricNamespace: aws.String("CISBenchmark"), MetricName: aws.String("CloudTrailChanges"), MetricValue: aws.String("1"),
		}},
	})
	must(err, "PutMetricFilter")
	topic, err := f.SNS(home).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("security-alerts")})
	must(err, "CreateTopic")
	c.topicARN = aws.ToString(topic.TopicArn)
	_, err = f.SNS(home).Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("https"), Endpoint: aws.String("https://hooks.example.com/alerts"),
	})
	must(err, "Subscribe")
	_, err = f.CloudWatch(home).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String("cloudtrail-changes"), MetricName: aws.String("CloudTrailChanges"), Namespace: aws.String("CISBenchmark"),
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching"),
		ActionsEnabled: aws.Bool(true), AlarmActions: []string{c.topicARN},
	})
	must(err, "PutMetricAlarm")
	return c
}
