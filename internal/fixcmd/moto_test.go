package fixcmd_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/audit/pattern"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

const region = "us-east-1"

// world is one test's emulated account behind a proxy that records every
// AWS operation the CLI sends.
type world struct {
	t   *testing.T
	srv *motoserver.Server
	f   *awsx.Factory // direct to moto, for building states and checking
	ctx context.Context
	id  string

	proxy string
	mu    sync.Mutex
	ops   []string
	// pending makes SNS show every subscription whose endpoint contains
	// "pending" as unconfirmed, as AWS does for an email nobody confirmed
	// (moto confirms every subscription at once).
	pending bool
}

func newWorld(t *testing.T) *world {
	t.Helper()
	srv := motoserver.Shared(t)
	srv.SetEnv(t, region)
	w := &world{t: t, srv: srv, f: awsx.FromConfig(srv.Config(t, region)), ctx: context.Background()}
	id, err := w.f.Identity(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.id = id.Account
	w.proxy = w.recorder(srv.URL)
	return w
}

var (
	targetOp = regexp.MustCompile(`\.([A-Za-z]+)$`)
	actionOp = regexp.MustCompile(`(?:^|&)Action=([A-Za-z]+)`)
	writeOp  = regexp.MustCompile(`^(Create|Put|Update|Start|Stop|Set|Subscribe|Tag|Untag|Delete|Attach|Detach|Add|Remove)`)
	// restWrite: an S3 (REST) request that changes something.
	restWrite = regexp.MustCompile(`^(PUT|POST|DELETE|PATCH) `)
)

// recorder is a reverse proxy in front of moto that logs each request's
// operation name (X-Amz-Target for JSON protocols, Action= for query ones).
func (w *world) recorder(backend string) string {
	u, _ := url.Parse(backend)
	rp := httputil.NewSingleHostReverseProxy(u)
	member := regexp.MustCompile(`(?s)<member>.*?</member>`)
	subARN := regexp.MustCompile(`<SubscriptionArn>[^<]*</SubscriptionArn>`)
	rp.ModifyResponse = func(resp *http.Response) error {
		w.mu.Lock()
		pending := w.pending
		w.mu.Unlock()
		op := resp.Request.Header.Get("X-Test-Op")
		if !pending || (op != "ListSubscriptionsByTopic" && op != "Subscribe" && op != "ListSubscriptions") {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if op == "Subscribe" {
			if strings.Contains(resp.Request.Header.Get("X-Test-Body"), "pending") {
				body = subARN.ReplaceAll(body, []byte("<SubscriptionArn>pending confirmation</SubscriptionArn>"))
			}
		} else {
			body = member.ReplaceAllFunc(body, func(m []byte) []byte {
				if bytes.Contains(m, []byte("pending")) {
					return subARN.ReplaceAll(m, []byte("<SubscriptionArn>PendingConfirmation</SubscriptionArn>"))
				}
				return m
			})
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Del("Content-Length")
		return nil
	}
	h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := ""
		if m := targetOp.FindStringSubmatch(r.Header.Get("X-Amz-Target")); m != nil {
			op = m[1]
		} else if m := actionOp.FindStringSubmatch(string(body)); m != nil {
			op = m[1]
		} else {
			op = r.Method + " " + r.URL.Path
			if r.URL.RawQuery != "" {
				op += "?" + r.URL.RawQuery
			}
		}
		w.mu.Lock()
		w.ops = append(w.ops, op)
		w.mu.Unlock()
		r.Header.Set("X-Test-Op", op)
		if op == "Subscribe" {
			r.Header.Set("X-Test-Body", string(body))
		}
		rp.ServeHTTP(rw, r)
	})
	s := httptest.NewServer(h)
	w.t.Cleanup(s.Close)
	return s.URL
}

func (w *world) writes() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, op := range w.ops {
		if writeOp.MatchString(op) || restWrite.MatchString(op) {
			out = append(out, op)
		}
	}
	return out
}

func (w *world) resetOps() {
	w.mu.Lock()
	w.ops = nil
	w.mu.Unlock()
}

type run struct {
	code        int
	out, errOut string
}

// cli runs trailwatch in process through the recording proxy.
func (w *world) cli(tty bool, args ...string) run {
	w.t.Helper()
	code, out, errOut := testaccount.Run(context.Background(), 2*time.Minute, tty, append(args, "--endpoint-url", w.proxy)...)
	return run{code, out, errOut}
}

