package evidence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/atomicfile"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// Recorder wraps audit.Clients and records every response (or error) the
// audit receives through it; it is itself an audit.Clients. It is safe for
// concurrent use.
type Recorder struct {
	inner audit.Clients
	// Now stamps recorded_at; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*entry
	reached map[string]*Recorder // by account
}

// Reach wraps an audit.Options.Reach so that the reads made in each other
// account are recorded too, in the file's "reached" list.
func (r *Recorder) Reach(reach func(context.Context, string) (audit.Clients, error)) func(context.Context, string) (audit.Clients, error) {
	if reach == nil {
		return nil
	}
	return func(ctx context.Context, account string) (audit.Clients, error) {
		c, err := reach(ctx, account)
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.reached == nil {
			r.reached = map[string]*Recorder{}
		}
		child := r.reached[account]
		if child == nil {
			child = NewRecorder(c)
			child.Now = r.Now
			r.reached[account] = child
		}
		return child, nil
	}
}

type entry struct {
	spec    *opSpec
	region  string
	params  map[string]any
	ident   map[string]string
	out     any  // pointer to the SDK output, pages merged
	more    bool // the last page read says another follows
	err     *CallError
	account string // GetCallerIdentity's answer
}

// NewRecorder wraps clients.
func NewRecorder(clients audit.Clients) *Recorder {
	return &Recorder{inner: clients, entries: map[string]*entry{}}
}

func key(service, op, region string, ident map[string]string) string {
	return describe(service, op, region, ident)
}

// record stores one call's outcome. A page after the first (a non-empty
// pagination token) is merged into the first page's entry.
func (r *Recorder) record(service, op, region string, params map[string]any, nextPage bool, out any, err error) {
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return
	}
	spec := findOp(service, op)
	ident := identOf(spec, params)
	k := key(service, op, region, ident)
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.entries[k]
	if nextPage && e != nil && e.out != nil {
		if err != nil {
			e.out, e.err = nil, callError(err)
			return
		}
		spec.appendPage(e.out, out)
		e.more = hasMore(out)
		return
	}
	e = &entry{spec: spec, region: region, params: params, ident: ident}
	if err != nil {
		e.err = callError(err)
	} else {
		if out == nil || reflect.ValueOf(out).IsNil() {
			out = spec.newOut()
		}
		e.out = clone(out)
		e.more = hasMore(out)
		if o, ok := out.(*sts.GetCallerIdentityOutput); ok {
			e.account = aws.ToString(o.Account)
		}
	}
	r.entries[k] = e
}

func callError(err error) *CallError {
	return &CallError{Code: awserr.Code(err), Message: awserr.Message(err), Status: awserr.HTTPStatus(err)}
}

func identOf(spec *opSpec, params map[string]any) map[string]string {
	id := map[string]string{}
	for _, k := range spec.ident {
		if v, ok := params[k].(string); ok {
			id[k] = v
		}
	}
	return id
}

// File returns what has been recorded so far, calls sorted by service,
// operation, region and parameters.
func (r *Recorder) File() (*File, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	f := &File{Format: Format, Region: r.inner.Region(), RecordedAt: now().UTC().Format(time.RFC3339), Calls: []Call{}}
	keys := make([]string, 0, len(r.entries))
	for k := range r.entries {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e := r.entries[k]
		c := Call{Service: e.spec.service, Operation: e.spec.op, Region: e.region, Params: e.params, Error: e.err, Truncated: e.more && e.out != nil}
		if e.out != nil {
			b, err := json.Marshal(encode(e.out, e.spec.name))
			if err != nil {
				return nil, fmt.Errorf("evidence: encode %s: %w", k, err)
			}
			c.Response = b
		}
		if e.account != "" {
			f.Account = e.account
		}
		f.Calls = append(f.Calls, c)
	}
	accounts := make([]string, 0, len(r.reached))
	for a := range r.reached {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	for _, a := range accounts {
		child := r.reached[a]
		r.mu.Unlock()
		cf, err := child.File()
		r.mu.Lock()
		if err != nil {
			return nil, err
		}
		if cf.Account == "" {
			cf.Account = a
		}
		// One level: what the other account reached is listed here too.
		nested := cf.Reached
		cf.Reached = nil
		cf.RecordedAt = ""
		f.Reached = append(f.Reached, *cf)
		for _, n := range nested {
			if !slices.ContainsFunc(f.Reached, func(x File) bool { return x.Account == n.Account }) {
				f.Reached = append(f.Reached, n)
			}
		}
	}
	return f, nil
}

// Save writes the recorded calls to path atomically: a temporary file in
// the same directory, then a rename.
func (r *Recorder) Save(path string) error {
	f, err := r.File()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("evidence: encode %s: %w", path, err)
	}
	b = append(b, '\n')
	if err := atomicfile.Write(path, b, 0o644); err != nil {
		return fmt.Errorf("evidence: save %s: %w", path, err)
	}
	return nil
}

// audit.Clients

func (r *Recorder) Region() string { return r.inner.Region() }

func (r *Recorder) STS() audit.STSAPI { return &recSTS{r, r.inner.STS(), r.inner.Region()} }

func (r *Recorder) CloudTrail(region string) audit.CloudTrailAPI {
	return &recCloudTrail{r, r.inner.CloudTrail(region), region}
}

func (r *Recorder) Logs(region string) audit.LogsAPI {
	return &recLogs{r, r.inner.Logs(region), region}
}

func (r *Recorder) CloudWatch(region string) audit.CloudWatchAPI {
	return &recCloudWatch{r, r.inner.CloudWatch(region), region}
}

