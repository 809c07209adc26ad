// Package awsx turns the command line's AWS settings into an SDK
// configuration and hands out SDK clients per region.
//
// Credentials come from the SDK's standard chain (environment, shared config
// and profiles, SSO, container and instance roles), optionally exchanged for
// a role's through STS. Retries are the SDK's standard mode, configured here
// once. The CloudWatch client speaks the JSON protocol instead of the SDK's
// default CBOR, which AWS accepts and emulators such as moto need.
package awsx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/trailwatch/trailwatch/internal/awserr"
)

// DefaultRetryMaxAttempts is how many times the SDK tries a call (the first
// attempt included) before the error reaches the caller, unless
// AWS_MAX_ATTEMPTS or the profile's max_attempts says otherwise.
const DefaultRetryMaxAttempts = 5

// DefaultAttemptTimeout bounds one attempt of one call, from sending the
// request to reading the whole answer. AWS answers the calls trailwatch makes
// in well under a second; a stalled attempt is retried like a dropped
// connection.
const DefaultAttemptTimeout = 30 * time.Second

// Settings are the AWS options a command takes from its flags. Empty fields
// fall back to the SDK's own sources (environment, shared config).
type Settings struct {
	Profile         string // --profile; AWS_PROFILE is read by the SDK
	Region          string // --region; AWS_REGION and the profile's region otherwise
	EndpointURL     string // --endpoint-url; AWS_ENDPOINT_URL is read by the SDK
	AssumeRoleARN   string // --assume-role
	ExternalID      string // --external-id, with --assume-role
	RoleSessionName string // --role-session-name, with --assume-role

	// RetryMaxAttempts overrides DefaultRetryMaxAttempts when positive.
	RetryMaxAttempts int
	// AttemptTimeout overrides DefaultAttemptTimeout when positive.
	AttemptTimeout time.Duration
}

// Identity is who the credentials belong to (sts:GetCallerIdentity).
type Identity struct {
	Account string
	ARN     string
	UserID  string
}

// Factory hands out SDK clients built from one configuration, one per service
// and region, created on first use. It is safe for concurrent use.
type Factory struct {
	cfg         aws.Config
	pathStyleS3 bool
	assumedRole string // the role ARN when credentials come from AssumeRole

	cloudtrail perRegion[*cloudtrail.Client]
	logs       perRegion[*cloudwatchlogs.Client]
	cloudwatch perRegion[*cloudwatch.Client]
	sns        perRegion[*sns.Client]
	s3         perRegion[*s3.Client]
	kms        perRegion[*kms.Client]
	hub        perRegion[*securityhub.Client]

	globalOnce sync.Once
	iam        *iam.Client
	sts        *sts.Client

	idMu  sync.Mutex
	id    *sts.GetCallerIdentityOutput // memoized on success
	idErr error                        // memoized when AWS answered with an error
}

