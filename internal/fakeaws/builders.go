package fakeaws

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// Names used by Compliant.
const (
	AccountID  = "111122223333"
	Home       = "us-east-1"
	TrailName  = "main-trail"
	LogGroup   = "cloudtrail-logs"
	FilterName = "cloudtrail-config-changes"
	MetricName = "CloudTrailConfigChanges"
	Namespace  = "CISBenchmark"
	AlarmName  = "cloudtrail-config-changes"
	TopicName  = "security-alerts"
	CIS        = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }`
)

// TrailARN is the ARN of a trail.
func TrailARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, account, name)
}

// LogGroupARN is the ARN CloudTrail stores for a log group.
func LogGroupARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", region, account, name)
}

// TopicARN is the ARN of a topic.
func TopicARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:%s", region, account, name)
}

// NewTrail is a multi-region trail homed in region that delivers to group
// (no delivery when group is "").
func NewTrail(region, account, name, group string) cttypes.Trail {
	t := cttypes.Trail{
		Name:                       aws.String(name),
		TrailARN:                   aws.String(TrailARN(region, account, name)),
		HomeRegion:                 aws.String(region),
		IsMultiRegionTrail:         aws.Bool(true),
		IncludeGlobalServiceEvents: aws.Bool(true),
		IsOrganizationTrail:        aws.Bool(false),
		S3BucketName:               aws.String("cloudtrail-" + account),
		LogFileValidationEnabled:   aws.Bool(true),
		HasCustomEventSelectors:    aws.Bool(false),
	}
	if group != "" {
		t.CloudWatchLogsLogGroupArn = aws.String(LogGroupARN(region, account, group))
		t.CloudWatchLogsRoleArn = aws.String(fmt.Sprintf("arn:aws:iam::%s:role/CloudTrail_CloudWatchLogs", account))
	}
	return t
}

// NewFilter is a metric filter publishing 1 to namespace/metric.
func NewFilter(group, name, pattern, namespace, metric string) cwltypes.MetricFilter {
	return cwltypes.MetricFilter{
		FilterName:    aws.String(name),
		FilterPattern: aws.String(pattern),
		LogGroupName:  aws.String(group),
		CreationTime:  aws.Int64(1735689600000),
		MetricTransformations: []cwltypes.MetricTransformation{{
			MetricName:      aws.String(metric),
			MetricNamespace: aws.String(namespace),
			MetricValue:     aws.String("1"),
		}},
	}
}

// NewAlarm is an alarm on namespace/metric: Sum >= 1 over 5 minutes,
// notifying actions.
func NewAlarm(region, account, name, namespace, metric string, actions ...string) cwtypes.MetricAlarm {
	return cwtypes.MetricAlarm{
		AlarmName:          aws.String(name),
		AlarmArn:           aws.String(fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name)),
		ActionsEnabled:     aws.Bool(true),
		AlarmActions:       actions,
		MetricName:         aws.String(metric),
		Namespace:          aws.String(namespace),
		Statistic:          cwtypes.StatisticSum,
		Period:             aws.Int32(300),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData:   aws.String("notBreaching"),
		StateValue:         cwtypes.StateValueOk,
	}
}

// Confirmed is a confirmed email subscription.
func Confirmed(topic, email string) snstypes.Subscription {
	return snstypes.Subscription{
		SubscriptionArn: aws.String(topic + ":0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		TopicArn:        aws.String(topic),
		Protocol:        aws.String("email"),
		Endpoint:        aws.String(email),
		Owner:           aws.String(AccountID),
	}
}

// Pending is an email subscription awaiting confirmation.
func Pending(topic, email string) snstypes.Subscription {
	s := Confirmed(topic, email)
	s.SubscriptionArn = aws.String("PendingConfirmation")
	return s
}

// TopicAttrs are a plain topic's attributes.
func TopicAttrs(arn string) map[string]string {
	return map[string]string{
		"TopicArn":                arn,
		"Owner":                   AccountID,
		"DisplayName":             "",
		"SubscriptionsConfirmed":  "1",
		"SubscriptionsPending":    "0",
		"SubscriptionsDeleted":    "0",
		"EffectiveDeliveryPolicy": `{"http":{"defaultHealthyRetryPolicy":{"numRetries":3}}}`,
	}
}

// Compliant is an account with one complete chain: a logging multi-region
// trail with default selectors, its log group, the CIS filter, an alarm and
// a topic with a confirmed subscription.
func Compliant() *Account {
	topic := TopicARN(Home, AccountID, TopicName)
	tr := NewTrail(Home, AccountID, TrailName, LogGroup)
	return &Account{
		ID:         AccountID,
		HomeRegion: Home,
		Trails:     []cttypes.Trail{tr},
		Status: map[string]*cloudtrail.GetTrailStatusOutput{
			*tr.TrailARN: {IsLogging: aws.Bool(true)},
		},
		Selectors: map[string]*cloudtrail.GetEventSelectorsOutput{
			*tr.TrailARN: {TrailARN: tr.TrailARN, EventSelectors: []cttypes.EventSelector{{
				IncludeManagementEvents:       aws.Bool(true),
				ReadWriteType:                 cttypes.ReadWriteTypeAll,
				DataResources:                 []cttypes.DataResource{},
				ExcludeManagementEventSources: []string{},
			}}},
		},
		Filters: map[string][]cwltypes.MetricFilter{
			LogKey(Home, LogGroup): {NewFilter(LogGroup, FilterName, CIS, Namespace, MetricName)},
		},
		Alarms: map[string][]cwtypes.MetricAlarm{
			Home: {NewAlarm(Home, AccountID, AlarmName, Namespace, MetricName, topic)},
		},
		Topics: map[string]map[string]string{topic: TopicAttrs(topic)},
		Subs:   map[string][]snstypes.Subscription{topic: {Confirmed(topic, "security@example.com")}},
		Errors: map[string]error{},
	}
}

// MainTrailARN is the ARN of Compliant's trail.
func MainTrailARN() string { return TrailARN(Home, AccountID, TrailName) }

// MainTopicARN is the ARN of Compliant's topic.
func MainTopicARN() string { return TopicARN(Home, AccountID, TopicName) }
