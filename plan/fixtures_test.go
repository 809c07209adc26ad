package plan

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// The plan is built from real audits of fake accounts: fa.Compliant() with
// one or more links broken.

const (
	acct   = fa.AccountID
	region = fa.Home
)

var (
	trailARN = fa.MainTrailARN()
	topicA   = fa.MainTopicARN()
	ownTopic = fa.TopicARN(fa.Home, fa.AccountID, chain.DefaultTopicName)
	lgKey    = fa.LogKey(fa.Home, fa.LogGroup)
	alarmARN = "arn:aws:cloudwatch:us-east-1:" + fa.AccountID + ":alarm:" + fa.AlarmName
)

type fixture struct {
	name    string
	mutate  func(*fa.Account)
	choices Choices
	lookups Lookups
}

// report audits the fixture's account as fix would, with the choices' names.
func (fx fixture) report() *audit.Report {
	a := fa.Compliant()
	if fx.mutate != nil {
		fx.mutate(a)
	}
	r, err := audit.Run(context.Background(), a, audit.Options{Names: fx.choices.Names()})
	if err != nil {
		panic(err)
	}
	return r
}

func tag(a *fa.Account, arn string) {
	if a.Tags == nil {
		a.Tags = map[string]map[string]string{}
	}
	a.Tags[arn] = map[string]string{chain.ManagedTagKey: chain.ManagedTagValue}
}

func firstAlarm(f func(*cwtypes.MetricAlarm)) func(*fa.Account) {
	return func(a *fa.Account) { f(&a.Alarms[fa.Home][0]) }
}

const missesStopLogging = `{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }`

