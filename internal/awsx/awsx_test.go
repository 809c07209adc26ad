package awsx_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

// isolate hides the machine's AWS settings from the SDK.
func isolate(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

func TestLoadNoRegion(t *testing.T) {
	isolate(t)
	_, err := awsx.Load(context.Background(), awsx.Settings{})
	if err == nil || !strings.Contains(err.Error(), "--region") || !strings.Contains(err.Error(), "AWS_REGION") {
		t.Fatalf("err = %v, want a message naming --region and AWS_REGION", err)
	}
}

func TestLoadRejectsBadInput(t *testing.T) {
	isolate(t)
	for _, tc := range []struct {
		name string
		s    awsx.Settings
		want string
	}{
		{"region", awsx.Settings{Region: "US_EAST"}, `"US_EAST"`},
		{"region from env", awsx.Settings{}, `"nowhere"`},
		{"endpoint", awsx.Settings{Region: "us-east-1", EndpointURL: "localhost:5000"}, `"localhost:5000"`},
		{"role", awsx.Settings{Region: "us-east-1", AssumeRoleARN: "admin"}, `"admin"`},
		{"external id without role", awsx.Settings{Region: "us-east-1", ExternalID: "xyz"}, "--assume-role"},
		{"session name", awsx.Settings{Region: "us-east-1", AssumeRoleARN: "arn:aws:iam::123456789012:role/r", RoleSessionName: "a b"}, `"a b"`},
		{"profile", awsx.Settings{Region: "us-east-1", Profile: "missing"}, `"missing"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "region from env" {
				t.Setenv("AWS_REGION", "nowhere")
			}
			_, err := awsx.Load(context.Background(), tc.s)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %s", err, tc.want)
			}
		})
	}
}

func TestLoadProfileRegionAndEndpointFromEnv(t *testing.T) {
	isolate(t)
	cfgFile := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfgFile, []byte("[profile audit]\nregion = eu-west-2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfgFile)
	t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
	f, err := awsx.Load(context.Background(), awsx.Settings{Profile: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Region() != "eu-west-2" {
		t.Errorf("region = %q, want the profile's eu-west-2", f.Region())
	}
	if f.Endpoint() != "http://127.0.0.1:1" {
		t.Errorf("endpoint = %q, want AWS_ENDPOINT_URL", f.Endpoint())
	}
	if !f.S3("").Options().UsePathStyle {
		t.Error("S3 is not path-style with an endpoint set")
	}
	f2, err := awsx.Load(context.Background(), awsx.Settings{Profile: "audit", Region: "us-west-2", EndpointURL: "http://127.0.0.1:2"})
	if err != nil {
		t.Fatal(err)
	}
	if f2.Region() != "us-west-2" || f2.Endpoint() != "http://127.0.0.1:2" {
		t.Errorf("flags did not win: region %q endpoint %q", f2.Region(), f2.Endpoint())
	}
	if got := f2.Config(); got.RetryMode != aws.RetryModeStandard || got.RetryMaxAttempts != awsx.DefaultRetryMaxAttempts {
		t.Errorf("retries = %q, %d; want standard, %d", got.RetryMode, got.RetryMaxAttempts, awsx.DefaultRetryMaxAttempts)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	f3, err := awsx.Load(context.Background(), awsx.Settings{Profile: "audit"})
	if err != nil {
		t.Fatal(err)
	}
	if got := f3.Config().RetryMaxAttempts; got != 2 {
		t.Errorf("AWS_MAX_ATTEMPTS=2 gave %d attempts", got)
	}
}

func TestClientsCachedPerRegion(t *testing.T) {
	f := awsx.FromConfig(aws.Config{Region: "us-east-1"})
	if f.S3("").Options().UsePathStyle {
		t.Error("S3 path-style without an endpoint")
	}
	var wg sync.WaitGroup
	got := make([]*cloudwatch.Client, 16)
	for i := range got {
		wg.Go(func() { got[i] = f.CloudWatch("eu-west-1") })
	}
	wg.Wait()
	for _, c := range got {
		if c != got[0] {
			t.Fatal("CloudWatch client not cached")
		}
	}
	if f.CloudWatch("") == got[0] || f.CloudWatch("").Options().Region != "us-east-1" {
		t.Error("the configured region's client is not its own")
	}
	if f.CloudTrail("ap-south-1").Options().Region != "ap-south-1" {
		t.Error("CloudTrail region not applied")
	}
	if f.IAM() != f.IAM() || f.STS() != f.STS() {
		t.Error("global clients not cached")
	}
}

// moto speaks the JSON protocol for CloudWatch, not CBOR; so must we.
func TestCloudWatchJSONAgainstMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, "us-east-1"))
	cw := f.CloudWatch("")
	_, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName:          aws.String("cloudtrail-changes"),
		MetricName:         aws.String("CloudTrailConfigChanges"),
		Namespace:          aws.String("CISBenchmark"),
		Statistic:          cwtypes.StatisticSum,
		Period:             aws.Int32(300),
		EvaluationPeriods:  aws.Int32(1),
		Threshold:          aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		ActionsEnabled:     aws.Bool(true),
		AlarmActions:       []string{"arn:aws:sns:us-east-1:123456789012:alerts"},
	})
	if err != nil {
		t.Fatalf("PutMetricAlarm: %v", err)
	}
	out, err := cw.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
	if err != nil {
		t.Fatalf("DescribeAlarms: %v", err)
	}
	if len(out.MetricAlarms) != 1 {
		t.Fatalf("got %d alarms, want 1", len(out.MetricAlarms))
	}
	a := out.MetricAlarms[0]
	if aws.ToString(a.MetricName) != "CloudTrailConfigChanges" || aws.ToFloat64(a.Threshold) != 1 ||
		a.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold ||
		!aws.ToBool(a.ActionsEnabled) || len(a.AlarmActions) != 1 {
		t.Errorf("alarm read back wrong: %+v", a)
	}
	// Errors decode to their codes.
	_, err = cw.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String("no-such-alarm"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test"),
	})
	var notFound *cwtypes.ResourceNotFound
	if !errors.As(err, &notFound) || notFound.ErrorCode() != "ResourceNotFound" {
		t.Errorf("SetAlarmState on a missing alarm: err = %v, want a typed ResourceNotFound", err)
	}
	// A query-compatible code that differs from its JSON shape name:
	// InvalidParameterValueException is "InvalidParameterValue" on the wire.
	_, err = cw.ListMetrics(ctx, &cloudwatch.ListMetricsInput{NextToken: aws.String("bogus")})
	var invalid *cwtypes.InvalidParameterValueException
	if !errors.As(err, &invalid) || invalid.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("ListMetrics with a bad token: err = %v, want a typed InvalidParameterValueException with code InvalidParameterValue", err)
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidParameterValue" {
		t.Errorf("smithy.APIError code = %v", err)
	}
}

func TestS3PathStyleAgainstMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, "us-east-1"))
	if _, err := f.S3("").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := f.S3("").HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("trail-logs")}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
}

func TestIdentityAgainstMoto(t *testing.T) {
	srv := motoserver.Shared(t)
	f := awsx.FromConfig(srv.Config(t, "us-east-1"))
	id, err := f.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != motoserver.Account || id.ARN == "" {
		t.Errorf("identity = %+v", id)
	}
}

// stsServer answers every call with status and body, counting the calls.
func stsServer(t *testing.T, status int, body string) (*awsx.Factory, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	f := awsx.FromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("k", "s", ""),
		BaseEndpoint: aws.String(srv.URL),
	})
	return f, &calls
}

// The caller is identified once per run, the audit's STS client included.
func TestIdentityMemoized(t *testing.T) {
	f, calls := stsServer(t, http.StatusOK, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
		`<Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDEXAMPLE</UserId><Account>123456789012</Account>`+
		`</GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
	ctx := context.Background()
	id, err := f.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := awsx.Identity{Account: "123456789012", ARN: "arn:aws:iam::123456789012:user/auditor", UserID: "AIDEXAMPLE"}
	if diff := cmp.Diff(want, id); diff != "" {
		t.Errorf("identity (-want +got):\n%s", diff)
	}
	out, err := f.AuditClients().STS().GetCallerIdentity(ctx, nil)
	if err != nil || aws.ToString(out.Account) != "123456789012" {
		t.Fatalf("audit STS = %v, %v; want the memoized identity", out, err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("GetCallerIdentity sent %d times, want 1", n)
	}
}

func TestAssumeRole(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.SetEnv(t, "us-east-1")
	ctx := context.Background()
	role := "arn:aws:iam::111122223333:role/trailwatch-audit"
	f, err := awsx.Load(ctx, awsx.Settings{AssumeRoleARN: role, ExternalID: "ext-1", RoleSessionName: "ci-run"})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	id, err := f.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "111122223333" || !strings.Contains(id.ARN, "trailwatch-audit/ci-run") {
		t.Errorf("identity = %+v, want the role's account and session", id)
	}
}

func TestAssumeRoleFailureNamesRole(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	// A closed port: the assumption fails at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	role := "arn:aws:iam::111122223333:role/missing"
	_, err = awsx.Load(context.Background(), awsx.Settings{Region: "us-east-1", EndpointURL: "http://" + addr, AssumeRoleARN: role, RetryMaxAttempts: 1})
	if err == nil || !strings.Contains(err.Error(), role) {
		t.Fatalf("err = %v, want it to name %s", err, role)
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		fn    func(string) error
		value string
		ok    bool
	}{
		{awsx.ValidateRegion, "us-east-1", true},
		{awsx.ValidateRegion, "us-gov-west-1", true},
		{awsx.ValidateRegion, "ap-southeast-5", true},
		{awsx.ValidateRegion, "eu-central-2", true},
		{awsx.ValidateRegion, "useast1", false},
		{awsx.ValidateRegion, "us-east", false},
		{awsx.ValidateRegion, "US-EAST-1", false},
		{awsx.ValidateRegion, "", false},
		{awsx.ValidateAccountID, "123456789012", true},
		{awsx.ValidateAccountID, "12345678901", false},
		{awsx.ValidateAccountID, "12345678901a", false},
		{awsx.ValidateRoleARN, "arn:aws:iam::123456789012:role/ops/Auditor", true},
		{awsx.ValidateRoleARN, "arn:aws-us-gov:iam::123456789012:role/a", true},
		{awsx.ValidateRoleARN, "arn:aws:iam::123456789012:user/a", false},
		{awsx.ValidateRoleARN, "arn:aws:iam::1234:role/a", false},
		{awsx.ValidateEndpointURL, "http://127.0.0.1:5000", true},
		{awsx.ValidateEndpointURL, "https://example.com", true},
		{awsx.ValidateEndpointURL, "127.0.0.1:5000", false},
		{awsx.ValidateEndpointURL, "ftp://x", false},
		{awsx.ValidateRoleSessionName, "trailwatch", true},
		{awsx.ValidateRoleSessionName, "a b", false},
		{awsx.ValidateExternalID, "Ext-123", true},
		{awsx.ValidateExternalID, "x", false},
	} {
		err := tc.fn(tc.value)
		if (err == nil) != tc.ok {
			t.Errorf("validate %q: err = %v, want ok=%v", tc.value, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tc.value+`"`) {
			t.Errorf("error %q does not name the value", err)
		}
	}
}

// A denial of sts:GetCallerIdentity is AWS's answer: asked once per run.
func TestIdentityDenialMemoized(t *testing.T) {
	f, calls := stsServer(t, http.StatusForbidden,
		`<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	ctx := context.Background()
	for range 3 {
		_, err := f.Identity(ctx)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			t.Fatalf("err = %v, want AccessDenied", err)
		}
	}
	if _, err := f.AuditClients().STS().GetCallerIdentity(ctx, nil); err == nil {
		t.Fatal("audit STS succeeded after a denial")
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("GetCallerIdentity sent %d times, want 1", n)
	}
}

// Connect loads and identifies the caller once: an answer from AWS (even a
// denial) lets the command go on and report what it could not read; no
// answer at all (no credentials, no connection) is one clear error.
func TestConnect(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "k")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "s")
	ctx := context.Background()

	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>no</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
	}))
	t.Cleanup(denied.Close)
	f, err := awsx.Connect(ctx, awsx.Settings{Region: "us-east-1", EndpointURL: denied.URL, RetryMaxAttempts: 1})
	if err != nil || f == nil {
		t.Fatalf("Connect with a denial = %v, %v; want the factory (the audit reports the denial)", f, err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = awsx.Connect(ctx, awsx.Settings{Region: "us-east-1", EndpointURL: "http://" + addr, RetryMaxAttempts: 1})
	if err == nil || !strings.Contains(err.Error(), "sts:GetCallerIdentity") {
		t.Fatalf("Connect with no answer = %v, want an error naming sts:GetCallerIdentity", err)
	}

	if _, err := awsx.Connect(ctx, awsx.Settings{Region: "US_EAST"}); err == nil || !strings.Contains(err.Error(), "US_EAST") {
		t.Fatalf("Connect with a bad region = %v", err)
	}
}

func TestAssumeFromFactory(t *testing.T) {
	srv := motoserver.Shared(t)
	srv.SetEnv(t, "us-east-1")
	ctx := context.Background()
	base, err := awsx.Load(ctx, awsx.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	role := chain.RoleARN("aws", "210987654321", "OrganizationAccountAccessRole")
	f, err := base.Assume(ctx, role, "ext-1", "org-run")
	if err != nil {
		t.Fatalf("Assume: %v", err)
	}
	// Calls are tracked once, not again for each role assumed.
	if got, want := len(f.Config().APIOptions), len(base.Config().APIOptions); got != want {
		t.Errorf("the assumed factory has %d API options, the base %d", got, want)
	}
	id, err := f.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.Account != "210987654321" || !strings.Contains(id.ARN, "OrganizationAccountAccessRole/org-run") {
		t.Errorf("identity = %+v, want the role's account and session", id)
	}
	if bid, err := base.Identity(ctx); err != nil || bid.Account != motoserver.Account {
		t.Errorf("base identity = %+v, %v: Assume must not change the caller's factory", bid, err)
	}
	if f.Region() != base.Region() || f.Endpoint() != base.Endpoint() {
		t.Errorf("region/endpoint %s %s, want the base's %s %s", f.Region(), f.Endpoint(), base.Region(), base.Endpoint())
	}
	if _, err := base.Assume(ctx, "arn:aws:iam::1:role/x", "", ""); err == nil || !strings.Contains(err.Error(), "invalid role ARN") {
		t.Errorf("bad ARN: err = %v", err)
	}
}

func TestAssumeFailureNamesRole(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	// STS answers every AssumeRole with AccessDenied, as AWS does when the
	// role's trust policy does not name the caller.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/x is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/Nope</Message></Error></ErrorResponse>`)
	}))
	defer srv.Close()
	base, err := awsx.Load(context.Background(), awsx.Settings{Region: "us-east-1", EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	role := "arn:aws:iam::210987654321:role/Nope"
	_, err = base.Assume(context.Background(), role, "", "")
	if err == nil || !strings.Contains(err.Error(), role) || !strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("err = %v, want it to name %s and AccessDenied", err, role)
	}
}

// The ARNs of roles other accounts are reached through pass the check
// Assume makes.
func TestRoleARNValidates(t *testing.T) {
	for _, arn := range []string{chain.RoleARN("aws", "123456789012", "OrganizationAccountAccessRole"), chain.RoleARN("aws-us-gov", "123456789012", "audit/trailwatch")} {
		if err := awsx.ValidateRoleARN(arn); err != nil {
			t.Error(err)
		}
	}
}

// The SDK's own log lines ("WARN falling back to IMDSv1" when there are no
// credentials) must not reach the user's terminal.
func TestLoadSilencesSDKLog(t *testing.T) {
	isolate(t)
	f, err := awsx.Load(context.Background(), awsx.Settings{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := f.Config().Logger.(logging.Nop); !ok {
		t.Errorf("the SDK logs through %T, want logging.Nop", f.Config().Logger)
	}
}
