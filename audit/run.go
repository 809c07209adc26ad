package audit

import (
	"context"
	"errors"
	"sort"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options tunes the audit.
type Options struct {
	// Strict also requires the literal CIS filter pattern (whitespace,
	// quoting and the order of the five terms aside), as Security Hub
	// CloudWatch.5 does. Without it a filter that covers the five events in
	// another way passes with a warning.
	Strict bool
}

// Run audits the account that c reaches and returns the report. It only
// reads.
//
// Reads happen in at most three sequential rounds, each round's calls
// concurrently, and no call is made twice with the same parameters:
//
//  1. sts:GetCallerIdentity and cloudtrail:DescribeTrails (shadow trails included);
//  2. per multi-region trail, in its home region: GetTrailStatus and
//     GetEventSelectors; per log group named by those trails, in the log
//     group's region: DescribeMetricFilters; per log-group region:
//     DescribeAlarms (every metric alarm, paginated, once per region);
//  3. per SNS topic that an alarm on a passing filter's metric notifies, in
//     the topic's region: GetTopicAttributes and ListSubscriptionsByTopic.
//
// A read that is denied or fails after the SDK's retries makes its link
// unknown rather than missing. Without the account id (GetCallerIdentity
// failed), whether a log group is this account's cannot be told, so the
// metric filter and everything after it are unknown and the verdict is never
// compliant. Run returns an error only when ctx ends.
func Run(ctx context.Context, c Clients, opts Options) (*Report, error) {
	g := &gathered{region: c.Region()}
	if err := g.gather(ctx, c, opts); err != nil {
		return nil, err
	}
	return evaluate(g, opts), nil
}

// result is one read's outcome.
type result[T any] struct {
	v   T
	err error
}

type trailData struct {
	t         cttypes.Trail
	arn       string
	owner     string // account in the trail's ARN
	home      string
	lg        *LogGroupFacts // nil when unset or unparseable
	lgErr     string         // why the log group ARN does not parse
	status    result[*cloudtrail.GetTrailStatusOutput]
	selectors result[*cloudtrail.GetEventSelectorsOutput]
}

type lgKey struct{ region, account, name string }

type topicData struct {
	arn    string
	region string
	owner  string
	attrs  result[map[string]string]
	subs   result[[]snstypes.Subscription]
}

// gathered is everything the audit read, before any judgement.
type gathered struct {
	region     string
	account    string
	accountErr error
	trailsErr  error
	trails     []*trailData // multi-region candidates, sorted by ARN
	single     []string     // single-region trail names, sorted
	filters    map[lgKey]*result[[]cwltypes.MetricFilter]
	alarms     map[string]*result[[]cwtypes.MetricAlarm] // by region
	topics     map[string]*topicData
	fevals     map[lgKey][]*filterEval
}

func (g *gathered) gather(ctx context.Context, c Clients, opts Options) error {
	// Round 1.
	var wg sync.WaitGroup
	var trails []cttypes.Trail
	wg.Go(func() {
		out, err := c.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		switch {
		case err != nil:
			g.accountErr = err
		case aws.ToString(out.Account) == "":
			g.accountErr = errors.New("GetCallerIdentity answered without an account id")
		default:
			g.account = aws.ToString(out.Account)
		}
	})
	wg.Go(func() {
		out, err := c.CloudTrail(g.region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
		if err != nil {
			g.trailsErr = err
			return
		}
		trails = out.TrailList
	})
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}

	seen := map[string]bool{}
	for _, t := range trails {
		arn := aws.ToString(t.TrailARN)
		key := arn
		if key == "" {
			key = aws.ToString(t.Name)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		if !aws.ToBool(t.IsMultiRegionTrail) {
			g.single = append(g.single, aws.ToString(t.Name))
			continue
		}
		td := &trailData{t: t, arn: arn, home: aws.ToString(t.HomeRegion)}
		if td.home == "" {
			td.home = g.region
		}
		if a, err := parseARN(arn); err == nil {
			td.owner = a.AccountID
		}
		if s := aws.ToString(t.CloudWatchLogsLogGroupArn); s != "" {
			lg, err := ParseLogGroupARN(s)
			if err != nil {
				td.lgErr = err.Error()
			} else {
				td.lg = lg
			}
		}
		g.trails = append(g.trails, td)
	}
	sort.Slice(g.trails, func(i, j int) bool { return g.trails[i].key() < g.trails[j].key() })
	sort.Strings(g.single)

	// Round 2.
	g.filters = map[lgKey]*result[[]cwltypes.MetricFilter]{}
	g.alarms = map[string]*result[[]cwtypes.MetricAlarm]{}
	for _, td := range g.trails {
		wg.Go(func() {
			out, err := c.CloudTrail(td.home).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(td.ident())})
			td.status = result[*cloudtrail.GetTrailStatusOutput]{out, err}
		})
		wg.Go(func() {
			out, err := c.CloudTrail(td.home).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(td.ident())})
			td.selectors = result[*cloudtrail.GetEventSelectorsOutput]{out, err}
		})
		if td.lg == nil || g.foreign(td.lg.Account) || g.accountErr != nil {
			// Another account's log group cannot be read from here, and
			// without the account id a read by name could reach this
			// account's log group of the same name: neither is read.
			continue
		}
		k := lgKey{td.lg.Region, td.lg.Account, td.lg.Name}
		if _, ok := g.filters[k]; !ok {
			r := &result[[]cwltypes.MetricFilter]{}
			g.filters[k] = r
			wg.Go(func() { r.v, r.err = readFilters(ctx, c.Logs(k.region), k.name) })
		}
		if _, ok := g.alarms[k.region]; !ok {
			r := &result[[]cwtypes.MetricAlarm]{}
			g.alarms[k.region] = r
			wg.Go(func() { r.v, r.err = readAlarms(ctx, c.CloudWatch(k.region)) })
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}

	// Round 3: the topics of alarms on passing filters' metrics.
	g.evalFilters(opts.Strict)
	g.topics = map[string]*topicData{}
	for _, td := range g.trails {
		for _, f := range g.passingFilters(td) {
			for _, a := range g.alarmsOn(td, f) {
				for _, t := range snsTopics(a.AlarmActions) {
					if _, ok := g.topics[t]; ok || !sameRegion(t, td.lg.Region) {
						continue // CloudWatch cannot publish to another region's topic
					}
					tp := &topicData{arn: t}
					if a, err := parseARN(t); err == nil {
						tp.region, tp.owner = a.Region, a.AccountID
					}
					if tp.region == "" {
						tp.region = g.region
					}
					g.topics[t] = tp
					wg.Go(func() {
						out, err := c.SNS(tp.region).GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(tp.arn)})
						tp.attrs.err = err
						if err == nil {
							tp.attrs.v = out.Attributes
						}
					})
					wg.Go(func() { tp.subs.v, tp.subs.err = readSubscriptions(ctx, c.SNS(tp.region), tp.arn) })
				}
			}
		}
	}
	wg.Wait()
	return ctx.Err()
}

