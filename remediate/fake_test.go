package remediate

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/audit"
)

// fake is one account in one region, enough for remediate's calls. It logs
// every call, and fails the calls a test names.
type fake struct {
	mu     sync.Mutex
	acct   string
	region string

	calls  []string
	writes []string
	// fail maps an operation to the error it returns; failN limits how many
	// times (0 = always).
	fail  map[string]error
	failN map[string]int
	// onCall runs after each call is logged (tests cancel contexts here).
	onCall func(op string)

	trails    map[string]*fakeTrail // by ARN
	groups    map[string]*fakeGroup
	filters   map[string]map[string]cwltypes.MetricFilter // group → name → filter
	roles     map[string]*fakeRole
	topics    map[string]*fakeTopic // by ARN
	subs      []snstypes.Subscription
	alarms    map[string]*cwtypes.MetricAlarm
	alarmTags map[string][]cwtypes.Tag // by ARN
	keys      map[string]*fakeKey

	// Bootstrap: buckets in this account (by name), bucket names held by
	// other accounts (true: HeadBucket says 403; false: readable, 200), and
	// trails tagged as trailwatch's (by ARN).
	buckets      map[string]*fakeBucket
	foreign      map[string]bool
	trailManaged map[string]bool
}

type fakeBucket struct {
	objects   int
	tags      map[string]string
	pab       *s3types.PublicAccessBlockConfiguration
	enc       *s3types.ServerSideEncryptionConfiguration
	ownership s3types.ObjectOwnership
	policy    string
}

type fakeTrail struct {
	multi      bool
	bucket     string
	logging    bool
	basic      []cttypes.EventSelector
	advanced   []cttypes.AdvancedEventSelector
	groupARN   string
	roleARN    string
	name, home string
	org        bool
}

type fakeGroup struct {
	retention *int32
	tags      map[string]string
}

type fakeRole struct {
	arn, trust string
	tags       []iamtypes.Tag
	policies   map[string]string
}

type fakeTopic struct {
	attrs map[string]string
	tags  []snstypes.Tag
}

type fakeKey struct {
	manager kmstypes.KeyManagerType
	policy  string
}

func newFake() *fake {
	return &fake{acct: "123456789012", region: "us-east-1",
		fail: map[string]error{}, failN: map[string]int{},
		trails: map[string]*fakeTrail{}, groups: map[string]*fakeGroup{}, filters: map[string]map[string]cwltypes.MetricFilter{},
		roles: map[string]*fakeRole{}, topics: map[string]*fakeTopic{}, alarms: map[string]*cwtypes.MetricAlarm{},
		alarmTags: map[string][]cwtypes.Tag{}, keys: map[string]*fakeKey{},
		buckets: map[string]*fakeBucket{}, foreign: map[string]bool{}, trailManaged: map[string]bool{}}
}

