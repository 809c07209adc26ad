package plan

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailwatch/trailwatch/audit"
)

const (
	acct     = "123456789012"
	region   = "us-east-1"
	trailARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/main"
	groupARN = "arn:aws:logs:us-east-1:123456789012:log-group:ct-logs:*"
	topicA   = "arn:aws:sns:us-east-1:123456789012:secops"
)

func gap(c audit.Code, msg string) audit.Gap { return audit.Gap{Code: c, Message: msg} }

// base is a compliant account; the cases break one link or more.
func base() *audit.Report {
	yes := true
	return &audit.Report{
		Account: acct, Region: region, Compliant: &yes,
		Facts: audit.Facts{
			Trail: &audit.TrailFacts{Name: "main", ARN: trailARN, HomeRegion: region, Owner: acct,
				IsLogging: true, S3Bucket: "ct-bucket", LogGroupARN: groupARN,
				LogsRoleARN: "arn:aws:iam::123456789012:role/ct-logs"},
			LogGroup: &audit.LogGroupFacts{Name: "ct-logs", Region: region, Account: acct, ARN: groupARN},
			Filter: &audit.FilterFacts{Name: "ct-changes", Pattern: "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
				MetricName: "TrailChanges", MetricNamespace: "Security", MetricValue: "1", Literal: true},
			Alarms: []audit.AlarmFacts{{Name: "trail-changes", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:trail-changes",
				ActionsEnabled: true, AlarmActions: []string{topicA}, Notifies: true}},
			Topics: []audit.TopicFacts{{ARN: topicA, ConfirmedEndpoints: []string{"email:secops@example.com"}}},
		},
	}
}

func withGaps(r *audit.Report, gaps ...audit.Gap) *audit.Report {
	no := false
	r.Compliant = &no
	r.Gaps = gaps
	return r
}

type fixture struct {
	name    string
	report  func() *audit.Report
	choices Choices
}

