package faultproxy

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/internal/awserr"
)

// sdkConfig points the SDK at the proxy with the standard retryer (3
// attempts) minus its backoff, so retried faults cost no time.
func sdkConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = 3
				o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
				o.RateLimiter = ratelimit.None
			})
		},
	}
}

// The SDK must read the proxy's faults as AWS's: throttles, 429s, 5xx and
// resets are retried (and, past the budget, classified as throttles where
// they are); denials are terminal and classified as denied.
func TestSDKClassifiesFaults(t *testing.T) {
	type outcome struct {
		attempts  int
		ok        bool
		throttled bool
		denied    bool
	}
	tests := []struct {
		name string
		rule func(op string) *Rule
		want outcome
	}{
		{"throttle within budget", func(op string) *Rule { return On(op).First(2).Throttle() }, outcome{attempts: 3, ok: true}},
		{"throttle past budget", func(op string) *Rule { return On(op).Throttle() }, outcome{attempts: 3, throttled: true}},
		{"429 within budget", func(op string) *Rule { return On(op).First(2).TooManyRequests() }, outcome{attempts: 3, ok: true}},
		{"429 past budget", func(op string) *Rule { return On(op).TooManyRequests() }, outcome{attempts: 3, throttled: true}},
		{"503 within budget", func(op string) *Rule { return On(op).First(2).Status(503) }, outcome{attempts: 3, ok: true}},
		{"500 past budget", func(op string) *Rule { return On(op).Status(500) }, outcome{attempts: 3}},
		{"reset within budget", func(op string) *Rule { return On(op).First(1).Reset() }, outcome{attempts: 2, ok: true}},
		{"reset past budget", func(op string) *Rule { return On(op).Reset() }, outcome{attempts: 3}},
		{"deny", func(op string) *Rule { return On(op).Deny() }, outcome{attempts: 1, denied: true}},
		{"deny, moto's undecodable 403", func(op string) *Rule { return On(op).DenyUndecodable() }, outcome{attempts: 1, denied: true}},
		{"delay", func(op string) *Rule { return On(op).Delay(10 * time.Millisecond) }, outcome{attempts: 1, ok: true}},
	}
	services := []struct {
		protocol string
		action   string
		call     func(ctx context.Context, cfg aws.Config) error
	}{
		{"json", "cloudtrail:DescribeTrails", func(ctx context.Context, cfg aws.Config) error {
			_, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
			return err
		}},
		{"query", "sns:ListTopics", func(ctx context.Context, cfg aws.Config) error {
			_, err := sns.NewFromConfig(cfg).ListTopics(ctx, &sns.ListTopicsInput{})
			return err
		}},
	}
	for _, svc := range services {
		for _, tt := range tests {
			t.Run(svc.protocol+"/"+tt.name, func(t *testing.T) {
				p := Start(t, newBackend(t).URL)
				p.Add(tt.rule(svc.action))
				err := svc.call(t.Context(), sdkConfig(p.URL))
				got := outcome{
					attempts:  len(p.Calls()),
					ok:        err == nil,
					throttled: awserr.IsThrottle(err),
					denied:    awserr.IsDenied(err),
				}
				if got != tt.want {
					t.Errorf("got %+v, want %+v (err: %v)", got, tt.want, err)
				}
				// moto's undecodable 403 carries no readable message at all.
				if tt.name == "deny" && !strings.Contains(err.Error(), svc.action) {
					t.Errorf("denied error %q does not name the action %s", err, svc.action)
				}
				for _, c := range p.Calls() {
					if c.Action() != svc.action {
						t.Errorf("recorded %q, want %q", c.Action(), svc.action)
					}
				}
			})
		}
	}
}