func (w *world) must(err error, what string) {
	w.t.Helper()
	if err != nil {
		w.t.Fatalf("build state: %s: %v", what, err)
	}
}

// ---- account states ----

type state struct {
	notLogging    bool
	selectors     []cttypes.EventSelector
	noLogs        bool
	noFilter      bool
	noAlarm       bool
	alarmDisabled bool
	noSub         bool
}

const (
	group  = "ct-logs"
	metric = "TrailChanges"
	ns     = "Security"
)

// build makes a chain broken as s says and returns the trail ARN.
func (w *world) build(s state) string {
	w.t.Helper()
	bucket := "trail-logs-" + w.id
	_, err := w.f.S3(region).CreateBucket(w.ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)})
	w.must(err, "CreateBucket")
	in := &cloudtrail.CreateTrailInput{Name: aws.String("main"), S3BucketName: aws.String(bucket),
		IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true)}
	if !s.noLogs {
		_, err := w.f.Logs(region).CreateLogGroup(w.ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
		w.must(err, "CreateLogGroup")
		in.CloudWatchLogsLogGroupArn = aws.String("arn:aws:logs:" + region + ":" + w.id + ":log-group:" + group + ":*")
		in.CloudWatchLogsRoleArn = aws.String("arn:aws:iam::" + w.id + ":role/ct-to-logs")
	}
	ct := w.f.CloudTrail(region)
	out, err := ct.CreateTrail(w.ctx, in)
	w.must(err, "CreateTrail")
	if s.selectors != nil {
		_, err := ct.PutEventSelectors(w.ctx, &cloudtrail.PutEventSelectorsInput{TrailName: aws.String("main"), EventSelectors: s.selectors})
		w.must(err, "PutEventSelectors")
	}
	if !s.notLogging {
		_, err := ct.StartLogging(w.ctx, &cloudtrail.StartLoggingInput{Name: aws.String("main")})
		w.must(err, "StartLogging")
	}
	if s.noLogs || s.noFilter {
		return aws.ToString(out.TrailARN)
	}
	_, err = w.f.Logs(region).PutMetricFilter(w.ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String(group),
		FilterName: aws.String("ct-changes"), FilterPattern: aws.String(pattern.CIS),
		MetricTransformations: []cwltypes.MetricTransformation{{MetricName: aws.String(metric), MetricNamespace: aws.String(ns), MetricValue: aws.String("1")}}})
	w.must(err, "PutMetricFilter")
	if s.noAlarm {
		return aws.ToString(out.TrailARN)
	}
	topic, err := w.f.SNS(region).CreateTopic(w.ctx, &sns.CreateTopicInput{Name: aws.String("secops")})
	w.must(err, "CreateTopic")
	if !s.noSub {
		_, err := w.f.SNS(region).Subscribe(w.ctx, &sns.SubscribeInput{TopicArn: topic.TopicArn, Protocol: aws.String("https"), Endpoint: aws.String("https://hooks.example.com/x")})
		w.must(err, "Subscribe")
	}
	w.alarm("ct-changes-alarm", metric, !s.alarmDisabled, []string{aws.ToString(topic.TopicArn)})
	return aws.ToString(out.TrailARN)
}

func (w *world) alarm(name, metricName string, enabled bool, actions []string) {
	w.t.Helper()
	_, err := w.f.CloudWatch(region).PutMetricAlarm(w.ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name),
		MetricName: aws.String(metricName), Namespace: aws.String(ns), Statistic: cwtypes.StatisticSum, Period: aws.Int32(300),
		EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		TreatMissingData: aws.String("notBreaching"), ActionsEnabled: aws.Bool(enabled), AlarmActions: actions})
	w.must(err, "PutMetricAlarm "+name)
}

var dataSelector = cttypes.EventSelector{IncludeManagementEvents: aws.Bool(false), ReadWriteType: cttypes.ReadWriteTypeAll,
	DataResources: []cttypes.DataResource{{Type: aws.String("AWS::S3::Object"), Values: []string{"arn:aws:s3:::payroll/"}}}}

var queueARN = "arn:aws:sqs:" + region + ":123456789012:alerts"

func gapsOf(out string) string {
	m := regexp.MustCompile(`"code": "([A-Z_]+)"`).FindAllStringSubmatch(out, -1)
	var c []string
	for _, x := range m {
		c = append(c, x[1])
	}
	return strings.Join(c, ",")
}