// foreign reports whether account is known to differ from the audited one.
func (g *gathered) foreign(account string) bool {
	return g.account != "" && account != "" && account != g.account
}

func (td *trailData) key() string {
	if td.arn != "" {
		return td.arn
	}
	return aws.ToString(td.t.Name)
}

// ident names the trail in CloudTrail calls: the ARN, which works for shadow
// and organization trails too.
func (td *trailData) ident() string { return td.key() }

func (td *trailData) name() string {
	if n := aws.ToString(td.t.Name); n != "" {
		return n
	}
	return td.arn
}

func readFilters(ctx context.Context, c LogsAPI, group string) ([]cwltypes.MetricFilter, error) {
	var all []cwltypes.MetricFilter
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String(group)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, out.MetricFilters...)
	}
	return all, nil
}

func readAlarms(ctx context.Context, c CloudWatchAPI) ([]cwtypes.MetricAlarm, error) {
	var all []cwtypes.MetricAlarm
	p := cloudwatch.NewDescribeAlarmsPaginator(c, &cloudwatch.DescribeAlarmsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, out.MetricAlarms...)
	}
	return all, nil
}

func readSubscriptions(ctx context.Context, c SNSAPI, topic string) ([]snstypes.Subscription, error) {
	var all []snstypes.Subscription
	p := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Subscriptions...)
	}
	return all, nil
}
