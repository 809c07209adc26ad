package audit_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/audit"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
)

// summary is what a table row checks.
type summary struct {
	Verdict  string // compliant, gaps, unknown
	Chain    string // one letter per link: P passed, F failed, M missing, B blocked, U unknown
	Gaps     []audit.Code
	Warnings []string
	Unknown  []string // IAM action, plus "@account" when set
}

func summarize(r *audit.Report) summary {
	s := summary{Verdict: "unknown"}
	if r.Compliant != nil {
		s.Verdict = map[bool]string{true: "compliant", false: "gaps"}[*r.Compliant]
	}
	for _, l := range r.Chain {
		s.Chain += strings.ToUpper(string(l.Status[0]))
	}
	for _, g := range r.Gaps {
		s.Gaps = append(s.Gaps, g.Code)
	}
	for _, w := range r.Warnings {
		s.Warnings = append(s.Warnings, w.Code)
	}
	for _, u := range r.Unknown {
		a := u.Action
		if u.Account != "" {
			a += "@" + u.Account
		}
		s.Unknown = append(s.Unknown, a)
	}
	return s
}

func run(t testing.TB, acct *fa.Account, opts audit.Options) *audit.Report {
	t.Helper()
	r, err := audit.Run(context.Background(), acct, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

var (
	trailARN = fa.MainTrailARN()
	topicARN = fa.MainTopicARN()
	lgKey    = fa.LogKey(fa.Home, fa.LogGroup)
)

func setPattern(p string) func(*fa.Account) {
	return func(a *fa.Account) { a.Filters[lgKey][0].FilterPattern = aws.String(p) }
}

func alarm(f func(*cwtypes.MetricAlarm)) func(*fa.Account) {
	return func(a *fa.Account) { f(&a.Alarms[fa.Home][0]) }
}

func selectors(out *cloudtrail.GetEventSelectorsOutput) func(*fa.Account) {
	return func(a *fa.Account) { a.Selectors[trailARN] = out }
}

func mgmtField(field string, equals, notEquals []string) cttypes.AdvancedFieldSelector {
	return cttypes.AdvancedFieldSelector{Field: aws.String(field), Equals: equals, NotEquals: notEquals}
}

func advanced(sels ...[]cttypes.AdvancedFieldSelector) *cloudtrail.GetEventSelectorsOutput {
	out := &cloudtrail.GetEventSelectorsOutput{TrailARN: aws.String(trailARN)}
	for i, fs := range sels {
		out.AdvancedEventSelectors = append(out.AdvancedEventSelectors, cttypes.AdvancedEventSelector{Name: aws.String(fmt.Sprintf("sel%d", i+1)), FieldSelectors: fs})
	}
	return out
}

var category = mgmtField("eventCategory", []string{"Management"}, nil)

// secondTrail adds a complete chain through another trail and log group.
func secondTrail(name, region, group string) func(*fa.Account) {
	return func(a *fa.Account) {
		tr := fa.NewTrail(region, fa.AccountID, name, group)
		a.Trails = append(a.Trails, tr)
		a.Status[*tr.TrailARN] = &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true)}
		a.Filters[fa.LogKey(region, group)] = []cwltypes.MetricFilter{fa.NewFilter(group, "f-"+name, fa.CIS, fa.Namespace, "M-"+name)}
		topic := fa.TopicARN(region, fa.AccountID, "t-"+name)
		a.Alarms[region] = append(a.Alarms[region], fa.NewAlarm(region, fa.AccountID, "a-"+name, fa.Namespace, "M-"+name, topic))
		a.Topics[topic] = fa.TopicAttrs(topic)
		a.Subs[topic] = []snstypes.Subscription{fa.Confirmed(topic, "ops@example.com")}
	}
}

