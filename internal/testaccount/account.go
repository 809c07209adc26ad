package testaccount

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
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awsx"
)

// Home is the region a Chain is built in unless it names another.
const Home = "us-east-1"

// The CIS benchmark's filter pattern for CloudTrail configuration changes,
// written out here rather than taken from the code under test.
const cisPattern = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`

const (
	metricNamespace = "CISBenchmark"
	metricName      = "CloudTrailConfigChanges"
)

// Account builds account states in the emulator with the SDK, failing the
// test on any error.
type Account struct {
	Factory *awsx.Factory
	ID      string // the account's id, as the caller's identity says

	t   testing.TB
	ctx context.Context
}

// New asks f who the caller is and returns a builder for that account.
func New(t testing.TB, f *awsx.Factory) *Account {
	t.Helper()
	ctx := context.Background()
	id, err := f.Identity(ctx)
	if err != nil {
		t.Fatalf("identity: %v", err)
	}
	return &Account{Factory: f, ID: id.Account, t: t, ctx: ctx}
}

// Must fails the test when err is not nil, saying what was being built.
func (a *Account) Must(err error, what string) {
	a.t.Helper()
	if err != nil {
		a.t.Fatalf("build state: %s: %v", what, err)
	}
}

func (a *Account) bucket(region, name string) {
	a.t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err := a.Factory.S3(region).CreateBucket(a.ctx, in)
	a.Must(err, "CreateBucket "+name)
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

func (a *Account) trail(s trailSpec) string {
	a.t.Helper()
	bucket := s.name + "-logs-" + a.ID
	a.bucket(s.region, bucket)
	in := &cloudtrail.CreateTrailInput{
		Name:                       aws.String(s.name),
		S3BucketName:               aws.String(bucket),
		IsMultiRegionTrail:         aws.Bool(s.multiRegion),
		IncludeGlobalServiceEvents: aws.Bool(true),
	}
	if s.logGroupARN != "" {
		in.CloudWatchLogsLogGroupArn = aws.String(s.logGroupARN)
		in.CloudWatchLogsRoleArn = aws.String("arn:aws:iam::" + a.ID + ":role/CloudTrailToCloudWatchLogs")
	}
	ct := a.Factory.CloudTrail(s.region)
	out, err := ct.CreateTrail(a.ctx, in)
	a.Must(err, "CreateTrail "+s.name)
	if s.selectors != nil || s.advanced != nil {
		_, err := ct.PutEventSelectors(a.ctx, &cloudtrail.PutEventSelectorsInput{
			TrailName: aws.String(s.name), EventSelectors: s.selectors, AdvancedEventSelectors: s.advanced,
		})
		a.Must(err, "PutEventSelectors "+s.name)
	}
	if s.logging {
		_, err := ct.StartLogging(a.ctx, &cloudtrail.StartLoggingInput{Name: aws.String(s.name)})
		a.Must(err, "StartLogging "+s.name)
	}
	return aws.ToString(out.TrailARN)
}

// logGroup creates a log group and returns the ARN CloudTrail is given.
func (a *Account) logGroup(region, name string) string {
	a.t.Helper()
	_, err := a.Factory.Logs(region).CreateLogGroup(a.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)})
	a.Must(err, "CreateLogGroup "+name)
	return "arn:aws:logs:" + region + ":" + a.ID + ":log-group:" + name + ":*"
}

func (a *Account) metricFilter(region, group, name, pattern, metric string, mod func(*cloudwatchlogs.PutMetricFilterInput)) {
	a.t.Helper()
	in := &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName:  aws.String(group),
		FilterName:    aws.String(name),
		FilterPattern: aws.String(pattern),
		MetricTransformations: []cwltypes.MetricTransformation{{
			MetricNamespace: aws.String(metricNamespace),
			MetricName:      aws.String(metric),
			MetricValue:     aws.String("1"),
		}},
	}
	if mod != nil {
		mod(in)
	}
	_, err := a.Factory.Logs(region).PutMetricFilter(a.ctx, in)
	a.Must(err, "PutMetricFilter "+name)
}

func (a *Account) topic(region, name string, attrs map[string]string) string {
	a.t.Helper()
	out, err := a.Factory.SNS(region).CreateTopic(a.ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	a.Must(err, "CreateTopic "+name)
	return aws.ToString(out.TopicArn)
}

// Subscribe subscribes endpoint to the topic.
func (a *Account) Subscribe(region, topicARN, protocol, endpoint string) {
	a.t.Helper()
	_, err := a.Factory.SNS(region).Subscribe(a.ctx, &sns.SubscribeInput{
		TopicArn: aws.String(topicARN), Protocol: aws.String(protocol), Endpoint: aws.String(endpoint),
	})
	a.Must(err, "Subscribe "+endpoint)
}

type alarmSpec struct {
	region  string
	name    string
	metric  string
	enabled bool
	actions []string
	mod     func(*cloudwatch.PutMetricAlarmInput)
}

func (a *Account) alarm(s alarmSpec) {
	a.t.Helper()
	in := &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String(s.name),
		MetricName:         aws.String(s.metric),
		Namespace:          aws.String(metricNamespace),
		Statistic:          cwtypes.StatisticSum,
		Period:             aws.Int32(300),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		ActionsEnabled:     aws.Bool(s.enabled),
		AlarmActions:       s.actions,
	}
	if s.mod != nil {
		s.mod(in)
	}
	_, err := a.Factory.CloudWatch(s.region).PutMetricAlarm(a.ctx, in)
	a.Must(err, "PutMetricAlarm "+s.name)
}

// Chain is a whole CIS 4.5 chain (bucket, multi-region logging trail, log
// group, CIS metric filter, topic, confirmed subscription, alarm), each link
// of which a test can break.
type Chain struct {
	Region string // the trail's home region and that of its log group; "" means Home
	Prefix string // names resources, so several chains can coexist; "" means "cis"

	SingleRegion   bool
	NotLogging     bool
	Selectors      []cttypes.EventSelector
	Advanced       []cttypes.AdvancedEventSelector
	NoLogs         bool   // trail without CloudWatch Logs delivery (and nothing downstream)
	NoFilter       bool   // log group without a metric filter
	Pattern        string // "" means the CIS pattern
	NoAlarm        bool
	AlarmMetric    string // "" means the filter's metric
	AlarmDisabled  bool
	NoAlarmActions bool
	TopicAttrs     map[string]string
	// KMSKey encrypts the topic with a new customer managed key whose
	// policy lets CloudWatch use it.
	KMSKey         bool
	NoSubscription bool
	SubEndpoint    string // "" means an https endpoint that moto confirms
	// Filter and Alarm change the filter and alarm requests before they
	// are sent (a threshold, a unit, a default value...).
	Filter func(*cloudwatchlogs.PutMetricFilterInput)
	Alarm  func(*cloudwatch.PutMetricAlarmInput)
}

// Built names what Chain built.
type Built struct {
	TrailName, TrailARN, LogGroup, TopicARN string
}

// Chain builds the chain s describes.
func (a *Account) Chain(s Chain) Built {
	a.t.Helper()
	if s.Region == "" {
		s.Region = Home
	}
	if s.Prefix == "" {
		s.Prefix = "cis"
	}
	c := Built{TrailName: s.Prefix + "-trail"}
	var groupARN string
	if !s.NoLogs {
		c.LogGroup = s.Prefix + "-trail-logs"
		groupARN = a.logGroup(s.Region, c.LogGroup)
	}
	c.TrailARN = a.trail(trailSpec{
		region: s.Region, name: c.TrailName, multiRegion: !s.SingleRegion, logging: !s.NotLogging,
		logGroupARN: groupARN, selectors: s.Selectors, advanced: s.Advanced,
	})
	if s.NoLogs {
		return c
	}
	metric := s.Prefix + "-" + metricName
	if !s.NoFilter {
		p := s.Pattern
		if p == "" {
			p = cisPattern
		}
		a.metricFilter(s.Region, c.LogGroup, s.Prefix+"-cloudtrail-changes", p, metric, s.Filter)
	}
	attrs := s.TopicAttrs
	if s.KMSKey {
		attrs = map[string]string{"KmsMasterKeyId": a.Key(s.Region, CloudWatchKeyPolicy(a.ID))}
		for k, v := range s.TopicAttrs {
			attrs[k] = v
		}
	}
	c.TopicARN = a.topic(s.Region, s.Prefix+"-security-alerts", attrs)
	if !s.NoSubscription {
		ep := s.SubEndpoint
		if ep == "" {
			ep = "https://hooks.example.com/" + s.Prefix
		}
		protocol := "https"
		if ep[0] != 'h' {
			protocol = "email"
		}
		a.Subscribe(s.Region, c.TopicARN, protocol, ep)
	}
	if !s.NoAlarm {
		am := s.AlarmMetric
		if am == "" {
			am = metric
		}
		var actions []string
		if !s.NoAlarmActions {
			actions = []string{c.TopicARN}
		}
		a.alarm(alarmSpec{region: s.Region, name: s.Prefix + "-cloudtrail-changes", metric: am, enabled: !s.AlarmDisabled, actions: actions, mod: s.Alarm})
	}
	return c
}

// CloudWatchKeyPolicy is a key policy that keeps the account's root in
// control and lets CloudWatch alarms use the key for an encrypted topic
// (SNS guide, "Encryption at rest").
func CloudWatchKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"cloudwatch","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
}

// Key creates a customer managed KMS key with policy and returns its ARN.
func (a *Account) Key(region, policy string) string {
	a.t.Helper()
	out, err := a.Factory.KMS(region).CreateKey(a.ctx, &kms.CreateKeyInput{Policy: aws.String(policy), Description: aws.String("test topic key")})
	a.Must(err, "CreateKey")
	return aws.ToString(out.KeyMetadata.Arn)
}