func fixtures() []fixture {
	sqs := "sqs:arn:aws:sqs:us-east-1:111122223333:alerts"
	return []fixture{
		{name: "compliant"},
		{name: "trail_not_logging", mutate: func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) }},
		{name: "management_events_basic_data", mutate: func(a *fa.Account) {
			a.Selectors[trailARN].EventSelectors = []cttypes.EventSelector{{
				IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly,
				DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::payroll/"}}},
			}}
		}},
		{name: "management_events_advanced", mutate: func(a *fa.Account) {
			a.Selectors[trailARN].EventSelectors = nil
			a.Selectors[trailARN].AdvancedEventSelectors = []cttypes.AdvancedEventSelector{
				{Name: aws.String("Management writes"), FieldSelectors: []cttypes.AdvancedFieldSelector{
					{Field: aws.String("eventCategory"), Equals: []string{"Management"}},
					{Field: aws.String("readOnly"), Equals: []string{"false"}},
				}},
				{Name: aws.String("S3 data"), FieldSelectors: []cttypes.AdvancedFieldSelector{
					{Field: aws.String("eventCategory"), Equals: []string{"Data"}},
					{Field: aws.String("resources.type"), Equals: []string{"AWS::S3::Object"}},
				}},
			}
		}},
		// The trail was cut from its chain, which is still there: point the
		// trail back at it.
		{name: "trail_cut_from_its_chain", mutate: func(a *fa.Account) {
			a.Trails[0].CloudWatchLogsLogGroupArn, a.Trails[0].CloudWatchLogsRoleArn = nil, nil
		}},
		{name: "no_cloudwatch_logs", mutate: func(a *fa.Account) {
			a.Trails[0].CloudWatchLogsLogGroupArn, a.Trails[0].CloudWatchLogsRoleArn = nil, nil
			delete(a.Filters, lgKey)
			a.Alarms = nil
		}, choices: Choices{Subscribe: sqs}},
		{name: "log_group_deleted", mutate: func(a *fa.Account) {
			delete(a.Filters, lgKey)
			a.Alarms = nil
		}, choices: Choices{Email: "secops@example.com"}},
		// The filter was deleted; its alarm, topic and subscriber remain:
		// a filter publishing the alarm's metric, and nothing else.
		{name: "no_metric_filter", mutate: func(a *fa.Account) { a.Filters[lgKey] = nil }},
		{name: "filter_narrowed_foreign", mutate: func(a *fa.Account) {
			a.Filters[lgKey][0].FilterPattern = aws.String(missesStopLogging)
		}},
		{name: "filter_narrowed_ours", mutate: func(a *fa.Account) {
			a.Filters[lgKey][0].FilterName = aws.String(chain.DefaultFilterName)
			a.Filters[lgKey][0].FilterPattern = aws.String(missesStopLogging)
		}},
		{name: "filter_default_value_foreign", mutate: func(a *fa.Account) {
			a.Filters[lgKey][0].MetricTransformations[0].DefaultValue = aws.Float64(1)
		}, choices: Choices{Email: "secops@example.com"}},
		{name: "no_alarm", mutate: func(a *fa.Account) { a.Alarms = nil },
			choices: Choices{Subscribe: "https://hooks.example.com/trail"}},
		// The alarm was deleted; trailwatch's topic with its confirmed
		// subscriber remains: only the alarm is made, and no endpoint is
		// needed.
		{name: "alarm_deleted_topic_remains", mutate: func(a *fa.Account) {
			a.Alarms = nil
			a.Topics[ownTopic] = fa.TopicAttrs(ownTopic)
			a.Subs[ownTopic] = []snstypes.Subscription{fa.Confirmed(ownTopic, "secops@example.com")}
			tag(a, ownTopic)
		}},
		// The same, but trailwatch's topic lost its statement: the policy
		// is merged back rather than a new topic made.
		{name: "alarm_deleted_topic_policy_lost", mutate: func(a *fa.Account) {
			a.Alarms = nil
			a.Topics[ownTopic] = fa.TopicAttrs(ownTopic)
			a.Topics[ownTopic]["Policy"] = `{"Version":"2012-10-17","Statement":[{"Sid":"auditors","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/auditor"},"Action":"sns:GetTopicAttributes","Resource":"*"}]}`
			a.Subs[ownTopic] = []snstypes.Subscription{fa.Confirmed(ownTopic, "secops@example.com")}
			tag(a, ownTopic)
		}},
		{name: "alarm_not_notifying_foreign", mutate: firstAlarm(func(m *cwtypes.MetricAlarm) { m.ActionsEnabled = aws.Bool(false) })},
		{name: "alarm_not_notifying_managed", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].AlarmActions = []string{"arn:aws:automate:us-east-1:ec2:stop"}
			a.Alarms[fa.Home][0].OKActions = []string{topicA}
			tag(a, alarmARN)
		}, choices: Choices{TopicARN: topicA}},
		{name: "alarm_cannot_fire_managed", mutate: func(a *fa.Account) {
			a.Alarms[fa.Home][0].Threshold = aws.Float64(1000)
			a.Alarms[fa.Home][0].EvaluationPeriods, a.Alarms[fa.Home][0].DatapointsToAlarm = aws.Int32(3), aws.Int32(3)
			tag(a, alarmARN)
		}},
		{name: "alarm_cannot_fire_foreign", mutate: firstAlarm(func(m *cwtypes.MetricAlarm) { m.Threshold = aws.Float64(1000) })},
		{name: "no_confirmed_subscription", mutate: func(a *fa.Account) { a.Subs[topicA] = nil },
			choices: Choices{Subscribe: "lambda:arn:aws:lambda:us-east-1:111122223333:function:pager"}},
		{name: "no_confirmed_subscription_pending", mutate: func(a *fa.Account) {
			a.Subs[topicA] = []snstypes.Subscription{fa.Pending(topicA, "secops@example.com")}
		}},
		{name: "missing_endpoint", mutate: func(a *fa.Account) { a.Alarms = nil }},
		{name: "everything", mutate: func(a *fa.Account) {
			a.Status[trailARN].IsLogging = aws.Bool(false)
			a.Trails[0].CloudWatchLogsLogGroupArn, a.Trails[0].CloudWatchLogsRoleArn = nil, nil
			a.Selectors[trailARN].EventSelectors = []cttypes.EventSelector{{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll}}
			delete(a.Filters, lgKey)
			a.Alarms = nil
		}, choices: Choices{Email: "secops@example.com", KMSKeyID: "alias/secops-sns", AlarmName: "ct-config", RetentionDays: 90}},
		{name: "no_trail", mutate: emptyAccount, choices: Choices{Email: "secops@example.com"}},
		{name: "no_trail_single_region_bucket", mutate: func(a *fa.Account) {
			emptyAccount(a)
			for _, n := range []string{"legacy", "trailwatch"} {
				t := fa.NewTrail(fa.Home, fa.AccountID, n, "")
				t.IsMultiRegionTrail = aws.Bool(false)
				a.Trails = append(a.Trails, t)
			}
		}, choices: Choices{Subscribe: sqs, TrailBucket: "shared-trail-logs", KMSKeyID: "alias/secops"}},
		// A rerun after an interrupted bootstrap: the probes found
		// trailwatch's bucket (as planned), its log group without its
		// retention, its role, and a foreign topic of its topic's name.
		{name: "no_trail_after_interruption", mutate: emptyAccount, choices: Choices{Email: "secops@example.com"}, lookups: Lookups{
			{Kind: KindTrailBucket, Region: region, Want: DefaultBucketName(acct, region), Name: DefaultBucketName(acct, region), Owner: chain.Ours},
			{Kind: KindLogGroup, Region: region, Want: DefaultLogGroupName, Name: DefaultLogGroupName, Owner: chain.Ours, Changes: []string{"retention"}},
			{Kind: KindLogsRole, Want: DefaultRoleName, Name: DefaultRoleName, Owner: chain.Ours},
			{Kind: KindTrail, Region: region, Want: DefaultTrailName, Name: DefaultTrailName, Owner: chain.Free},
			{Kind: KindTopic, Region: region, Want: DefaultTopicName, Name: DefaultTopicName + "-2", Owner: chain.Free},
		}},
	}
}

// emptyAccount has no trail, filter, alarm or topic.
func emptyAccount(a *fa.Account) {
	a.Trails = nil
	a.Filters = nil
	a.Alarms = nil
	a.Topics = map[string]map[string]string{}
	a.Subs = nil
}
