package audit

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// shared lets audits of several controls, run at once, read the account
// once: the trails, log groups' filters, alarms and topics are the same
// lists whatever the control. The first audit to ask for a read makes it;
// the others wait for its answer. Answers are read-only to the audit.
type shared struct {
	inner Clients
	mu    sync.Mutex
	reads map[string]*sharedRead
}

type sharedRead struct {
	once sync.Once
	out  any
	err  error
}

func newShared(c Clients) *shared { return &shared{inner: c, reads: map[string]*sharedRead{}} }

// once makes the read named by op, region and in (its input, pagination
// token included) at most once.
func once[T any](s *shared, op, region string, in any, read func() (T, error)) (T, error) {
	b, _ := json.Marshal(in)
	key := op + "\x00" + region + "\x00" + string(b)
	s.mu.Lock()
	r := s.reads[key]
	if r == nil {
		r = &sharedRead{}
		s.reads[key] = r
	}
	s.mu.Unlock()
	r.once.Do(func() { r.out, r.err = read() })
	out, _ := r.out.(T)
	return out, r.err
}

func (s *shared) Region() string                         { return s.inner.Region() }
func (s *shared) STS() STSAPI                            { return sharedSTS{s} }
func (s *shared) CloudTrail(region string) CloudTrailAPI { return sharedCloudTrail{s, region} }
func (s *shared) Logs(region string) LogsAPI             { return sharedLogs{s, region} }
func (s *shared) CloudWatch(region string) CloudWatchAPI { return sharedCloudWatch{s, region} }
func (s *shared) SNS(region string) SNSAPI               { return sharedSNS{s, region} }
func (s *shared) KMS(region string) KMSAPI               { return sharedKMS{s, region} }

type sharedSTS struct{ s *shared }

func (c sharedSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, o ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return once(c.s, "GetCallerIdentity", "", in, func() (*sts.GetCallerIdentityOutput, error) { return c.s.inner.STS().GetCallerIdentity(ctx, in, o...) })
}

type sharedCloudTrail struct {
	s      *shared
	region string
}

func (c sharedCloudTrail) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, o ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	return once(c.s, "DescribeTrails", c.region, in, func() (*cloudtrail.DescribeTrailsOutput, error) {
		return c.s.inner.CloudTrail(c.region).DescribeTrails(ctx, in, o...)
	})
}

func (c sharedCloudTrail) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, o ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	return once(c.s, "GetTrailStatus", c.region, in, func() (*cloudtrail.GetTrailStatusOutput, error) {
		return c.s.inner.CloudTrail(c.region).GetTrailStatus(ctx, in, o...)
	})
}

func (c sharedCloudTrail) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, o ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	return once(c.s, "GetEventSelectors", c.region, in, func() (*cloudtrail.GetEventSelectorsOutput, error) {
		return c.s.inner.CloudTrail(c.region).GetEventSelectors(ctx, in, o...)
	})
}

type sharedLogs struct {
	s      *shared
	region string
}

func (c sharedLogs) DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	return once(c.s, "DescribeMetricFilters", c.region, in, func() (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
		return c.s.inner.Logs(c.region).DescribeMetricFilters(ctx, in, o...)
	})
}

type sharedCloudWatch struct {
	s      *shared
	region string
}

func (c sharedCloudWatch) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	return once(c.s, "DescribeAlarms", c.region, in, func() (*cloudwatch.DescribeAlarmsOutput, error) {
		return c.s.inner.CloudWatch(c.region).DescribeAlarms(ctx, in, o...)
	})
}

func (c sharedCloudWatch) DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, o ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	return once(c.s, "DescribeAlarmsForMetric", c.region, in, func() (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
		return c.s.inner.CloudWatch(c.region).DescribeAlarmsForMetric(ctx, in, o...)
	})
}

func (c sharedCloudWatch) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, o ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	return once(c.s, "cloudwatch:ListTagsForResource", c.region, in, func() (*cloudwatch.ListTagsForResourceOutput, error) {
		return c.s.inner.CloudWatch(c.region).ListTagsForResource(ctx, in, o...)
	})
}

type sharedSNS struct {
	s      *shared
	region string
}

func (c sharedSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, o ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return once(c.s, "GetTopicAttributes", c.region, in, func() (*sns.GetTopicAttributesOutput, error) {
		return c.s.inner.SNS(c.region).GetTopicAttributes(ctx, in, o...)
	})
}

func (c sharedSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, o ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return once(c.s, "ListSubscriptionsByTopic", c.region, in, func() (*sns.ListSubscriptionsByTopicOutput, error) {
		return c.s.inner.SNS(c.region).ListSubscriptionsByTopic(ctx, in, o...)
	})
}

func (c sharedSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, o ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return once(c.s, "sns:ListTagsForResource", c.region, in, func() (*sns.ListTagsForResourceOutput, error) {
		return c.s.inner.SNS(c.region).ListTagsForResource(ctx, in, o...)
	})
}

type sharedKMS struct {
	s      *shared
	region string
}

func (c sharedKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, o ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return once(c.s, "DescribeKey", c.region, in, func() (*kms.DescribeKeyOutput, error) { return c.s.inner.KMS(c.region).DescribeKey(ctx, in, o...) })
}

func (c sharedKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, o ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	return once(c.s, "GetKeyPolicy", c.region, in, func() (*kms.GetKeyPolicyOutput, error) { return c.s.inner.KMS(c.region).GetKeyPolicy(ctx, in, o...) })
}

// SecurityHub passes Security Hub's read through, once, when the wrapped
// clients have one.
func (s *shared) SecurityHub(region string) SecurityHubAPI { return sharedHub{s, region} }

type sharedHub struct {
	s      *shared
	region string
}

func (c sharedHub) DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, o ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	return once(c.s, "DescribeHub", c.region, in, func() (*securityhub.DescribeHubOutput, error) {
		hc, ok := c.s.inner.(HubClients)
		if !ok {
			return nil, ErrNoHub
		}
		return hc.SecurityHub(c.region).DescribeHub(ctx, in, o...)
	})
}

// ErrNoHub is what a Security Hub read answers when the clients behind it
// hold none (an evidence file recorded without it): CIS 4.16 is then
// unknown for that reason, not because a call failed.
var ErrNoHub = errors.New("these clients hold no Security Hub read")