func TestRun(t *testing.T) {
	const org = "999988887777"
	tests := []struct {
		name   string
		mutate []func(*fa.Account)
		opts   audit.Options
		want   summary
	}{
		{name: "compliant", want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},

		// Trail.
		{name: "no trails", mutate: fns(func(a *fa.Account) { a.Trails = nil }),
			want: summary{Verdict: "gaps", Chain: "MBBBBBBB", Gaps: codes(audit.NoMultiRegionTrail)}},
		{name: "only a single-region trail", mutate: fns(func(a *fa.Account) { a.Trails[0].IsMultiRegionTrail = aws.Bool(false) }),
			want: summary{Verdict: "gaps", Chain: "MBBBBBBB", Gaps: codes(audit.NoMultiRegionTrail), Warnings: []string{audit.WarnSingleRegionTrail}}},
		{name: "DescribeTrails denied", mutate: fns(deny("DescribeTrails", "AccessDeniedException")),
			want: summary{Verdict: "unknown", Chain: "UUUUUUUU", Unknown: []string{"cloudtrail:DescribeTrails"}}},

		// Logging.
		{name: "not logging", mutate: fns(func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) }),
			want: summary{Verdict: "gaps", Chain: "PFPPPPPP", Gaps: []audit.Code{audit.TrailNotLogging}}},
		{name: "GetTrailStatus denied", mutate: fns(deny("GetTrailStatus", "AccessDeniedException")),
			want: summary{Verdict: "unknown", Chain: "PUPUPPPP", Unknown: []string{"cloudtrail:GetTrailStatus"}}},

		// Management events.
		{name: "basic WriteOnly", mutate: fns(func(a *fa.Account) {
			a.Selectors[trailARN].EventSelectors[0].ReadWriteType = cttypes.ReadWriteTypeWriteOnly
		}),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}}},
		{name: "basic without management events", mutate: fns(func(a *fa.Account) { a.Selectors[trailARN].EventSelectors[0].IncludeManagementEvents = aws.Bool(false) }),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}}},
		// A ReadOnly and a WriteOnly selector together log every management
		// event: CloudTrail logs an event any selector selects.
		{name: "basic split ReadOnly and WriteOnly", mutate: fns(selectors(&cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
			{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeReadOnly},
			{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}})),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "basic ReadOnly and a WriteOnly without management events", mutate: fns(selectors(&cloudtrail.GetEventSelectorsOutput{EventSelectors: []cttypes.EventSelector{
			{IncludeManagementEvents: aws.Bool(true), ReadWriteType: cttypes.ReadWriteTypeReadOnly},
			{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeWriteOnly}}})),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}}},
		{name: "basic excludes KMS events", mutate: fns(func(a *fa.Account) {
			a.Selectors[trailARN].EventSelectors[0].ExcludeManagementEventSources = []string{"kms.amazonaws.com"}
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnExcludedSources}}},
		{name: "empty selector list is the default", mutate: fns(selectors(&cloudtrail.GetEventSelectorsOutput{})),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "advanced management selector", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category}))),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "advanced writes only", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category, mgmtField("readOnly", []string{"false"}, nil)}))),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}}},
		{name: "advanced reads and writes split across two selectors", mutate: fns(selectors(advanced(
			[]cttypes.AdvancedFieldSelector{category, mgmtField("readOnly", []string{"false"}, nil)},
			[]cttypes.AdvancedFieldSelector{category, mgmtField("readOnly", []string{"true"}, nil)}))),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "advanced data events only", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{
			mgmtField("eventCategory", []string{"Data"}, nil), mgmtField("resources.type", []string{"AWS::S3::Object"}, nil)}))),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}}},
		{name: "advanced excludes KMS", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category, mgmtField("eventSource", nil, []string{"kms.amazonaws.com"})}))),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnExcludedSources}}},
		{name: "advanced selector excludes cloudtrail by prefix", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category,
			{Field: aws.String("eventSource"), NotStartsWith: []string{"cloudtrail."}}}))),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}, Warnings: []string{audit.WarnExcludedSources}}},
		{name: "advanced selector excludes cloudtrail by suffix", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category,
			{Field: aws.String("eventSource"), NotEndsWith: []string{".amazonaws.com"}}}))),
			want: summary{Verdict: "gaps", Chain: "PPFPPPPP", Gaps: []audit.Code{audit.ManagementEventsMissing}, Warnings: []string{audit.WarnExcludedSources}}},
		{name: "advanced selector excludes another source by prefix", mutate: fns(selectors(advanced([]cttypes.AdvancedFieldSelector{category,
			{Field: aws.String("eventSource"), NotStartsWith: []string{"kms."}}}))),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnExcludedSources}}},
		{name: "GetEventSelectors throttled after retries", mutate: fns(deny("GetEventSelectors", "ThrottlingException")),
			want: summary{Verdict: "unknown", Chain: "PPUPPPPP", Unknown: []string{"cloudtrail:GetEventSelectors"}}},

		// CloudWatch Logs.
		// The trail was cut from its log group: the chain downstream is
		// found by listing the region's filters, and reported as it is.
		{name: "no log group on the trail", mutate: fns(func(a *fa.Account) { a.Trails[0].CloudWatchLogsLogGroupArn = nil }),
			want: summary{Verdict: "gaps", Chain: "PPPMPPPP", Gaps: codes(audit.NoCloudWatchLogs)}},
		{name: "no log group on the trail and no filter anywhere", mutate: fns(func(a *fa.Account) {
			a.Trails[0].CloudWatchLogsLogGroupArn = nil
			a.Filters[lgKey] = nil
			a.Alarms = nil
		}),
			want: summary{Verdict: "gaps", Chain: "PPPMBBBB", Gaps: codes(audit.NoCloudWatchLogs)}},
		{name: "log group ARN malformed", mutate: fns(func(a *fa.Account) { a.Trails[0].CloudWatchLogsLogGroupArn = aws.String("arn:aws:s3:::bucket") }),
			want: summary{Verdict: "gaps", Chain: "PPPFBBBB", Gaps: codes(audit.NoCloudWatchLogs)}},
		// The alarm left behind is found by its names (see orphan).
		{name: "log group does not exist", mutate: fns(func(a *fa.Account) { delete(a.Filters, lgKey) }),
			want: summary{Verdict: "gaps", Chain: "PPPFBPPP", Gaps: codes(audit.NoCloudWatchLogs)}},
		{name: "delivery error", mutate: fns(func(a *fa.Account) {
			a.Status[trailARN].LatestCloudWatchLogsDeliveryError = aws.String("Access denied. Verify in IAM that the role has adequate permissions.")
		}), want: summary{Verdict: "gaps", Chain: "PPPFPPPP", Gaps: []audit.Code{audit.NoCloudWatchLogs}}},

		// Metric filter.
		{name: "no metric filter", mutate: fns(func(a *fa.Account) { a.Filters[lgKey] = nil }),
			want: summary{Verdict: "gaps", Chain: "PPPPMPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "no metric filter and an alarm on another metric", mutate: fns(func(a *fa.Account) { a.Filters[lgKey] = nil }, alarm(func(m *cwtypes.MetricAlarm) {
			m.AlarmName, m.MetricName = aws.String("cpu"), aws.String("CPUUtilization")
		})), want: summary{Verdict: "gaps", Chain: "PPPPMBBB", Gaps: codes(audit.NoMetricFilter)}},
		{name: "filter only for successful calls", mutate: fns(setPattern(`{ ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) && $.errorCode NOT EXISTS }`)),
			want: summary{Verdict: "gaps", Chain: "PPPPFPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "filter only for IAM users", mutate: fns(setPattern(`{ ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) && $.userIdentity.type = IAMUser }`)),
			want: summary{Verdict: "gaps", Chain: "PPPPFPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "filter misses StopLogging", mutate: fns(setPattern(`{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) }`)),
			want: summary{Verdict: "gaps", Chain: "PPPPFPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "filter does not parse", mutate: fns(setPattern(`{ $.eventName = `)),
			want: summary{Verdict: "gaps", Chain: "PPPPMBBB", Gaps: codes(audit.NoMetricFilter)}},
		{name: "covering but not literal", mutate: fns(setPattern(`{ $.eventSource = cloudtrail.amazonaws.com && ($.eventName = CreateTrail || $.eventName = UpdateTrail || $.eventName = DeleteTrail || $.eventName = StartLogging || $.eventName = StopLogging) }`)),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnNotLiteral}}},
		{name: "too broad", mutate: fns(setPattern(`{ $.eventSource = cloudtrail.amazonaws.com }`)),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnNotLiteral, audit.WarnTooBroad}}},
		{name: "strict rejects non-literal", opts: audit.Options{Strict: true}, mutate: fns(setPattern(`{ $.eventSource = cloudtrail.amazonaws.com }`)),
			want: summary{Verdict: "gaps", Chain: "PPPPFPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "strict accepts reordered quoted literal", opts: audit.Options{Strict: true}, mutate: fns(setPattern(`{($.eventName="StopLogging")||($.eventName="StartLogging")||($.eventName="DeleteTrail")||($.eventName="UpdateTrail")||($.eventName="CreateTrail")}`)),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "metric value zero", mutate: fns(func(a *fa.Account) { a.Filters[lgKey][0].MetricTransformations[0].MetricValue = aws.String("0") }),
			want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "DescribeMetricFilters denied", mutate: fns(deny("DescribeMetricFilters", "AccessDeniedException")),
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"logs:DescribeMetricFilters"}}},
		{name: "DescribeMetricFilters 403 without a code", mutate: fns(func(a *fa.Account) { a.Errors["DescribeMetricFilters"] = fa.Status403() }),
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"logs:DescribeMetricFilters"}}},

		// Alarm.
		{name: "no alarm", mutate: fns(func(a *fa.Account) { a.Alarms = nil }),
			want: summary{Verdict: "gaps", Chain: "PPPPPMBB", Gaps: codes(audit.NoAlarm)}},
		{name: "no alarm, trailwatch's topic with a subscriber", mutate: fns(func(a *fa.Account) {
			a.Alarms = nil
			own := fa.TopicARN(fa.Home, fa.AccountID, "trailwatch-cloudtrail-config-changes")
			a.Topics[own] = fa.TopicAttrs(own)
			a.Subs[own] = []snstypes.Subscription{fa.Confirmed(own, "secops@example.com")}
			a.Tags = map[string]map[string]string{own: {"trailwatch:managed": "true"}}
		}), want: summary{Verdict: "gaps", Chain: "PPPPPMPP", Gaps: codes(audit.NoAlarm)}},
		{name: "alarm in another namespace", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.Namespace = aws.String("Other") })),
			want: summary{Verdict: "gaps", Chain: "PPPPPMBB", Gaps: codes(audit.NoAlarm)}},
		{name: "alarm with dimensions", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) {
			m.Dimensions = []cwtypes.Dimension{{Name: aws.String("Trail"), Value: aws.String("x")}}
		})), want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "filter publishes dimensions", mutate: fns(func(a *fa.Account) {
			a.Filters[lgKey][0].MetricTransformations[0].Dimensions = map[string]string{"user": "$.userIdentity.arn"}
		}), want: summary{Verdict: "gaps", Chain: "PPPPFPPP", Gaps: codes(audit.NoMetricFilter)}},
		{name: "metric-math alarm", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) {
			m.MetricName, m.Namespace, m.Statistic, m.Period = nil, nil, "", nil
			m.Metrics = []cwtypes.MetricDataQuery{
				{Id: aws.String("m1"), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{Metric: &cwtypes.Metric{MetricName: aws.String(fa.MetricName), Namespace: aws.String(fa.Namespace)}, Period: aws.Int32(300), Stat: aws.String("Sum")}},
				{Id: aws.String("e1"), Expression: aws.String("FILL(m1, 0)"), ReturnData: aws.Bool(true)},
			}
		})), want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "threshold 2 on Sum", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.Threshold = aws.Float64(2) })),
			want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "LessThan comparison", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.ComparisonOperator = cwtypes.ComparisonOperatorLessThanThreshold })),
			want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "two data points to alarm", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.EvaluationPeriods, m.DatapointsToAlarm = aws.Int32(3), aws.Int32(2) })),
			want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "Average above 1 fires with value 1", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) {
			m.Statistic, m.ComparisonOperator, m.Threshold = cwtypes.StatisticAverage, cwtypes.ComparisonOperatorGreaterThanThreshold, aws.Float64(0)
		})), want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "alarm on another unit than the filter publishes", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.Unit = cwtypes.StandardUnitCount })),
			want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		{name: "alarm on the unit the filter publishes", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.Unit = cwtypes.StandardUnitCount }), func(a *fa.Account) {
			a.Filters[lgKey][0].MetricTransformations[0].Unit = cwltypes.StandardUnitCount
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "LessThan comparison that one event meets", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) {
			m.ComparisonOperator, m.Threshold = cwtypes.ComparisonOperatorLessThanThreshold, aws.Float64(2)
		})), want: summary{Verdict: "gaps", Chain: "PPPPPFPP", Gaps: codes(audit.AlarmCannotFire)}},
		// Delivery that stopped a day ago is a warning; verify checks it.
		{name: "last delivery two days ago", mutate: fns(func(a *fa.Account) {
			a.Status[trailARN].LatestCloudWatchLogsDeliveryTime = aws.Time(time.Now().Add(-48 * time.Hour))
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnDeliveryStale}}},
		{name: "last delivery an hour ago", mutate: fns(func(a *fa.Account) {
			a.Status[trailARN].LatestCloudWatchLogsDeliveryTime = aws.Time(time.Now().Add(-time.Hour))
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "DescribeAlarms denied", mutate: fns(deny("DescribeAlarms", "AccessDenied")),
			want: summary{Verdict: "unknown", Chain: "PPPPPUUU", Unknown: []string{"cloudwatch:DescribeAlarms"}}},

		// Notification.
		{name: "actions disabled", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.ActionsEnabled = aws.Bool(false) })),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: []audit.Code{audit.AlarmNotNotifying}}},
		{name: "non-SNS action only", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.AlarmActions = []string{"arn:aws:automate:us-east-1:ec2:stop"} })),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFB", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "no actions", mutate: fns(alarm(func(m *cwtypes.MetricAlarm) { m.AlarmActions = nil })),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFB", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "topic encrypted with alias/aws/sns", mutate: fns(func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = "alias/aws/sns" }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: []audit.Code{audit.AlarmNotNotifying}}},
		// A customer managed key must let cloudwatch.amazonaws.com use it
		// (SNS guide, "Encryption at rest": kms:Decrypt and
		// kms:GenerateDataKey* for the publishing service).
		{name: "topic encrypted with a key CloudWatch may use", mutate: fns(cmk(cwKeyPolicy, ""), func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = keyARN }),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "key named by its alias", mutate: fns(cmk(cwKeyPolicy, ""), func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = "alias/secops" }),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		// The default key policy grants the account's root, which lets IAM
		// policies grant the key; a service principal is not in the account.
		{name: "key with the default key policy", mutate: fns(cmk(rootKeyPolicy, ""), func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = keyARN }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "AWS managed key named by its id", mutate: fns(cmk(rootKeyPolicy, kmstypes.KeyManagerTypeAws), func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = keyARN }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "disabled key", mutate: fns(cmk(cwKeyPolicy, ""), func(a *fa.Account) {
			a.Topics[topicARN]["KmsMasterKeyId"] = keyARN
			a.Keys[keyARN].State = kmstypes.KeyStateDisabled
		}), want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "key policy denied", mutate: fns(cmk(cwKeyPolicy, ""), func(a *fa.Account) { a.Topics[topicARN]["KmsMasterKeyId"] = keyARN }, deny("GetKeyPolicy", "AccessDeniedException")),
			want: summary{Verdict: "unknown", Chain: "PPPPPPUP", Unknown: []string{"kms:GetKeyPolicy"}}},
		// The topic's access policy must let the CloudWatch service
		// principal publish (re:Post, "Why didn't I receive an SNS
		// notification for my CloudWatch alarm trigger?").
		{name: "topic policy allowing only the account", mutate: fns(topicPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sns:Publish","Resource":"*"}]}`)),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "topic policy denying CloudWatch", mutate: fns(topicPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"StringNotEquals":{"aws:SourceAccount":"999999999999"}}}]}`)),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFP", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "topic policy allowing CloudWatch for this account's alarms", mutate: fns(topicPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:111122223333:alarm:*"}}}]}`)),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "topic policy with an undecidable condition", mutate: fns(topicPolicy(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Warnings: []string{audit.WarnTopicUndecided}}},
		{name: "topic in another region than the alarm", mutate: fns(func(a *fa.Account) {
			other := fa.TopicARN("eu-west-1", fa.AccountID, fa.TopicName)
			a.Alarms[fa.Home][0].AlarmActions = []string{other}
			a.Topics[other] = fa.TopicAttrs(other)
			a.Subs[other] = []snstypes.Subscription{fa.Confirmed(other, "ops@example.com")}
		}), want: summary{Verdict: "gaps", Chain: "PPPPPPFB", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "topic does not exist", mutate: fns(func(a *fa.Account) { delete(a.Topics, topicARN) }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPFB", Gaps: codes(audit.AlarmNotNotifying)}},
		{name: "GetTopicAttributes denied", mutate: fns(deny("GetTopicAttributes", "AuthorizationError")),
			want: summary{Verdict: "unknown", Chain: "PPPPPPUP", Unknown: []string{"sns:GetTopicAttributes"}}},

		// Subscription.
		{name: "pending subscription", mutate: fns(func(a *fa.Account) { a.Subs[topicARN] = []snstypes.Subscription{fa.Pending(topicARN, "x@example.com")} }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPPF", Gaps: []audit.Code{audit.NoConfirmedSubscription}}},
		{name: "deleted subscription", mutate: fns(func(a *fa.Account) {
			s := fa.Confirmed(topicARN, "x@example.com")
			s.SubscriptionArn = aws.String("Deleted")
			a.Subs[topicARN] = []snstypes.Subscription{s}
		}), want: summary{Verdict: "gaps", Chain: "PPPPPPPM", Gaps: []audit.Code{audit.NoConfirmedSubscription}}},
		{name: "no subscriptions", mutate: fns(func(a *fa.Account) { a.Subs[topicARN] = nil }),
			want: summary{Verdict: "gaps", Chain: "PPPPPPPM", Gaps: []audit.Code{audit.NoConfirmedSubscription}}},
		{name: "ListSubscriptionsByTopic denied", mutate: fns(deny("ListSubscriptionsByTopic", "AuthorizationError")),
			want: summary{Verdict: "unknown", Chain: "PPPPPPPU", Unknown: []string{"sns:ListSubscriptionsByTopic"}}},

		// Pagination: the passing filter, the alarm and the confirmed
		// subscription are on later pages.
		{name: "pagination", mutate: fns(func(a *fa.Account) {
			a.PageSize = 1
			good := a.Filters[lgKey][0]
			a.Filters[lgKey] = []cwltypes.MetricFilter{
				fa.NewFilter(fa.LogGroup, "a-root", `{ $.userIdentity.type = Root }`, fa.Namespace, "Root"),
				fa.NewFilter(fa.LogGroup, "b-console", `{ $.eventName = ConsoleLogin }`, fa.Namespace, "Console"),
				good,
			}
			a.Alarms[fa.Home] = append([]cwtypes.MetricAlarm{
				fa.NewAlarm(fa.Home, fa.AccountID, "root", fa.Namespace, "Root", topicARN),
				fa.NewAlarm(fa.Home, fa.AccountID, "console", fa.Namespace, "Console", topicARN),
			}, a.Alarms[fa.Home]...)
			a.Subs[topicARN] = []snstypes.Subscription{fa.Pending(topicARN, "a@example.com"), fa.Pending(topicARN, "b@example.com"), fa.Confirmed(topicARN, "c@example.com")}
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},

		// Several trails.
		{name: "second trail complete", mutate: fns(func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) }, secondTrail("z-trail", fa.Home, "z-logs")),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "closest of two broken trails", mutate: fns(func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) },
			secondTrail("z-trail", fa.Home, "z-logs"), func(a *fa.Account) { a.Alarms[fa.Home] = a.Alarms[fa.Home][:1] }),
			want: summary{Verdict: "gaps", Chain: "PFPPPPPP", Gaps: []audit.Code{audit.TrailNotLogging}}},
		{name: "trail homed in another region", mutate: fns(func(a *fa.Account) { a.Trails = nil }, secondTrail("eu-trail", "eu-west-1", "eu-logs")),
			want: summary{Verdict: "compliant", Chain: "PPPPPPPP"}},
		{name: "complete chain despite a denied read elsewhere", mutate: fns(secondTrail("b-trail", fa.Home, "b-logs"), func(a *fa.Account) {
			a.Errors["GetTrailStatus "+fa.TrailARN(fa.Home, fa.AccountID, "b-trail")] = fa.Denied("AccessDeniedException")
		}), want: summary{Verdict: "compliant", Chain: "PPPPPPPP", Unknown: []string{"cloudtrail:GetTrailStatus"}}},
		{name: "gap and unknown on the only trail", mutate: fns(func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) }, deny("DescribeMetricFilters", "AccessDeniedException")),
			want: summary{Verdict: "gaps", Chain: "PFPPUUUU", Gaps: []audit.Code{audit.TrailNotLogging}, Unknown: []string{"logs:DescribeMetricFilters"}}},

		// Organization trail owned by the management account.
		{name: "organization trail from another account", mutate: fns(func(a *fa.Account) {
			tr := fa.NewTrail(fa.Home, org, "org-trail", "org-logs")
			tr.IsOrganizationTrail = aws.Bool(true)
			a.Trails = []cttypes.Trail{tr}
			a.Errors["GetTrailStatus"] = fa.Denied("AccessDeniedException")
			a.Errors["GetEventSelectors"] = fa.Denied("AccessDeniedException")
		}), want: summary{Verdict: "unknown", Chain: "PUUUUUUU", Unknown: []string{"cloudtrail:GetTrailStatus@" + org, "cloudtrail:GetEventSelectors@" + org, "logs:DescribeMetricFilters@" + org}}},

		// Account.
		// Without the account id, whether the trail's log group is this
		// account's cannot be told: from the metric filter on, the chain is
		// unknown, never compliant; gaps of the trail itself still count.
		{name: "GetCallerIdentity denied", mutate: fns(deny("GetCallerIdentity", "AccessDenied")),
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"sts:GetCallerIdentity"}}},
		{name: "GetCallerIdentity denied and the trail not logging", mutate: fns(deny("GetCallerIdentity", "AccessDenied"), func(a *fa.Account) { a.Status[trailARN].IsLogging = aws.Bool(false) }),
			want: summary{Verdict: "gaps", Chain: "PFPPUUUU", Gaps: []audit.Code{audit.TrailNotLogging}, Unknown: []string{"sts:GetCallerIdentity"}}},
		{name: "GetCallerIdentity without an account id", mutate: fns(func(a *fa.Account) { a.ID = "" }),
			want: summary{Verdict: "unknown", Chain: "PPPPUUUU", Unknown: []string{"sts:GetCallerIdentity"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := fa.Compliant()
			for _, m := range tt.mutate {
				m(acct)
			}
			got := summarize(run(t, acct, tt.opts))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
			if d := fa.Duplicates(acct.Calls()); len(d) > 0 {
				t.Errorf("calls made twice: %v", d)
			}
		})
	}
}

func fns(f ...func(*fa.Account)) []func(*fa.Account) { return f }

const (
	keyARN        = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cwKeyPolicy   = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"},{"Sid":"cw","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*"}]}`
	rootKeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}`
)

// cmk adds the key keyARN (alias/secops) with policy; manager "" is a
// customer managed key.
func cmk(policy string, manager kmstypes.KeyManagerType) func(*fa.Account) {
	return func(a *fa.Account) {
		if manager == "" {
			manager = kmstypes.KeyManagerTypeCustomer
		}
		a.Keys = map[string]*fa.Key{keyARN: {Manager: manager, Policy: policy}}
		a.Aliases = map[string]string{"alias/secops": keyARN}
	}
}

func topicPolicy(p string) func(*fa.Account) {
	return func(a *fa.Account) { a.Topics[topicARN]["Policy"] = p }
}

func codes(c ...audit.Code) []audit.Code { return c }

func deny(op, code string) func(*fa.Account) {
	return func(a *fa.Account) { a.Errors[op] = fa.Denied(code) }
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := audit.Run(ctx, fa.Compliant(), audit.Options{}); err == nil {
		t.Fatal("Run with a cancelled context returned no error")
	}
}

func TestTrailVanished(t *testing.T) {
	a := fa.Compliant()
	a.Errors["GetTrailStatus"] = &smithy.GenericAPIError{Code: "TrailNotFoundException", Message: "gone"}
	got := summarize(run(t, a, audit.Options{}))
	want := summary{Verdict: "gaps", Chain: "PFPPPPPP", Gaps: []audit.Code{audit.TrailNotLogging}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
