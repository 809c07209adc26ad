// Package fakeaws is an in-memory AWS account for the audit's tests: it
// implements audit.Clients, pages results, injects errors and latency, and
// logs every call so tests can count calls and sequential round trips.
package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trailwatch/trailwatch/audit"
)

// Account is the state the fake answers from. Fill the maps directly.
type Account struct {
	ID         string
	HomeRegion string // the configured region (Clients.Region)

	Trails    []cttypes.Trail // DescribeTrails answers these in every region
	Status    map[string]*cloudtrail.GetTrailStatusOutput
	Selectors map[string]*cloudtrail.GetEventSelectorsOutput // by trail ARN; absent = no custom selectors
	// Filters by LogKey(region, log group name); an absent key is a log
	// group that does not exist.
	Filters map[string][]cwltypes.MetricFilter
	Alarms  map[string][]cwtypes.MetricAlarm   // by region
	Topics  map[string]map[string]string       // attributes by topic ARN; absent = no such topic
	Subs    map[string][]snstypes.Subscription // by topic ARN
	// Tags by alarm or topic ARN.
	Tags map[string]map[string]string
	// Keys are customer managed KMS keys, by key ARN; Aliases map an alias
	// name or ARN to a key ARN.
	Keys    map[string]*Key
	Aliases map[string]string
	// Hubs are the regions where Security Hub is enabled, with the time
	// it was.
	Hubs map[string]string
	// Errors by "Operation" or "Operation key" (key as in Call.Key).
	Errors map[string]error

	PageSize int           // items per page for paginated calls; 0 = one page
	Latency  time.Duration // slept by every call

	mu    sync.Mutex
	calls []Call
}

// Call is one request the fake served.
type Call struct {
	Op, Region, Key, Token string
	Start, End             time.Time
}

// LogKey keys Account.Filters.
func LogKey(region, group string) string { return region + "/" + group }

// Denied is an access-denied API error with the given code.
func Denied(code string) error {
	return &smithy.GenericAPIError{Code: code, Message: "User: arn:aws:iam::111122223333:user/auditor is not authorized to perform this action"}
}

// Status403 is an HTTP 403 whose body the SDK could not decode.
func Status403() error {
	return &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 403}},
		Err:      errors.New("failed to decode response body: unexpected EOF"),
	}
}

func notFound(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// Calls returns the calls served so far, in start order.
func (a *Account) Calls() []Call {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := append([]Call(nil), a.calls...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Start.Before(out[j].Start) })
	return out
}

// Reset forgets the calls served.
func (a *Account) Reset() {
	a.mu.Lock()
	a.calls = nil
	a.mu.Unlock()
}

// RoundTrips is the longest chain of calls each of which started after the
// previous one ended: the number of sequential round trips. Meaningful only
// with a Latency well above scheduling noise.
func RoundTrips(calls []Call) int {
	depth := make([]int, len(calls))
	max := 0
	for i, c := range calls {
		d := 1
		for j := 0; j < i; j++ {
			if !calls[j].End.After(c.Start) && depth[j]+1 > d {
				d = depth[j] + 1
			}
		}
		depth[i] = d
		if d > max {
			max = d
		}
	}
	return max
}

// Duplicates lists calls made more than once with the same operation,
// region, key and page token.
func Duplicates(calls []Call) []string {
	seen := map[string]int{}
	var dups []string
	for _, c := range calls {
		k := fmt.Sprintf("%s %s %s %s", c.Op, c.Region, c.Key, c.Token)
		seen[k]++
		if seen[k] == 2 {
			dups = append(dups, k)
		}
	}
	return dups
}