func fixtures() []fixture {
	return []fixture{
		{"compliant", base, Choices{}},
		{"trail_not_logging", func() *audit.Report {
			r := base()
			r.Facts.Trail.IsLogging = false
			return withGaps(r, gap(audit.TrailNotLogging, "trail main is not logging"))
		}, Choices{}},
		{"management_events_basic_data", func() *audit.Report {
			r := base()
			r.Facts.Trail.EventSelectors = []cttypes.EventSelector{{
				IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly,
				DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::payroll/"}}},
			}}
			return withGaps(r, gap(audit.ManagementEventsMissing, "event selectors capture only write management events"))
		}, Choices{}},
		{"management_events_advanced", func() *audit.Report {
			r := base()
			r.Facts.Trail.AdvancedEventSelectors = []cttypes.AdvancedEventSelector{
				{Name: aws.String("Management writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
					{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
					{Field: aws.String("readOnly"), Equals: []string{"false"}},
				}},
				{Name: aws.String("S3 data"), FieldSelectors: []cttypes.AdvancedFieldSelector{
					{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
					{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
				}},
			}
			return withGaps(r, gap(audit.ManagementEventsMissing, "advanced event selectors capture only write management events"))
		}, Choices{}},
		{"no_cloudwatch_logs", func() *audit.Report {
			r := base()
			r.Facts.Trail.LogGroupARN, r.Facts.Trail.LogsRoleARN = "", ""
			r.Facts.LogGroup, r.Facts.Filter, r.Facts.Alarms, r.Facts.Topics = nil, nil, nil, nil
			return withGaps(r, gap(audit.NoCloudWatchLogs, "trail main does not deliver to CloudWatch Logs"))
		}, Choices{Subscribe: "sqs:arn:aws:sqs:us-east-1:123456789012:alerts"}},
		{"no_metric_filter", func() *audit.Report {
			r := base()
			r.Facts.Filter, r.Facts.Alarms, r.Facts.Topics = nil, nil, nil
			return withGaps(r, gap(audit.NoMetricFilter, "no metric filter on ct-logs covers the five events"))
		}, Choices{Email: "secops@example.com"}},
		{"no_alarm", func() *audit.Report {
			r := base()
			r.Facts.Alarms, r.Facts.Topics = nil, nil
			return withGaps(r, gap(audit.NoAlarm, "no alarm on Security/TrailChanges"))
		}, Choices{Subscribe: "https://hooks.example.com/trail", MetricName: "Ignored"}},
		{"alarm_not_notifying_foreign", func() *audit.Report {
			r := base()
			r.Facts.Alarms = []audit.AlarmFacts{{Name: DefaultAlarmName, ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:" + DefaultAlarmName,
				ActionsEnabled: false, AlarmActions: []string{topicA}, Reason: "actions disabled"}}
			return withGaps(r, gap(audit.AlarmNotNotifying, "alarm trailwatch-cloudtrail-config-changes has actions disabled"))
		}, Choices{}},
		{"alarm_not_notifying_managed", func() *audit.Report {
			r := base()
			r.Facts.Alarms = []audit.AlarmFacts{{Name: "mine", ARN: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mine",
				ActionsEnabled: true, AlarmActions: []string{"arn:aws:automate:us-east-1:ec2:stop"}, Reason: "no SNS action"}}
			r.Facts.Topics = nil
			return withGaps(r, gap(audit.AlarmNotNotifying, "alarm mine does not notify an SNS topic"))
		}, Choices{TopicARN: topicA, ManagedAlarms: []string{"mine"}}},
		{"no_confirmed_subscription", func() *audit.Report {
			r := base()
			r.Facts.Topics[0].ConfirmedEndpoints = nil
			return withGaps(r, gap(audit.NoConfirmedSubscription, "topic secops has no confirmed subscription"))
		}, Choices{Subscribe: "lambda:arn:aws:lambda:us-east-1:123456789012:function:pager"}},
		{"no_confirmed_subscription_pending", func() *audit.Report {
			r := base()
			r.Facts.Topics[0].ConfirmedEndpoints = nil
			r.Facts.Topics[0].PendingEndpoints = []string{"email:secops@example.com"}
			return withGaps(r, gap(audit.NoConfirmedSubscription, "topic secops has only a pending subscription"))
		}, Choices{}},
		{"missing_endpoint", func() *audit.Report {
			r := base()
			r.Facts.Alarms, r.Facts.Topics = nil, nil
			return withGaps(r, gap(audit.NoAlarm, "no alarm on Security/TrailChanges"))
		}, Choices{}},
		{"everything", func() *audit.Report {
			r := base()
			r.Facts.Trail.IsLogging = false
			r.Facts.Trail.LogGroupARN, r.Facts.Trail.LogsRoleARN = "", ""
			r.Facts.Trail.EventSelectors = []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll}}
			r.Facts.LogGroup, r.Facts.Filter, r.Facts.Alarms, r.Facts.Topics = nil, nil, nil, nil
			return withGaps(r,
				gap(audit.TrailNotLogging, "trail main is not logging"),
				gap(audit.ManagementEventsMissing, "no event selector includes management events"),
				gap(audit.NoCloudWatchLogs, "trail main does not deliver to CloudWatch Logs"),
				gap(audit.NoMetricFilter, "no metric filter"),
				gap(audit.NoAlarm, "no alarm"),
				gap(audit.NoConfirmedSubscription, "no subscription"))
		}, Choices{Email: "secops@example.com", KMSKeyID: "alias/secops-sns", AlarmName: "ct-config", RetentionDays: 90}},
		{"no_trail", noTrail, Choices{Email: "secops@example.com"}},
		{"no_trail_single_region_bucket", func() *audit.Report {
			r := noTrail()
			r.Facts.SingleRegionTrails = []string{"legacy", "trailwatch"}
			return r
		}, Choices{Subscribe: "sqs:arn:aws:sqs:us-east-1:123456789012:alerts", TrailBucket: "shared-trail-logs", KMSKeyID: "alias/secops"}},
	}
}

// noTrail is a new account: no trail, so every link is missing.
func noTrail() *audit.Report {
	r := withGaps(&audit.Report{Account: acct, Region: region},
		gap(audit.NoMultiRegionTrail, "no multi-region trail"),
		gap(audit.TrailNotLogging, "no trail to log"),
		gap(audit.ManagementEventsMissing, "no trail to capture management events"),
		gap(audit.NoCloudWatchLogs, "no trail delivers to CloudWatch Logs"),
		gap(audit.NoMetricFilter, "no metric filter"),
		gap(audit.NoAlarm, "no alarm"),
		gap(audit.AlarmNotNotifying, "no alarm notifies"),
		gap(audit.NoConfirmedSubscription, "no subscription"))
	return r
}