func apiErr(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

var writeOps = map[string]bool{"StartLogging": true, "PutEventSelectors": true, "UpdateTrail": true, "CreateLogGroup": true,
	"PutRetentionPolicy": true, "PutMetricFilter": true, "CreateRole": true, "PutRolePolicy": true, "UpdateAssumeRolePolicy": true,
	"CreateTopic": true, "SetTopicAttributes": true, "Subscribe": true, "PutMetricAlarm": true,
	"CreateTrail": true, "CreateBucket": true, "PutBucketTagging": true, "PutPublicAccessBlock": true, "PutBucketEncryption": true,
	"PutBucketOwnershipControls": true, "PutBucketPolicy": true}

// call logs op and returns the injected failure, if any. Callers hold f.mu.
func (f *fake) call(op string) error {
	f.calls = append(f.calls, op)
	if err, ok := f.fail[op]; ok {
		if n := f.failN[op]; n > 0 {
			f.failN[op] = n - 1
			if n == 1 {
				delete(f.fail, op)
			}
		}
		return err
	}
	if writeOps[op] {
		f.writes = append(f.writes, op)
	}
	if f.onCall != nil {
		f.onCall(op)
	}
	return nil
}

// Clients.
func (f *fake) CloudTrail(string) CloudTrailAPI { return f }
func (f *fake) Logs(string) LogsAPI             { return (*fakeLogs)(f) }
func (f *fake) CloudWatch(string) CloudWatchAPI { return (*fakeCW)(f) }
func (f *fake) SNS(string) SNSAPI               { return (*fakeSNS)(f) }
func (f *fake) IAM() IAMAPI                     { return (*fakeIAM)(f) }
func (f *fake) KMS(string) KMSAPI               { return (*fakeKMS)(f) }
func (f *fake) S3(string) S3API                 { return (*fakeS3)(f) }

// --- CloudTrail ---

func (f *fake) trail(name string) (*fakeTrail, error) {
	if t, ok := f.trails[name]; ok {
		return t, nil
	}
	return nil, apiErr("TrailNotFoundException", "no trail "+name)
}

func (f *fake) DescribeTrails(_ context.Context, in *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeTrails"); err != nil {
		return nil, err
	}
	out := &cloudtrail.DescribeTrailsOutput{}
	names := in.TrailNameList
	if len(names) == 0 { // every trail, as the audit asks
		names = sortedKeys(f.trails)
	}
	for _, n := range names {
		if t, ok := f.trails[n]; ok {
			home := t.home
			if home == "" {
				home = f.region
			}
			out.TrailList = append(out.TrailList, cttypes.Trail{TrailARN: aws.String(n), Name: aws.String(t.name), HomeRegion: aws.String(home),
				IsMultiRegionTrail: aws.Bool(t.multi), S3BucketName: nilIfEmpty(t.bucket),
				CloudWatchLogsLogGroupArn: nilIfEmpty(t.groupARN), CloudWatchLogsRoleArn: nilIfEmpty(t.roleARN),
				IsOrganizationTrail: aws.Bool(t.org)})
		}
	}
	return out, nil
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

func (f *fake) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetTrailStatus"); err != nil {
		return nil, err
	}
	t, err := f.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(t.logging)}, nil
}

func (f *fake) GetEventSelectors(_ context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetEventSelectors"); err != nil {
		return nil, err
	}
	t, err := f.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetEventSelectorsOutput{EventSelectors: t.basic, AdvancedEventSelectors: t.advanced}, nil
}

func (f *fake) StartLogging(_ context.Context, in *cloudtrail.StartLoggingInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.StartLoggingOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("StartLogging"); err != nil {
		return nil, err
	}
	// StartLogging by name, as trailwatch calls it.
	var t *fakeTrail
	for _, x := range f.trails {
		if x.name == aws.ToString(in.Name) {
			t = x
		}
	}
	if t == nil {
		return nil, apiErr("TrailNotFoundException", aws.ToString(in.Name))
	}
	t.logging = true
	return &cloudtrail.StartLoggingOutput{}, nil
}

func (f *fake) PutEventSelectors(_ context.Context, in *cloudtrail.PutEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.PutEventSelectorsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutEventSelectors"); err != nil {
		return nil, err
	}
	t, err := f.trail(aws.ToString(in.TrailName))
	if err != nil {
		return nil, err
	}
	if (len(in.EventSelectors) > 0) == (len(in.AdvancedEventSelectors) > 0) {
		return nil, apiErr("InvalidEventSelectorsException", "exactly one kind")
	}
	if len(in.EventSelectors) > 5 {
		return nil, apiErr("InvalidEventSelectorsException", "more than 5")
	}
	t.basic, t.advanced = in.EventSelectors, in.AdvancedEventSelectors
	return &cloudtrail.PutEventSelectorsOutput{}, nil
}

func (f *fake) UpdateTrail(_ context.Context, in *cloudtrail.UpdateTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.UpdateTrailOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateTrail"); err != nil {
		return nil, err
	}
	t, err := f.trail(aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	role := aws.ToString(in.CloudWatchLogsRoleArn)
	if _, ok := f.roles[role[strings.LastIndex(role, "/")+1:]]; !ok {
		return nil, apiErr("InvalidCloudWatchLogsRoleArnException", "role "+role)
	}
	t.groupARN, t.roleARN = aws.ToString(in.CloudWatchLogsLogGroupArn), role
	return &cloudtrail.UpdateTrailOutput{}, nil
}

// --- Logs ---

type fakeLogs fake