func (a *Account) serve(ctx context.Context, op, region, key, token string) error {
	start := time.Now()
	if a.Latency > 0 {
		t := time.NewTimer(a.Latency)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
	a.mu.Lock()
	a.calls = append(a.calls, Call{Op: op, Region: region, Key: key, Token: token, Start: start, End: time.Now()})
	a.mu.Unlock()
	if err, ok := a.Errors[op+" "+key]; ok {
		return err
	}
	if err, ok := a.Errors[op]; ok {
		return err
	}
	return nil
}

// page returns items [token, token+PageSize) and the next token.
func page[T any](a *Account, items []T, token string) ([]T, *string) {
	return pageOf(a.PageSize, items, token)
}

// pageOf is page with the page size given.
func pageOf[T any](size int, items []T, token string) ([]T, *string) {
	start, _ := strconv.Atoi(token)
	if size <= 0 {
		return items[min(start, len(items)):], nil
	}
	end := min(start+size, len(items))
	out := items[min(start, len(items)):end]
	if end < len(items) {
		return out, aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// audit.Clients

func (a *Account) Region() string                               { return a.HomeRegion }
func (a *Account) STS() audit.STSAPI                            { return stsClient{a} }
func (a *Account) CloudTrail(region string) audit.CloudTrailAPI { return ctClient{a, region} }
func (a *Account) Logs(region string) audit.LogsAPI             { return logsClient{a, region} }
func (a *Account) CloudWatch(region string) audit.CloudWatchAPI { return cwClient{a, region} }
func (a *Account) SNS(region string) audit.SNSAPI               { return snsClient{a, region} }
func (a *Account) KMS(region string) audit.KMSAPI               { return kmsClient{a, region} }

type stsClient struct{ a *Account }

func (c stsClient) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if err := c.a.serve(ctx, "GetCallerIdentity", c.a.HomeRegion, "", ""); err != nil {
		return nil, err
	}
	return &sts.GetCallerIdentityOutput{
		Account: aws.String(c.a.ID),
		Arn:     aws.String("arn:aws:iam::" + c.a.ID + ":user/auditor"),
		UserId:  aws.String("AIDAEXAMPLEAUDITOR"),
	}, nil
}

type ctClient struct {
	a      *Account
	region string
}

func (c ctClient) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	if err := c.a.serve(ctx, "DescribeTrails", c.region, "", ""); err != nil {
		return nil, err
	}
	var out []cttypes.Trail
	for _, t := range c.a.Trails {
		// Without shadow trails a region lists only trails homed there.
		if aws.ToBool(in.IncludeShadowTrails) || aws.ToString(t.HomeRegion) == c.region {
			out = append(out, t)
		}
	}
	return &cloudtrail.DescribeTrailsOutput{TrailList: out}, nil
}

// trail finds a trail by ARN or name as AWS does: only in its home region.
func (c ctClient) trail(name string) (cttypes.Trail, error) {
	for _, t := range c.a.Trails {
		if aws.ToString(t.TrailARN) == name || aws.ToString(t.Name) == name {
			if aws.ToString(t.HomeRegion) != c.region {
				return t, notFound("TrailNotFoundException", fmt.Sprintf("trail %s is not homed in %s", name, c.region))
			}
			return t, nil
		}
	}
	return cttypes.Trail{}, notFound("TrailNotFoundException", "Unknown trail: "+name)
}

func (c ctClient) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	name := aws.ToString(in.Name)
	if err := c.a.serve(ctx, "GetTrailStatus", c.region, name, ""); err != nil {
		return nil, err
	}
	t, err := c.trail(name)
	if err != nil {
		return nil, err
	}
	if s, ok := c.a.Status[aws.ToString(t.TrailARN)]; ok {
		return s, nil
	}
	return &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(false)}, nil
}

func (c ctClient) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	name := aws.ToString(in.TrailName)
	if err := c.a.serve(ctx, "GetEventSelectors", c.region, name, ""); err != nil {
		return nil, err
	}
	t, err := c.trail(name)
	if err != nil {
		return nil, err
	}
	if s, ok := c.a.Selectors[aws.ToString(t.TrailARN)]; ok {
		return s, nil
	}
	return &cloudtrail.GetEventSelectorsOutput{TrailARN: t.TrailARN}, nil
}

type logsClient struct {
	a      *Account
	region string
}

