package hardening

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
	"github.com/trailwatch/trailwatch/plan"
)

// Issue 16: a rerun finishes what an interrupted or concurrent run
// started, and adopts what trailwatch made instead of working around it.

// inventory counts what trailwatch made in the account: one of each is
// the goal, however many runs made it.
type inventory struct {
	Buckets, LogGroups, Roles, Trails, Filters, Topics, Alarms int
}

func takeInventory(t *testing.T, srv *motoserver.Server) inventory {
	t.Helper()
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, home))
	var inv inventory
	bs, err := f.S3(home).ListBuckets(ctx, &s3.ListBucketsInput{})
	must(t, err)
	for _, b := range bs.Buckets {
		if strings.HasPrefix(aws.ToString(b.Name), "trailwatch-cloudtrail-") {
			inv.Buckets++
		}
	}
	gs, err := f.Logs(home).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(plan.DefaultLogGroupName)})
	must(t, err)
	inv.LogGroups = len(gs.LogGroups)
	rs, err := f.IAM().ListRoles(ctx, &iam.ListRolesInput{})
	must(t, err)
	for _, r := range rs.Roles {
		if strings.HasPrefix(aws.ToString(r.RoleName), plan.DefaultRoleName) {
			inv.Roles++
		}
	}
	ts, err := f.CloudTrail(home).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	must(t, err)
	for _, tr := range ts.TrailList {
		if aws.ToBool(tr.IsMultiRegionTrail) {
			inv.Trails++
		}
	}
	// moto adds a second filter when one is put under an existing name
	// (AWS replaces it): count names.
	names := map[string]bool{}
	for _, g := range gs.LogGroups {
		fs, err := f.Logs(home).DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: g.LogGroupName})
		must(t, err)
		for _, x := range fs.MetricFilters {
			names[aws.ToString(x.FilterName)] = true
		}
	}
	inv.Filters = len(names)
	tops, err := f.SNS(home).ListTopics(ctx, &sns.ListTopicsInput{})
	must(t, err)
	for _, tp := range tops.Topics {
		if strings.Contains(aws.ToString(tp.TopicArn), ":"+plan.DefaultTopicName) {
			inv.Topics++
		}
	}
	as, err := f.CloudWatch(home).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNamePrefix: aws.String(plan.DefaultAlarmName)})
	must(t, err)
	inv.Alarms = len(as.MetricAlarms)
	return inv
}

var oneOfEach = inventory{1, 1, 1, 1, 1, 1, 1}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func emptyAccountCompliant(t *testing.T, srv *motoserver.Server) {
	t.Helper()
	if res, r := runAudit(t, srv.URL); res.code != 0 {
		t.Fatalf("audit: exit %d, verdict %s, gaps %+v\n%s", res.code, verdict(r), r.Gaps, res.stderr)
	}
	if got := takeInventory(t, srv); got != oneOfEach {
		t.Errorf("made %+v, want one of each", got)
	}
}

// A bucket with trailwatch's exact name, in this account, empty, untagged
// and without a policy can only be an interrupted trailwatch run's: it is
// adopted, not skipped for a -2.
func TestInterruptedBucketAdopted(t *testing.T) {
	srv := motoserver.Shared(t)
	f := awsx.FromConfig(srv.Config(t, home))
	id, err := f.Identity(t.Context())
	must(t, err)
	_, err = f.S3(home).CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(plan.DefaultBucketName(id.Account, home))})
	must(t, err)
	res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", srv.URL)
	if res.code != 0 || !strings.Contains(res.stdout, "adopted") {
		t.Fatalf("fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	emptyAccountCompliant(t, srv)
	tags, err := f.S3(home).GetBucketTagging(t.Context(), &s3.GetBucketTaggingInput{Bucket: aws.String(plan.DefaultBucketName(id.Account, home))})
	must(t, err)
	if !chain.Managed(chain.S3Tags(tags.TagSet)) {
		t.Error("the adopted bucket is not tagged")
	}
}

// An answer lost after the create happened: the SDK retries, and the retry
// meets "already exists" (or, for idempotent calls, the same result). Each
// create of a bootstrap in turn: the run still ends compliant with one of
// each resource.
func TestLostAnswerOnEachCreate(t *testing.T) {
	for _, op := range []string{"PUT /trailwatch-cloudtrail-", "logs:CreateLogGroup", "iam:CreateRole", "cloudtrail:CreateTrail",
		"sns:CreateTopic", "sns:Subscribe", "logs:PutMetricFilter", "cloudwatch:PutMetricAlarm"} {
		t.Run(op, func(t *testing.T) {
			srv := motoserver.Shared(t)
			p := faultproxy.Start(t, srv.URL)
			rule := faultproxy.On(op).First(1).LoseAnswer()
			p.Add(rule)
			res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", p.URL)
			if res.code != 0 {
				t.Fatalf("fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
			}
			if rule.Fired() != 1 {
				t.Fatalf("the answer to %s was lost %d times, want 1", op, rule.Fired())
			}
			emptyAccountCompliant(t, srv)
		})
	}
}

// Two fix --yes at once (a pipeline retried, two operators), from an empty
// account and from one a failed run half built: both end well, with one of
// each resource and a compliant account. A race, so it runs many times.
func TestConcurrentFixes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs many pairs")
	}
	bin := testaccount.Binary(t)
	for _, start := range []string{"empty", "half built"} {
		for i := range 20 {
			t.Run(fmt.Sprintf("%s/%02d", start, i), func(t *testing.T) {
				srv := motoserver.Shared(t)
				if start == "half built" {
					// A first run stopped at the trail: bucket, log group and
					// role exist.
					p := faultproxy.Start(t, srv.URL)
					p.Add(faultproxy.On("cloudtrail:CreateTrail").Deny())
					if res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", p.URL); res.code != 1 {
						t.Fatalf("the half-building run: exit %d", res.code)
					}
				}
				var wg sync.WaitGroup
				codes := make([]int, 2)
				outs := make([]bytes.Buffer, 2)
				for k := range 2 {
					wg.Go(func() {
						ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
						defer cancel()
						cmd := exec.CommandContext(ctx, bin, "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", srv.URL)
						cmd.Stdout, cmd.Stderr = &outs[k], &outs[k]
						if err := cmd.Run(); err != nil {
							var exit *exec.ExitError
							if ok := asExit(err, &exit); !ok {
								codes[k] = -1
								return
							}
							codes[k] = exit.ExitCode()
						}
					})
				}
				wg.Wait()
				for k, c := range codes {
					if c != 0 {
						t.Errorf("run %d: exit %d\n%s", k, c, outs[k].String())
					}
				}
				emptyAccountCompliant(t, srv)
			})
		}
	}
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

