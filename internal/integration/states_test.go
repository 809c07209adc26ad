package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awsx"
)

// The CIS benchmark's filter pattern for CloudTrail configuration changes.
const cisPattern = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`

const (
	metricNamespace = "CISBenchmark"
	metricName      = "CloudTrailConfigChanges"
)

// account builds account states in the emulator with the SDK, failing the
// test on any error.
type account struct {
	t   *testing.T
	ctx context.Context
	f   *awsx.Factory
	id  string
}

func (e *env) account() *account {
	e.t.Helper()
	return e.accountFrom(awsx.FromConfig(e.srv.Config(e.t, home)))
}

func (e *env) accountFrom(f *awsx.Factory) *account {
	e.t.Helper()
	ctx := context.Background()
	id, err := f.Identity(ctx)
	if err != nil {
		e.t.Fatalf("identity: %v", err)
	}
	return &account{t: e.t, ctx: ctx, f: f, id: id.Account}
}

func (a *account) must(err error, what string) {
	a.t.Helper()
	if err != nil {
		a.t.Fatalf("build state: %s: %v", what, err)
	}
}

func (a *account) bucket(region, name string) {
	a.t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := a.f.S3(region).CreateBucket(a.ctx, in)
	a.must(err, "CreateBucket "+name)
}

// trailSpec describes a trail to create.
type trailSpec struct {
	region      string
	name        string
	multiRegion bool
	logging     bool
	logGroupARN string // "" for no CloudWatch Logs delivery
	// selectors replaces the default (all management events) when set.
	selectors []cttypes.EventSelector
	advanced  []cttypes.AdvancedEventSelector
}

func (a *account) trail(s trailSpec) string {
	a.t.Helper()
	bucket := s.name + "-logs-" + a.id
	a.bucket(s.region, bucket)
	in := &cloudtrail.CreateTrailInput{
		Name:                       aws.String(s.name),
		S3BucketName:               aws.String(bucket),
		IsMultiRegionTrail:         aws.Bool(s.multiRegion),
		IncludeGlobalServiceEvents: aws.Bool(true),
	}
	if s.logGroupARN != "" {
		in.CloudWatchLogsLogGroupArn = aws.String(s.logGroupARN)
		in.CloudWatchLogsRoleArn = aws.String("arn:aws:iam::" + a.id + ":role/CloudTrailToCloudWatchLogs")
	}
	ct := a.f.CloudTrail(s.region)
	out, err := ct.CreateTrail(a.ctx, in)
	a.must(err, "CreateTrail "+s.name)
	if s.selectors != nil || s.advanced != nil {
		_, err := ct.PutEventSelectors(a.ctx, &cloudtrail.PutEventSelectorsInput{
			TrailName: aws.String(s.name), EventSelectors: s.selectors, AdvancedEventSelectors: s.advanced,
		})
		a.must(err, "PutEventSelectors "+s.name)
	}
	if s.logging {
		_, err := ct.StartLogging(a.ctx, &cloudtrail.StartLoggingInput{Name: aws.String(s.name)})
		a.must(err, "StartLogging "+s.name)
	}
	return aws.ToString(out.TrailARN)
}

// logGroup creates a log group and returns the ARN CloudTrail is given.
func (a *account) logGroup(region, name string) string {
	a.t.Helper()
	_, err := a.f.Logs(region).CreateLogGroup(a.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	a.must(err, "CreateLogGroup "+name)
	return "arn:aws:logs:" + region + ":" + a.id + ":log-group:" + name + ":*"
}

func (a *account) metricFilter(region, group, name, pattern, metric string) {
	a.t.Helper()
	_, err := a.f.Logs(region).PutMetricFilter(a.ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName:  aws.String(group),
		FilterName:    aws.String(name),
		FilterPattern: aws.String(pattern),
		MetricTransformations: []cwltypes.MetricTransformation{{
			MetricNamespace: aws.String(metricNamespace),
			MetricName:      aws.String(metric),
			MetricValue:     aws.String("1"),
		}},
	})
	a.must(err, "PutMetricFilter "+name)
}

func (a *account) topic(region, name string, attrs map[string]string) string {
	a.t.Helper()
	out, err := a.f.SNS(region).CreateTopic(a.ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	a.must(err, "CreateTopic "+name)
	return aws.ToString(out.TopicArn)
}

func (a *account) subscribe(region, topicARN, protocol, endpoint string) {
	a.t.Helper()
	_, err := a.f.SNS(region).Subscribe(a.ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topicARN), Protocol: aws.String(protocol), Endpoint: aws.String(endpoint),
	})
	a.must(err, "Subscribe "+endpoint)
}

type alarmSpec struct {
	region    string
	name      string
	metric    string
	enabled   bool
	actions   []string
	threshold float64
}

func (a *account) alarm(s alarmSpec) {
	a.t.Helper()
	threshold := s.threshold
	if threshold == 0 {
		threshold = 1
	}
	_, err := a.f.CloudWatch(s.region).PutMetricAlarm(a.ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(s.name),
		MetricName:         aws.String(s.metric),
		Namespace:          aws.String(metricNamespace),
		Statistic:          cwtypes.StatisticSum,
		Period:             aws.Int32(300),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(threshold),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		ActionsEnabled:     aws.Bool(s.enabled),
		AlarmActions:       s.actions,
	})
	a.must(err, "PutMetricAlarm "+s.name)
}

// chainSpec is a whole CIS 4.5 chain, each link of which a test can break.
type chainSpec struct {
	region string // the trail's home region and that of its log group
	prefix string // names resources, so several chains can coexist

	singleRegion   bool
	notLogging     bool
	selectors      []cttypes.EventSelector
	advanced       []cttypes.AdvancedEventSelector
	noLogs         bool   // trail without CloudWatch Logs delivery
	noFilter       bool   // log group without a metric filter
	pattern        string // "" means the CIS pattern
	noAlarm        bool
	alarmMetric    string // "" means the filter's metric
	alarmDisabled  bool
	noAlarmActions bool
	topicAttrs     map[string]string
	noSubscription bool
	subEndpoint    string // "" means an https endpoint that moto confirms
}

// chain is what chainSpec built.
type chain struct {
	trailARN, logGroup, topicARN string
}

func (a *account) chain(s chainSpec) chain {
	a.t.Helper()
	if s.region == "" {
		s.region = home
	}
	if s.prefix == "" {
		s.prefix = "cis"
	}
	var c chain
	var groupARN string
	if !s.noLogs {
		c.logGroup = s.prefix + "-trail-logs"
		groupARN = a.logGroup(s.region, c.logGroup)
	}
	c.trailARN = a.trail(trailSpec{
		region: s.region, name: s.prefix + "-trail", multiRegion: !s.singleRegion, logging: !s.notLogging,
		logGroupARN: groupARN, selectors: s.selectors, advanced: s.advanced,
	})
	if s.noLogs {
		return c
	}
	metric := s.prefix + "-" + metricName
	if !s.noFilter {
		p := s.pattern
		if p == "" {
			p = cisPattern
		}
		a.metricFilter(s.region, c.logGroup, s.prefix+"-cloudtrail-changes", p, metric)
	}
	c.topicARN = a.topic(s.region, s.prefix+"-security-alerts", s.topicAttrs)
	if !s.noSubscription {
		ep := s.subEndpoint
		if ep == "" {
			ep = "https://hooks.example.com/" + s.prefix
		}
		protocol := "https"
		if ep[0] != 'h' {
			protocol = "email"
		}
		a.subscribe(s.region, c.topicARN, protocol, ep)
	}
	if !s.noAlarm {
		am := s.alarmMetric
		if am == "" {
			am = metric
		}
		var actions []string
		if !s.noAlarmActions {
			actions = []string{c.topicARN}
		}
		a.alarm(alarmSpec{region: s.region, name: s.prefix + "-cloudtrail-changes", metric: am, enabled: !s.alarmDisabled, actions: actions})
	}
	return c
}