func (l *fakeLogs) DescribeLogGroups(_ context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeLogGroups"); err != nil {
		return nil, err
	}
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, n := range sortedKeys(f.groups) {
		if strings.HasPrefix(n, aws.ToString(in.LogGroupNamePrefix)) {
			out.LogGroups = append(out.LogGroups, cwltypes.LogGroup{LogGroupName: aws.String(n), RetentionInDays: f.groups[n].retention})
		}
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (l *fakeLogs) CreateLogGroup(_ context.Context, in *cloudwatchlogs.CreateLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateLogGroup"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.LogGroupName)
	if _, ok := f.groups[n]; ok {
		return nil, apiErr("ResourceAlreadyExistsException", n)
	}
	f.groups[n] = &fakeGroup{tags: in.Tags}
	return &cloudwatchlogs.CreateLogGroupOutput{}, nil
}

func (l *fakeLogs) PutRetentionPolicy(_ context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutRetentionPolicy"); err != nil {
		return nil, err
	}
	g, ok := f.groups[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", "group")
	}
	g.retention = in.RetentionInDays
	return &cloudwatchlogs.PutRetentionPolicyOutput{}, nil
}

func (l *fakeLogs) ListTagsForResource(_ context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListTagsLogGroup"); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.ResourceArn)
	if strings.HasSuffix(arn, ":*") {
		return nil, apiErr("InvalidParameterException", "ARN with :*")
	}
	g, ok := f.groups[arn[strings.Index(arn, ":log-group:")+len(":log-group:"):]]
	if !ok {
		return nil, apiErr("ResourceNotFoundException", arn)
	}
	return &cloudwatchlogs.ListTagsForResourceOutput{Tags: g.tags}, nil
}

func (l *fakeLogs) DescribeMetricFilters(_ context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeMetricFilters"); err != nil {
		return nil, err
	}
	out := &cloudwatchlogs.DescribeMetricFiltersOutput{}
	groups := []string{aws.ToString(in.LogGroupName)}
	if groups[0] == "" { // every filter in the region
		groups = sortedKeys(f.filters)
	} else if _, ok := f.groups[groups[0]]; !ok {
		return nil, apiErr("ResourceNotFoundException", "The specified log group does not exist.")
	}
	for _, g := range groups {
		fs := f.filters[g]
		for _, n := range sortedKeys(fs) {
			if strings.HasPrefix(n, aws.ToString(in.FilterNamePrefix)) {
				out.MetricFilters = append(out.MetricFilters, fs[n])
			}
		}
	}
	return out, nil
}

func (l *fakeLogs) PutMetricFilter(_ context.Context, in *cloudwatchlogs.PutMetricFilterInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutMetricFilterOutput, error) {
	f := (*fake)(l)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutMetricFilter"); err != nil {
		return nil, err
	}
	g := aws.ToString(in.LogGroupName)
	if _, ok := f.groups[g]; !ok {
		return nil, apiErr("ResourceNotFoundException", "group "+g)
	}
	if f.filters[g] == nil {
		f.filters[g] = map[string]cwltypes.MetricFilter{}
	}
	f.filters[g][aws.ToString(in.FilterName)] = cwltypes.MetricFilter{FilterName: in.FilterName, FilterPattern: in.FilterPattern,
		LogGroupName: in.LogGroupName, MetricTransformations: in.MetricTransformations}
	return &cloudwatchlogs.PutMetricFilterOutput{}, nil
}

// --- IAM ---

type fakeIAM fake

func (c *fakeIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetRole"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, apiErr("NoSuchEntity", "role")
	}
	return &iam.GetRoleOutput{Role: &iamtypes.Role{Arn: aws.String(r.arn), RoleName: in.RoleName, AssumeRolePolicyDocument: aws.String(r.trust), Tags: r.tags}}, nil
}

func (c *fakeIAM) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, apiErr("NoSuchEntity", "role")
	}
	p, ok := r.policies[aws.ToString(in.PolicyName)]
	if !ok {
		return nil, apiErr("NoSuchEntity", "policy")
	}
	return &iam.GetRolePolicyOutput{PolicyDocument: aws.String(p)}, nil
}

func (c *fakeIAM) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateRole"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.RoleName)
	if _, ok := f.roles[n]; ok {
		return nil, apiErr("EntityAlreadyExists", n)
	}
	r := &fakeRole{arn: "arn:aws:iam::" + f.acct + ":role/" + n, trust: aws.ToString(in.AssumeRolePolicyDocument), tags: in.Tags, policies: map[string]string{}}
	f.roles[n] = r
	return &iam.CreateRoleOutput{Role: &iamtypes.Role{Arn: aws.String(r.arn), RoleName: in.RoleName}}, nil
}