// Load resolves the configuration from settings and the SDK's standard
// sources. It fails when no region is configured, when a value is malformed,
// when the profile does not exist, and, with AssumeRoleARN, when the role
// cannot be assumed (the error names the role and the reason).
func Load(ctx context.Context, s Settings) (*Factory, error) {
	if s.Region != "" {
		if err := ValidateRegion(s.Region); err != nil {
			return nil, err
		}
	}
	if s.EndpointURL != "" {
		if err := ValidateEndpointURL(s.EndpointURL); err != nil {
			return nil, err
		}
	}
	if s.AssumeRoleARN != "" {
		if err := ValidateRoleARN(s.AssumeRoleARN); err != nil {
			return nil, err
		}
	} else if s.ExternalID != "" || s.RoleSessionName != "" {
		return nil, errors.New("--external-id and --role-session-name need --assume-role")
	}
	if s.RoleSessionName != "" {
		if err := ValidateRoleSessionName(s.RoleSessionName); err != nil {
			return nil, err
		}
	}
	if s.ExternalID != "" {
		if err := ValidateExternalID(s.ExternalID); err != nil {
			return nil, err
		}
	}

	// The SDK's own log lines ("WARN falling back to IMDSv1") reach the
	// user's terminal unasked; what matters of them comes back as errors,
	// which trailwatch explains.
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if s.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(s.Profile))
	}
	if s.Region != "" {
		opts = append(opts, config.WithRegion(s.Region))
	}
	if s.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(s.EndpointURL))
	}
	if err := checkSharedFiles(); err != nil {
		return nil, err
	}
	cfg, err := loadDefaultConfig(ctx, opts)
	if err != nil {
		var notExist config.SharedConfigProfileNotExistError
		if errors.As(err, &notExist) {
			where := "no shared config or credentials file was found"
			if len(notExist.Filename) > 0 {
				where = "it is not in " + strings.Join(notExist.Filename, ", ")
			}
			return nil, fmt.Errorf("AWS profile %q does not exist (%s): check --profile or AWS_PROFILE, or run aws configure --profile %s", notExist.Profile, where, notExist.Profile)
		}
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	// Retries: the SDK's standard mode with DefaultRetryMaxAttempts, unless
	// AWS_RETRY_MODE / AWS_MAX_ATTEMPTS or the profile say otherwise.
	if cfg.RetryMode == "" {
		cfg.RetryMode = aws.RetryModeStandard
	}
	if cfg.RetryMaxAttempts == 0 {
		cfg.RetryMaxAttempts = DefaultRetryMaxAttempts
	}
	if s.RetryMaxAttempts > 0 {
		cfg.RetryMaxAttempts = s.RetryMaxAttempts
	}
	// Each attempt of a call has its own deadline, so an endpoint that
	// accepts the connection and never answers is retried, then given up on,
	// rather than waited on forever; the command's --timeout bounds the whole.
	// The SDK's client timeout covers connecting, redirects and reading the
	// whole answer (https://docs.aws.amazon.com/sdk-for-go/v2/developer-guide/configure-http.html).
	if bc, ok := cfg.HTTPClient.(*awshttp.BuildableClient); ok {
		attempt := s.AttemptTimeout
		if attempt <= 0 {
			attempt = DefaultAttemptTimeout
		}
		cfg.HTTPClient = bc.WithTimeout(attempt)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region configured: pass --region, set AWS_REGION, or set a region in the profile")
	}
	if err := ValidateRegion(cfg.Region); err != nil {
		return nil, fmt.Errorf("configured region: %w", err)
	}

	f := newFactory(cfg)
	if s.AssumeRoleARN != "" {
		f.assumeRole(s)
		// Assume now, so a role that cannot be assumed fails here with its
		// name and the reason, not as an unknown link in the middle of a run.
		if _, err := f.Identity(ctx); err != nil {
			return nil, f.regionError(s, err)
		}
	}
	return f, nil
}

// regionError explains a failed first call in a region the SDK does not
// know as that region's fault, naming the closest known one.
func (f *Factory) regionError(s Settings, err error) error {
	if KnownRegion(f.cfg.Region) {
		return err
	}
	return &UnknownRegionError{Region: f.cfg.Region, From: regionSource(s), Closest: ClosestRegion(f.cfg.Region), Err: err}
}

// Connect is Load followed by sts:GetCallerIdentity, so a missing or expired
// login is one clear error before a command starts rather than every read
// failing. An answer from AWS that is an error (a denial, say) is not an
// error here: the audit reports the read it could not make, with the action
// it needs. With AssumeRoleARN, Load has already named the role on failure.
func Connect(ctx context.Context, s Settings) (*Factory, error) {
	f, err := Load(ctx, s)
	if err != nil {
		return nil, err
	}
	if _, err := f.Identity(ctx); err != nil {
		if !KnownRegion(f.Region()) {
			// Any failure, even an answer: behind a proxy that refuses
			// unknown hosts, a typo reads as a denial.
			return nil, f.regionError(s, err)
		}
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) {
			// No response at all: no credentials, or no connection.
			return nil, fmt.Errorf("identify the caller: %w", awserr.Readable(err))
		}
	}
	return f, nil
}

// FromConfig builds a Factory from a ready configuration (tests against an
// emulator use it with motoserver's Config). S3 uses path-style addressing
// when cfg has a BaseEndpoint.
func FromConfig(cfg aws.Config) *Factory { return newFactory(cfg) }

func newFactory(cfg aws.Config) *Factory {
	cfg.APIOptions = append(slices.Clone(cfg.APIOptions), trackCalls)
	return &Factory{cfg: cfg, pathStyleS3: cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != ""}
}

func (f *Factory) assumeRole(s Settings) {
	name := s.RoleSessionName
	if name == "" {
		name = "trailwatch-" + strconv.FormatInt(time.Now().Unix(), 10)
	}
	provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(f.cfg), s.AssumeRoleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = name
		if s.ExternalID != "" {
			o.ExternalID = aws.String(s.ExternalID)
		}
	})
	f.cfg.Credentials = aws.NewCredentialsCache(provider)
	f.assumedRole = s.AssumeRoleARN
}

// Config returns a copy of the resolved SDK configuration (with the assumed
// role's credentials when one was given).
func (f *Factory) Config() aws.Config { return f.cfg.Copy() }

// Region returns the configured region.
func (f *Factory) Region() string { return f.cfg.Region }

// Endpoint returns the custom endpoint URL, or "" for AWS's own.
func (f *Factory) Endpoint() string { return aws.ToString(f.cfg.BaseEndpoint) }

func (f *Factory) region(r string) string {
	if r == "" {
		return f.cfg.Region
	}
	return r
}