func (c logsClient) DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	group := aws.ToString(in.LogGroupName)
	token := aws.ToString(in.NextToken)
	if err := c.a.serve(ctx, "DescribeMetricFilters", c.region, group, token); err != nil {
		return nil, err
	}
	if group == "" { // every filter in the region, by group name
		var all []cwltypes.MetricFilter
		for _, k := range sortedKeys(c.a.Filters) {
			if strings.HasPrefix(k, c.region+"/") {
				all = append(all, c.a.Filters[k]...)
			}
		}
		items, next := page(c.a, all, token)
		return &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: items, NextToken: next}, nil
	}
	fs, ok := c.a.Filters[LogKey(c.region, group)]
	if !ok {
		return nil, notFound("ResourceNotFoundException", "The specified log group does not exist.")
	}
	items, next := page(c.a, fs, token)
	return &cloudwatchlogs.DescribeMetricFiltersOutput{MetricFilters: items, NextToken: next}, nil
}

type cwClient struct {
	a      *Account
	region string
}

func (c cwClient) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	token := aws.ToString(in.NextToken)
	if err := c.a.serve(ctx, "DescribeAlarms", c.region, "", token); err != nil {
		return nil, err
	}
	size := c.a.PageSize
	if n := int(aws.ToInt32(in.MaxRecords)); n > 0 && size > n {
		size = n // a page holds at most MaxRecords alarms
	}
	items, next := pageOf(size, c.a.Alarms[c.region], token)
	return &cloudwatch.DescribeAlarmsOutput{MetricAlarms: items, NextToken: next}, nil
}

// DescribeAlarmsForMetric answers as CloudWatch does (API reference,
// DescribeAlarmsForMetric): the standard alarms on exactly that metric,
// never metric-math alarms; dimensions must match as a set (an alarm with
// dimensions is not returned for a request without them); statistic,
// extended statistic, period and unit filter only when given. No paging.
func (c cwClient) DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	key := aws.ToString(in.Namespace) + "/" + aws.ToString(in.MetricName)
	if err := c.a.serve(ctx, "DescribeAlarmsForMetric", c.region, key, ""); err != nil {
		return nil, err
	}
	out := &cloudwatch.DescribeAlarmsForMetricOutput{}
	for _, m := range c.a.Alarms[c.region] {
		switch {
		case len(m.Metrics) > 0 || aws.ToString(m.MetricName) != aws.ToString(in.MetricName) || aws.ToString(m.Namespace) != aws.ToString(in.Namespace):
		case !sameDimensions(m.Dimensions, in.Dimensions):
		case in.Statistic != "" && m.Statistic != in.Statistic:
		case in.ExtendedStatistic != nil && aws.ToString(m.ExtendedStatistic) != aws.ToString(in.ExtendedStatistic):
		case in.Period != nil && aws.ToInt32(m.Period) != aws.ToInt32(in.Period):
		case in.Unit != "" && m.Unit != in.Unit:
		default:
			out.MetricAlarms = append(out.MetricAlarms, m)
		}
	}
	return out, nil
}

func sameDimensions(a, b []cwtypes.Dimension) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]string{}
	for _, d := range a {
		set[aws.ToString(d.Name)] = aws.ToString(d.Value)
	}
	for _, d := range b {
		if v, ok := set[aws.ToString(d.Name)]; !ok || v != aws.ToString(d.Value) {
			return false
		}
	}
	return true
}

func (c cwClient) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	arn := aws.ToString(in.ResourceARN)
	if err := c.a.serve(ctx, "cloudwatch:ListTagsForResource", c.region, arn, ""); err != nil {
		return nil, err
	}
	out := &cloudwatch.ListTagsForResourceOutput{}
	for _, k := range sortedKeys(c.a.Tags[arn]) {
		out.Tags = append(out.Tags, cwtypes.Tag{Key: aws.String(k), Value: aws.String(c.a.Tags[arn][k])})
	}
	return out, nil
}