func (c *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, apiErr("NoSuchEntity", "role")
	}
	r.policies[aws.ToString(in.PolicyName)] = aws.ToString(in.PolicyDocument)
	return &iam.PutRolePolicyOutput{}, nil
}

func (c *fakeIAM) UpdateAssumeRolePolicy(_ context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("UpdateAssumeRolePolicy"); err != nil {
		return nil, err
	}
	r, ok := f.roles[aws.ToString(in.RoleName)]
	if !ok {
		return nil, apiErr("NoSuchEntity", "role")
	}
	r.trust = aws.ToString(in.PolicyDocument)
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

// --- SNS ---

type fakeSNS fake

func (c *fakeSNS) GetTopicAttributes(_ context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetTopicAttributes"); err != nil {
		return nil, err
	}
	t, ok := f.topics[aws.ToString(in.TopicArn)]
	if !ok {
		return nil, apiErr("NotFound", "topic")
	}
	attrs := map[string]string{}
	for k, v := range t.attrs {
		attrs[k] = v
	}
	return &sns.GetTopicAttributesOutput{Attributes: attrs}, nil
}

func (c *fakeSNS) ListTagsForResource(_ context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListTagsTopic"); err != nil {
		return nil, err
	}
	t, ok := f.topics[aws.ToString(in.ResourceArn)]
	if !ok {
		return nil, apiErr("ResourceNotFound", "topic")
	}
	return &sns.ListTagsForResourceOutput{Tags: t.tags}, nil
}

func defaultTopicPolicy(arn string) string {
	return `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish"],"Resource":"` + arn + `","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}`
}

func (c *fakeSNS) CreateTopic(_ context.Context, in *sns.CreateTopicInput, _ ...func(*sns.Options)) (*sns.CreateTopicOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("CreateTopic"); err != nil {
		return nil, err
	}
	arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", f.region, f.acct, aws.ToString(in.Name))
	if _, ok := f.topics[arn]; !ok {
		attrs := map[string]string{"Policy": defaultTopicPolicy(arn)}
		for k, v := range in.Attributes {
			attrs[k] = v
		}
		f.topics[arn] = &fakeTopic{attrs: attrs, tags: in.Tags}
	}
	return &sns.CreateTopicOutput{TopicArn: aws.String(arn)}, nil
}

func (c *fakeSNS) SetTopicAttributes(_ context.Context, in *sns.SetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.SetTopicAttributesOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("SetTopicAttributes"); err != nil {
		return nil, err
	}
	t, ok := f.topics[aws.ToString(in.TopicArn)]
	if !ok {
		return nil, apiErr("NotFound", "topic")
	}
	t.attrs[aws.ToString(in.AttributeName)] = aws.ToString(in.AttributeValue)
	return &sns.SetTopicAttributesOutput{}, nil
}

func (c *fakeSNS) Subscribe(_ context.Context, in *sns.SubscribeInput, _ ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("Subscribe"); err != nil {
		return nil, err
	}
	if _, ok := f.topics[aws.ToString(in.TopicArn)]; !ok {
		return nil, apiErr("NotFound", "topic")
	}
	arn := aws.ToString(in.TopicArn) + fmt.Sprintf(":sub-%d", len(f.subs)+1)
	if p := aws.ToString(in.Protocol); p == "email" || p == "https" {
		arn = "pending confirmation"
	}
	f.subs = append(f.subs, snstypes.Subscription{TopicArn: in.TopicArn, Protocol: in.Protocol, Endpoint: in.Endpoint, SubscriptionArn: aws.String(arn)})
	return &sns.SubscribeOutput{SubscriptionArn: aws.String(arn)}, nil
}

func (c *fakeSNS) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListSubscriptionsByTopic"); err != nil {
		return nil, err
	}
	out := &sns.ListSubscriptionsByTopicOutput{}
	for _, s := range f.subs {
		if aws.ToString(s.TopicArn) == aws.ToString(in.TopicArn) {
			out.Subscriptions = append(out.Subscriptions, s)
		}
	}
	return out, nil
}

// --- CloudWatch ---

type fakeCW fake

func (c *fakeCW) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeAlarms"); err != nil {
		return nil, err
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	names := in.AlarmNames
	if len(names) == 0 { // every alarm, as the audit asks
		names = sortedKeys(f.alarms)
	}
	for _, n := range names {
		if a, ok := f.alarms[n]; ok {
			out.MetricAlarms = append(out.MetricAlarms, *a)
		}
	}
	return out, nil
}