// A repair of trailwatch's own alarm changes only the settings that keep
// it from firing: an OK action and the evaluation periods the user added
// stay.
func TestRepairKeepsWhatTheUserAdded(t *testing.T) {
	srv := motoserver.Shared(t)
	if res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", srv.URL); res.code != 0 {
		t.Fatalf("bootstrap: exit %d\n%s", res.code, res.stderr)
	}
	cw := awsx.FromConfig(srv.Config(t, home)).CloudWatch(home)
	out, err := cw.DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{plan.DefaultAlarmName}})
	must(t, err)
	a := out.MetricAlarms[0]
	okTopic := "arn:aws:sns:us-east-1:123456789012:ops-ok"
	_, err = cw.PutMetricAlarm(t.Context(), &cloudwatch.PutMetricAlarmInput{AlarmName: a.AlarmName, AlarmDescription: aws.String("ours, with the team's additions"),
		MetricName: a.MetricName, Namespace: a.Namespace, Statistic: a.Statistic, Period: a.Period,
		EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(1), Threshold: aws.Float64(1000),
		ComparisonOperator: a.ComparisonOperator, TreatMissingData: a.TreatMissingData, ActionsEnabled: aws.Bool(true),
		AlarmActions: a.AlarmActions, OKActions: []string{okTopic}})
	must(t, err)
	res := run(t, t.Context(), "fix", "--yes", "--endpoint-url", srv.URL)
	if res.code != 0 || !strings.Contains(res.stdout, "~ update cloudwatch_metric_alarm") {
		t.Fatalf("fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	out, err = cw.DescribeAlarms(t.Context(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{plan.DefaultAlarmName}})
	must(t, err)
	got := out.MetricAlarms[0]
	if aws.ToFloat64(got.Threshold) != 1 || aws.ToInt32(got.EvaluationPeriods) != 3 || aws.ToInt32(got.DatapointsToAlarm) != 1 ||
		!slices.Equal(got.OKActions, []string{okTopic}) || aws.ToString(got.AlarmDescription) != "ours, with the team's additions" ||
		got.ComparisonOperator != cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold {
		t.Errorf("repaired alarm: threshold %v, %d of %d, OK actions %v, description %q", aws.ToFloat64(got.Threshold),
			aws.ToInt32(got.DatapointsToAlarm), aws.ToInt32(got.EvaluationPeriods), got.OKActions, aws.ToString(got.AlarmDescription))
	}
}

// Merging into someone else's topic policy keeps what they wrote: a policy
// with no Version (where ${aws:username} is text, not a variable), and with
// & < > in it, comes back with its Version absent and its statement as it
// was.
func TestTopicPolicyMergeKeepsForeignText(t *testing.T) {
	srv := motoserver.Shared(t)
	c := buildChain(t, srv, testaccount.Chain{NoAlarm: true})
	stmt := `{"Sid":"Team & <partners>","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sns:Subscribe","Resource":"*","Condition":{"StringEquals":{"sns:Endpoint":"ops+${aws:username}@example.com"}}}`
	f := awsx.FromConfig(srv.Config(t, home))
	_, err := f.SNS(home).SetTopicAttributes(t.Context(), &sns.SetTopicAttributesInput{TopicArn: aws.String(c.TopicARN),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(`{"Statement":[` + stmt + `]}`)})
	must(t, err)
	res := run(t, t.Context(), "fix", "--yes", "--topic-arn", c.TopicARN, "--endpoint-url", srv.URL)
	if res.code != 0 {
		t.Fatalf("fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	attrs, err := f.SNS(home).GetTopicAttributes(t.Context(), &sns.GetTopicAttributesInput{TopicArn: aws.String(c.TopicARN)})
	must(t, err)
	pol := attrs.Attributes["Policy"]
	if !strings.Contains(pol, stmt) || strings.Contains(pol, `"Version"`) || !strings.Contains(pol, plan.TopicStatementSid) {
		t.Errorf("merged policy:\n%s\nwant the team's statement byte for byte, no Version, and trailwatch's statement", pol)
	}
}