func (c snsClient) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	arn := aws.ToString(in.ResourceArn)
	if err := c.a.serve(ctx, "sns:ListTagsForResource", c.region, arn, ""); err != nil {
		return nil, err
	}
	if _, ok := c.a.Topics[arn]; !ok {
		return nil, notFound("NotFound", "Topic does not exist")
	}
	out := &sns.ListTagsForResourceOutput{}
	for _, k := range sortedKeys(c.a.Tags[arn]) {
		out.Tags = append(out.Tags, snstypes.Tag{Key: aws.String(k), Value: aws.String(c.a.Tags[arn][k])})
	}
	return out, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

type snsClient struct {
	a      *Account
	region string
}

func (c snsClient) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	arn := aws.ToString(in.TopicArn)
	if err := c.a.serve(ctx, "GetTopicAttributes", c.region, arn, ""); err != nil {
		return nil, err
	}
	attrs, ok := c.a.Topics[arn]
	if !ok {
		return nil, notFound("NotFound", "Topic does not exist")
	}
	return &sns.GetTopicAttributesOutput{Attributes: attrs}, nil
}

func (c snsClient) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	arn := aws.ToString(in.TopicArn)
	token := aws.ToString(in.NextToken)
	if err := c.a.serve(ctx, "ListSubscriptionsByTopic", c.region, arn, token); err != nil {
		return nil, err
	}
	if _, ok := c.a.Topics[arn]; !ok {
		return nil, notFound("NotFound", "Topic does not exist")
	}
	items, next := page(c.a, c.a.Subs[arn], token)
	return &sns.ListSubscriptionsByTopicOutput{Subscriptions: items, NextToken: next}, nil
}

// Key is a KMS key as the fake holds it.
type Key struct {
	Manager kmstypes.KeyManagerType
	State   kmstypes.KeyState
	Policy  string
}

type kmsClient struct {
	a      *Account
	region string
}

func (c kmsClient) key(id string) (string, *Key, error) {
	arn := id
	if t, ok := c.a.Aliases[id]; ok {
		arn = t
	}
	k, ok := c.a.Keys[arn]
	if !ok {
		return "", nil, notFound("NotFoundException", "Key '"+id+"' does not exist")
	}
	return arn, k, nil
}

func (c kmsClient) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	id := aws.ToString(in.KeyId)
	if err := c.a.serve(ctx, "DescribeKey", c.region, id, ""); err != nil {
		return nil, err
	}
	arn, k, err := c.key(id)
	if err != nil {
		return nil, err
	}
	state := k.State
	if state == "" {
		state = kmstypes.KeyStateEnabled
	}
	return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{Arn: aws.String(arn), KeyId: aws.String(arn[strings.LastIndex(arn, "/")+1:]),
		KeyManager: k.Manager, KeyState: state}}, nil
}

func (c kmsClient) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	id := aws.ToString(in.KeyId)
	if err := c.a.serve(ctx, "GetKeyPolicy", c.region, id, ""); err != nil {
		return nil, err
	}
	_, k, err := c.key(id)
	if err != nil {
		return nil, err
	}
	return &kms.GetKeyPolicyOutput{Policy: aws.String(k.Policy), PolicyName: aws.String("default")}, nil
}

// SecurityHub answers DescribeHub from Hubs.
func (a *Account) SecurityHub(region string) audit.SecurityHubAPI { return hubClient{a, region} }

type hubClient struct {
	a      *Account
	region string
}

func (c hubClient) DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, _ ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	if err := c.a.serve(ctx, "DescribeHub", c.region, "", ""); err != nil {
		return nil, err
	}
	at, ok := c.a.Hubs[c.region]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "InvalidAccessException", Message: "Account " + c.a.ID + " is not subscribed to AWS Security Hub"}
	}
	return &securityhub.DescribeHubOutput{HubArn: aws.String("arn:aws:securityhub:" + c.region + ":" + c.a.ID + ":hub/default"), SubscribedAt: aws.String(at)}, nil
}