// DescribeAlarmsForMetric: standard alarms on exactly that metric, as
// CloudWatch answers. The audit asks only when DescribeAlarms has a second
// page, which this fake never has.
func (c *fakeCW) DescribeAlarmsForMetric(_ context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeAlarmsForMetric"); err != nil {
		return nil, err
	}
	out := &cloudwatch.DescribeAlarmsForMetricOutput{}
	for _, n := range sortedKeys(f.alarms) {
		a := f.alarms[n]
		if len(a.Metrics) == 0 && len(a.Dimensions) == len(in.Dimensions) &&
			aws.ToString(a.MetricName) == aws.ToString(in.MetricName) && aws.ToString(a.Namespace) == aws.ToString(in.Namespace) {
			out.MetricAlarms = append(out.MetricAlarms, *a)
		}
	}
	return out, nil
}

func (c *fakeCW) ListTagsForResource(_ context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("ListTagsAlarm"); err != nil {
		return nil, err
	}
	return &cloudwatch.ListTagsForResourceOutput{Tags: f.alarmTags[aws.ToString(in.ResourceARN)]}, nil
}

func (c *fakeCW) PutMetricAlarm(_ context.Context, in *cloudwatch.PutMetricAlarmInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.PutMetricAlarmOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("PutMetricAlarm"); err != nil {
		return nil, err
	}
	n := aws.ToString(in.AlarmName)
	arn := fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", f.region, f.acct, n)
	_, existed := f.alarms[n]
	f.alarms[n] = &cwtypes.MetricAlarm{AlarmName: in.AlarmName, AlarmArn: aws.String(arn), AlarmDescription: in.AlarmDescription,
		MetricName: in.MetricName, Namespace: in.Namespace, Unit: in.Unit, ExtendedStatistic: in.ExtendedStatistic,
		Statistic: in.Statistic, Period: in.Period, EvaluationPeriods: in.EvaluationPeriods, DatapointsToAlarm: in.DatapointsToAlarm, Threshold: in.Threshold,
		ComparisonOperator: in.ComparisonOperator, TreatMissingData: in.TreatMissingData, ActionsEnabled: in.ActionsEnabled,
		AlarmActions: in.AlarmActions, OKActions: in.OKActions, InsufficientDataActions: in.InsufficientDataActions,
		Dimensions: in.Dimensions, Metrics: in.Metrics}
	if !existed {
		f.alarmTags[arn] = in.Tags
	}
	return &cloudwatch.PutMetricAlarmOutput{}, nil
}

// --- KMS ---

type fakeKMS fake

func (c *fakeKMS) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("DescribeKey"); err != nil {
		return nil, err
	}
	k, ok := f.keys[aws.ToString(in.KeyId)]
	if !ok {
		return nil, apiErr("NotFoundException", "key")
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: in.KeyId, KeyManager: k.manager, KeyState: kmstypes.KeyStateEnabled}}, nil
}

func (c *fakeKMS) GetKeyPolicy(_ context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	f := (*fake)(c)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.call("GetKeyPolicy"); err != nil {
		return nil, err
	}
	k, ok := f.keys[aws.ToString(in.KeyId)]
	if !ok {
		return nil, apiErr("NotFoundException", "key")
	}
	return &kms.GetKeyPolicyOutput{Policy: aws.String(k.policy)}, nil
}

// --- the audit's view of the fake, so tests plan from a real audit ---

type auditView struct{ f *fake }

func auditOf(f *fake) audit.Clients { return auditView{f} }

func (v auditView) Region() string                        { return v.f.region }
func (v auditView) STS() audit.STSAPI                     { return fakeSTS{v.f} }
func (v auditView) CloudTrail(string) audit.CloudTrailAPI { return v.f }
func (v auditView) Logs(string) audit.LogsAPI             { return (*fakeLogs)(v.f) }
func (v auditView) CloudWatch(string) audit.CloudWatchAPI { return (*fakeCW)(v.f) }
func (v auditView) SNS(string) audit.SNSAPI               { return (*fakeSNS)(v.f) }
func (v auditView) KMS(string) audit.KMSAPI               { return (*fakeKMS)(v.f) }

type fakeSTS struct{ f *fake }

func (s fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return &sts.GetCallerIdentityOutput{Account: aws.String(s.f.acct)}, nil
}