func (r *Recorder) SNS(region string) audit.SNSAPI { return &recSNS{r, r.inner.SNS(region), region} }

func (r *Recorder) KMS(region string) audit.KMSAPI { return &recKMS{r, r.inner.KMS(region), region} }

// SecurityHub records CIS 4.16's read when the wrapped clients make it, and
// otherwise answers audit.ErrNoHub.
func (r *Recorder) SecurityHub(region string) audit.SecurityHubAPI {
	var inner audit.SecurityHubAPI
	if hc, ok := r.inner.(audit.HubClients); ok {
		inner = hc.SecurityHub(region)
	}
	return &recHub{r, inner, region}
}

type recHub struct {
	r      *Recorder
	c      audit.SecurityHubAPI // nil: the wrapped clients have no Security Hub read
	region string
}

func (s *recHub) DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, opts ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	if s.c == nil {
		return nil, audit.ErrNoHub
	}
	out, err := s.c.DescribeHub(ctx, in, opts...)
	s.r.record("securityhub", "DescribeHub", s.region, nil, false, out, err)
	return out, err
}

type recKMS struct {
	r      *Recorder
	c      audit.KMSAPI
	region string
}

func (s *recKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, opts ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	out, err := s.c.DescribeKey(ctx, in, opts...)
	s.r.record("kms", "DescribeKey", s.region, map[string]any{"KeyId": aws.ToString(in.KeyId)}, false, out, err)
	return out, err
}

func (s *recKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, opts ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	out, err := s.c.GetKeyPolicy(ctx, in, opts...)
	s.r.record("kms", "GetKeyPolicy", s.region, map[string]any{"KeyId": aws.ToString(in.KeyId)}, false, out, err)
	return out, err
}

type recSTS struct {
	r      *Recorder
	c      audit.STSAPI
	region string
}

func (s *recSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	out, err := s.c.GetCallerIdentity(ctx, in, opts...)
	s.r.record("sts", "GetCallerIdentity", s.region, nil, false, out, err)
	return out, err
}

type recCloudTrail struct {
	r      *Recorder
	c      audit.CloudTrailAPI
	region string
}

func (s *recCloudTrail) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	out, err := s.c.DescribeTrails(ctx, in, opts...)
	p := map[string]any{}
	if in.IncludeShadowTrails != nil {
		p["includeShadowTrails"] = *in.IncludeShadowTrails
	}
	if len(in.TrailNameList) > 0 {
		p["trailNameList"] = in.TrailNameList
	}
	s.r.record("cloudtrail", "DescribeTrails", s.region, p, false, out, err)
	return out, err
}

func (s *recCloudTrail) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	out, err := s.c.GetTrailStatus(ctx, in, opts...)
	s.r.record("cloudtrail", "GetTrailStatus", s.region, map[string]any{"Name": aws.ToString(in.Name)}, false, out, err)
	return out, err
}

func (s *recCloudTrail) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, opts ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	out, err := s.c.GetEventSelectors(ctx, in, opts...)
	s.r.record("cloudtrail", "GetEventSelectors", s.region, map[string]any{"TrailName": aws.ToString(in.TrailName)}, false, out, err)
	return out, err
}

type recLogs struct {
	r      *Recorder
	c      audit.LogsAPI
	region string
}

func (s *recLogs) DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	out, err := s.c.DescribeMetricFilters(ctx, in, opts...)
	var p map[string]any
	if in.LogGroupName != nil {
		p = map[string]any{"logGroupName": aws.ToString(in.LogGroupName)}
	}
	s.r.record("logs", "DescribeMetricFilters", s.region, p, aws.ToString(in.NextToken) != "", out, err)
	return out, err
}

type recCloudWatch struct {
	r      *Recorder
	c      audit.CloudWatchAPI
	region string
}

func (s *recCloudWatch) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	out, err := s.c.DescribeAlarms(ctx, in, opts...)
	s.r.record("cloudwatch", "DescribeAlarms", s.region, nil, aws.ToString(in.NextToken) != "", out, err)
	return out, err
}

func (s *recCloudWatch) DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	out, err := s.c.DescribeAlarmsForMetric(ctx, in, opts...)
	s.r.record("cloudwatch", "DescribeAlarmsForMetric", s.region, map[string]any{"Namespace": aws.ToString(in.Namespace), "MetricName": aws.ToString(in.MetricName)}, false, out, err)
	return out, err
}

type recSNS struct {
	r      *Recorder
	c      audit.SNSAPI
	region string
}

func (s *recSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, opts ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	out, err := s.c.GetTopicAttributes(ctx, in, opts...)
	s.r.record("sns", "GetTopicAttributes", s.region, map[string]any{"TopicArn": aws.ToString(in.TopicArn)}, false, out, err)
	return out, err
}

func (s *recSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, opts ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	out, err := s.c.ListSubscriptionsByTopic(ctx, in, opts...)
	s.r.record("sns", "ListSubscriptionsByTopic", s.region, map[string]any{"TopicArn": aws.ToString(in.TopicArn)}, aws.ToString(in.NextToken) != "", out, err)
	return out, err
}

func (s *recCloudWatch) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, opts ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	out, err := s.c.ListTagsForResource(ctx, in, opts...)
	s.r.record("cloudwatch", "ListTagsForResource", s.region, map[string]any{"ResourceARN": aws.ToString(in.ResourceARN)}, false, out, err)
	return out, err
}

func (s *recSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, opts ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	out, err := s.c.ListTagsForResource(ctx, in, opts...)
	s.r.record("sns", "ListTagsForResource", s.region, map[string]any{"ResourceArn": aws.ToString(in.ResourceArn)}, false, out, err)
	return out, err
}