// CloudTrail returns the CloudTrail client for region ("" is the configured one).
func (f *Factory) CloudTrail(region string) *cloudtrail.Client {
	region = f.region(region)
	return f.cloudtrail.get(region, func() *cloudtrail.Client {
		return cloudtrail.NewFromConfig(f.cfg, func(o *cloudtrail.Options) { o.Region = region })
	})
}

// Logs returns the CloudWatch Logs client for region.
func (f *Factory) Logs(region string) *cloudwatchlogs.Client {
	region = f.region(region)
	return f.logs.get(region, func() *cloudwatchlogs.Client {
		return cloudwatchlogs.NewFromConfig(f.cfg, func(o *cloudwatchlogs.Options) { o.Region = region })
	})
}

// CloudWatch returns the CloudWatch client for region, speaking JSON 1.0.
func (f *Factory) CloudWatch(region string) *cloudwatch.Client {
	region = f.region(region)
	return f.cloudwatch.get(region, func() *cloudwatch.Client {
		return cloudwatch.NewFromConfig(f.cfg, CloudWatchJSON, func(o *cloudwatch.Options) { o.Region = region })
	})
}

// CloudWatchJSON is the CloudWatch client option that replaces the SDK's
// default CBOR protocol with JSON 1.0.
func CloudWatchJSON(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
}

// SNS returns the SNS client for region.
func (f *Factory) SNS(region string) *sns.Client {
	region = f.region(region)
	return f.sns.get(region, func() *sns.Client {
		return sns.NewFromConfig(f.cfg, func(o *sns.Options) { o.Region = region })
	})
}

// S3 returns the S3 client for region, path-style when an endpoint is set.
func (f *Factory) S3(region string) *s3.Client {
	region = f.region(region)
	return f.s3.get(region, func() *s3.Client {
		return s3.NewFromConfig(f.cfg, func(o *s3.Options) {
			o.Region = region
			o.UsePathStyle = f.pathStyleS3
		})
	})
}

// KMS returns the KMS client for region.
func (f *Factory) KMS(region string) *kms.Client {
	region = f.region(region)
	return f.kms.get(region, func() *kms.Client {
		return kms.NewFromConfig(f.cfg, func(o *kms.Options) { o.Region = region })
	})
}

// SecurityHub returns the Security Hub client for region.
func (f *Factory) SecurityHub(region string) *securityhub.Client {
	region = f.region(region)
	return f.hub.get(region, func() *securityhub.Client {
		return securityhub.NewFromConfig(f.cfg, func(o *securityhub.Options) { o.Region = region })
	})
}

func (f *Factory) globals() {
	f.globalOnce.Do(func() {
		f.iam = iam.NewFromConfig(f.cfg)
		f.sts = sts.NewFromConfig(f.cfg)
	})
}

// IAM returns the IAM client (a global service).
func (f *Factory) IAM() *iam.Client { f.globals(); return f.iam }

// STS returns the STS client for the configured region.
func (f *Factory) STS() *sts.Client { f.globals(); return f.sts }

// Identity returns the caller's account and ARN. The call is made once per
// run: its answer, or AWS's error answer (a denial), is memoized. A failure to
// get an answer (no credentials, no connection) is tried again on the next
// call. Errors name the role when one was assumed.
func (f *Factory) Identity(ctx context.Context) (Identity, error) {
	out, err := f.callerIdentity(ctx)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}

func (f *Factory) callerIdentity(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	f.idMu.Lock()
	defer f.idMu.Unlock()
	if f.id != nil {
		return f.id, nil
	}
	if f.idErr != nil {
		return nil, f.idErr
	}
	out, err := f.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if f.assumedRole != "" {
			err = &roleError{role: f.assumedRole, err: err}
		}
		// An answer from AWS (a denial) would be the same next time; a
		// failure to get one (network, credentials) may not be.
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			f.idErr = err
		}
		return nil, err
	}
	f.id = out
	return out, nil
}

// perRegion caches one client per region.
type perRegion[T any] struct {
	mu sync.Mutex
	m  map[string]T
}

func (p *perRegion[T]) get(region string, mk func() T) T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.m[region]; ok {
		return c
	}
	if p.m == nil {
		p.m = make(map[string]T)
	}
	c := mk()
	p.m[region] = c
	return c
}

// roleError names the role that could not be assumed and AWS's reason,
// without the SDK's layers of operation names.
type roleError struct {
	role string
	err  error
}

func (e *roleError) Error() string {
	var apiErr smithy.APIError
	if errors.As(e.err, &apiErr) {
		return fmt.Sprintf("assume role %s: %s: %s", e.role, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	return fmt.Sprintf("assume role %s: %v", e.role, e.err)
}

func (e *roleError) Unwrap() error { return e.err }
