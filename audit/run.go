package audit

import (
	"context"
	"errors"
	"slices"
	"sort"
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
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/safe"
)

// Options tunes the audit.
type Options struct {
	// Strict also requires the literal CIS filter pattern (whitespace,
	// quoting and the order of the terms aside), as Security Hub does.
	// Without it a filter that covers the events in another way passes with
	// a warning.
	Strict bool
	// Control is the control audited (zero: CIS 4.5).
	Control chain.Control
	// Names are the names trailwatch gives what it creates, so the audit
	// recognises trailwatch's own filter, alarm and topic; empty fields
	// take the control's defaults.
	Names chain.Names
	// Reach returns clients for another account: the one an organization
	// trail's chain lives in, or the owner of a topic in a third account
	// (the central Security topic). nil: the audit reads only through c,
	// and what lives elsewhere is unknown unless its policy lets c read it.
	Reach func(ctx context.Context, account string) (Clients, error)
	// Now is the audit's clock (nil: time.Now), for how old the trail's
	// last delivery is.
	Now func() time.Time
	// Trail limits the audit to the trail with this ARN: the owner-account
	// half of a covered account's audit.
	Trail string
	// Owners, when set, supplies the owner account's report of a covering
	// trail's chain (Run with opts) instead of Run reaching the account and
	// auditing it itself: a run over an organization audits each chain
	// once and judges every member it covers by that report.
	Owners func(ctx context.Context, cov *CoveredBy, opts Options) (*Report, error)

	// rounds lines up the read rounds of the audits RunControls runs at
	// once, so that their shared reads overlap.
	rounds *barrier
}

// staleDelivery is how old a last delivery to CloudWatch Logs may be before
// the audit warns.
const staleDelivery = 24 * time.Hour

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) withDefaults() Options {
	if o.Control.ID == "" {
		o.Control = chain.CloudTrailChanges()
	}
	o.Names = o.Names.Merge(o.Control.Defaults)
	return o
}

// Run audits the account that c reaches and returns the report. It only
// reads.
//
// Every resource that can exist on its own is looked at, whatever happened
// upstream of it, so a chain broken in one place reports that place only.
// Reads happen in three sequential rounds, each round's calls concurrently,
// and no call is made twice with the same parameters:
//
//  1. sts:GetCallerIdentity and cloudtrail:DescribeTrails (shadow trails
//     included);
//  2. per multi-region trail, in its home region: GetTrailStatus and
//     GetEventSelectors; per log group the trails name, in its region:
//     DescribeMetricFilters; for a trail that delivers to no log group,
//     the filters of its whole home region (to find the chain it was cut
//     from); per region involved: DescribeAlarms' first page (100 alarms)
//     and GetTopicAttributes of trailwatch's own topic; in a region with
//     more alarms than that, one or two more rounds find the alarms on the
//     filters' metrics without listing every one (alarms.go);
//  3. the tags of the alarms that bear on the control, and per SNS topic
//     they notify (and trailwatch's topic when it exists), in the topic's
//     region: GetTopicAttributes, ListSubscriptionsByTopic and its tags.
//
// A read that is denied or fails after the SDK's retries makes its link
// unknown rather than a gap. Without the account id (GetCallerIdentity
// failed), whether a log group is this account's cannot be told, so the
// metric filter and everything after it are unknown and the verdict is
// never compliant. Run returns an error only when ctx ends.
//
// An account whose chain lives in another account (a member covered by its
// organization's trail, whose log group is in the management account) is
// judged by that chain: the member proves what it can see (the trail, its
// logging, its delivery), and with opts.Reach the rest is read in the owner
// account, restricted to that trail. The owner account is the one the log
// group's ARN names; nothing is looked up by name in the member.
func Run(ctx context.Context, c Clients, opts Options) (*Report, error) {
	opts = opts.withDefaults()
	g := &gathered{region: c.Region(), opts: opts, reached: map[string]*reach{}}
	if opts.rounds != nil {
		// An audit that ends early, or errs, stops holding the others.
		defer opts.rounds.leave()
	}
	if opts.Control.Hub {
		return runHub(ctx, c, opts)
	}
	if err := g.gather(ctx, c); err != nil {
		return nil, err
	}
	r := g.final
	if r == nil {
		r = g.report()
	}
	if opts.Trail != "" || r.CoveredBy == nil || (opts.Reach == nil && opts.Owners == nil) {
		return r, nil
	}
	return g.throughOwner(ctx, r)
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
	lgARN     string
	lg        *chain.LogGroup // nil when unset or unparseable
	status    result[*cloudtrail.GetTrailStatusOutput]
	selectors result[*cloudtrail.GetEventSelectorsOutput]
}

type lgKey struct{ region, account, name string }

func keyOf(lg chain.LogGroup) lgKey { return lgKey{lg.Region, lg.Account, lg.Name} }

// groupData is one log group's filters, read and judged.
type groupData struct {
	lg      chain.LogGroup
	filters result[[]cwltypes.MetricFilter]
	judged  []chain.Filter // sorted by name
	found   bool           // found by a region-wide listing, not named by a trail
}

// regionData is what is read once per region.
type regionData struct {
	// alarms are the region's alarms: every one listed, or (byMetric) the
	// first page and DescribeAlarmsForMetric's answers (alarms.go).
	alarms   result[[]cwtypes.MetricAlarm]
	first    []cwtypes.MetricAlarm // DescribeAlarms' first page
	next     *string               // the token of the page after it, until read
	byMetric bool
	wide     *result[[]cwltypes.MetricFilter] // every filter in the region, when a trail delivers nowhere
	ownTopic *topicData                       // trailwatch's topic, probed by name
}

type topicData struct {
	arn, region string
	attrs       result[map[string]string]
	subs        result[[]snstypes.Subscription]
	tags        result[map[string]string]
	read        bool // subscriptions and tags were asked
	key         *keyData
}

// keyData is a topic's customer managed key: DescribeKey, then its policy.
type keyData struct {
	id, region string
	account    string // the key's account: its ARN's, else its topic's
	desc       result[*kmstypes.KeyMetadata]
	policy     result[string]
}

// gathered is everything the audit read.
type gathered struct {
	region     string
	opts       Options
	reachMu    sync.Mutex
	reached    map[string]*reach // by account
	account    string
	accountErr error
	caller     string
	trailsErr  error
	trails     []*trailData // multi-region, sorted by ARN
	single     []string     // single-region trail names, sorted
	groups     map[lgKey]*groupData
	regions    map[string]*regionData
	alarms     map[string][]chain.Alarm // by region: alarms that bear on the control
	alarmRaw   map[string]cwtypes.MetricAlarm
	// metricsInUse: metric IDs trailwatch might publish to that filters
	// or alarms about something else already use, by region.
	metricsInUse map[string][]string
	alarmTags    map[string]*result[map[string]string] // by alarm ARN
	topics       map[string]*topicData
	keys         map[string]*keyData // by region and key id
	// final is the report already built from everything read, when the
	// reads ended with it (confirmAlarms).
	final *Report
	// topicMemo holds the topics judged while a report is built.
	topicMemo map[topicFor]chain.Topic
}

func (g *gathered) gather(ctx context.Context, c Clients) error {
	// Round 1.
	var wg safe.Group
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
			g.caller = aws.ToString(out.Arn)
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
	if g.opts.Trail != "" {
		trails = slices.DeleteFunc(trails, func(t cttypes.Trail) bool { return aws.ToString(t.TrailARN) != g.opts.Trail })
	}
	g.sortTrails(trails)

	// Round 2.
	g.sync()
	g.groups = map[lgKey]*groupData{}
	g.regions = map[string]*regionData{}
	region := func(r string) *regionData {
		if rd, ok := g.regions[r]; ok {
			return rd
		}
		rd := &regionData{}
		g.regions[r] = rd
		wg.Go(func() {
			rd.first, rd.next, rd.alarms.err = readAlarmPages(ctx, c.CloudWatch(r), nil, false)
			rd.alarms.v = rd.first
		})
		if g.account != "" {
			arn := chain.TopicARN(chain.RegionPartition(r), r, g.account, g.opts.Names.Topic)
			rd.ownTopic = &topicData{arn: arn, region: r}
			wg.Go(func() { rd.ownTopic.attrs.v, rd.ownTopic.attrs.err = readAttrs(ctx, c.SNS(r), arn) })
		}
		return rd
	}
	for _, td := range g.trails {
		wg.Go(func() {
			out, err := c.CloudTrail(td.home).GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(td.key())})
			td.status = result[*cloudtrail.GetTrailStatusOutput]{out, err}
		})
		wg.Go(func() {
			out, err := c.CloudTrail(td.home).GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(td.key())})
			td.selectors = result[*cloudtrail.GetEventSelectorsOutput]{out, err}
		})
		if g.accountErr != nil {
			// Without the account id a read by name could reach this
			// account's log group of the same name as another's.
			continue
		}
		switch {
		case td.lg != nil && !g.foreign(td.lg.Account):
			k := keyOf(*td.lg)
			if _, ok := g.groups[k]; !ok {
				gd := &groupData{lg: *td.lg}
				g.groups[k] = gd
				wg.Go(func() { gd.filters.v, gd.filters.err = readFilters(ctx, c.Logs(k.region), k.name) })
			}
			region(td.lg.Region)
		case td.lgARN == "":
			rd := region(td.home)
			if rd.wide == nil {
				rd.wide = &result[[]cwltypes.MetricFilter]{}
				r := td.home
				wg.Go(func() { rd.wide.v, rd.wide.err = readFilters(ctx, c.Logs(r), "") })
			}
		}
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	g.judgeFilters()
	if err := g.gatherAlarms(ctx, c); err != nil {
		return err
	}
	g.sync()
	if err := g.readAlarmLinks(ctx, c); err != nil {
		return err
	}
	if err := g.readKeys(ctx, c); err != nil {
		return err
	}
	return g.confirmAlarms(ctx, c)
}

// readAlarmLinks is round 3: the tags of the alarms that bear on the
// control, the topics they notify, and trailwatch's own topic. What an
// earlier call read is not read again.
func (g *gathered) readAlarmLinks(ctx context.Context, c Clients) error {
	var wg safe.Group
	if g.alarmTags == nil {
		g.alarmTags = map[string]*result[map[string]string]{}
		g.topics = map[string]*topicData{}
	}
	readTopic := func(tp *topicData) {
		if tp.read {
			return
		}
		tp.read = true
		s := g.snsFor(ctx, c, tp.arn, tp.region)
		wg.Go(func() { tp.subs.v, tp.subs.err = readSubscriptions(ctx, s, tp.arn) })
		wg.Go(func() {
			out, err := s.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(tp.arn)})
			tp.tags.err = err
			if err == nil {
				tp.tags.v = chain.SNSTags(out.Tags)
			}
		})
	}
	for r, as := range g.alarms {
		for _, a := range as {
			if _, ok := g.alarmTags[a.ARN]; !ok && a.ARN != "" {
				res := &result[map[string]string]{}
				g.alarmTags[a.ARN] = res
				wg.Go(func() {
					out, err := c.CloudWatch(r).ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: aws.String(a.ARN)})
					res.err = err
					if err == nil {
						res.v = chain.CloudWatchTags(out.Tags)
					}
				})
			}
			// The topics of its OK and insufficient-data actions are read
			// too: they do not take the alarm's notification, but one with
			// a confirmed subscriber can be reused by the plan.
			for _, t := range chain.SNSTopics(slices.Concat(a.AlarmActions, a.OKActions, a.InsufficientData)) {
				if _, ok := g.topics[t]; ok {
					continue
				}
				tp := &topicData{arn: t, region: chain.RegionOf(t)}
				g.topics[t] = tp
				if tp.region != r {
					continue // CloudWatch cannot publish to another region's topic: nothing to read
				}
				if own := g.regions[r].ownTopic; own != nil && own.arn == t {
					g.topics[t] = own
					readTopic(own)
					continue
				}
				wg.Go(func() { tp.attrs.v, tp.attrs.err = readAttrs(ctx, g.snsFor(ctx, c, tp.arn, tp.region), tp.arn) })
				readTopic(tp)
			}
		}
	}
	for _, rd := range g.regions {
		if own := rd.ownTopic; own != nil && own.attrs.err == nil {
			g.topics[own.arn] = own
			readTopic(own)
		}
	}
	wg.Wait()
	return ctx.Err()
}

// readKeys reads the customer managed keys of the topics read (the two
// rounds after the topics', only when a topic is encrypted with one):
// DescribeKey, which takes the alias a topic names, then the key's policy
// by its ARN. A key an earlier call read is not read again.
func (g *gathered) readKeys(ctx context.Context, c Clients) error {
	if g.keys == nil {
		g.keys = map[string]*keyData{}
	}
	keys := map[string]*keyData{} // those not read yet
	for _, tp := range g.topics {
		id := tp.attrs.v["KmsMasterKeyId"]
		if tp.key != nil || !tp.read || tp.attrs.err != nil || id == "" || chain.IsAWSManagedSNSKey(id) {
			continue
		}
		region := chain.RegionOf(id)
		if region == "" {
			region = tp.region
		}
		k := region + "\x00" + id
		if g.keys[k] == nil {
			account := chain.AccountOf(id)
			if account == "" {
				account = chain.AccountOf(tp.arn) // an alias or key id names a key of the topic's account
			}
			g.keys[k] = &keyData{id: id, region: region, account: account}
			keys[k] = g.keys[k]
		}
		tp.key = g.keys[k]
	}
	// Rounds 4 and 5 are passed by every audit of a RunControls together,
	// whether it has keys to read or not.
	g.sync()
	if len(keys) == 0 {
		g.sync()
		return nil
	}
	var wg safe.Group
	for _, kd := range keys {
		wg.Go(func() {
			out, err := g.kmsFor(ctx, c, kd.account, kd.region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(kd.id)})
			kd.desc.err = err
			if err == nil {
				kd.desc.v = out.KeyMetadata
				if kd.desc.v == nil {
					kd.desc.err = errors.New("DescribeKey answered without key metadata")
				}
			}
		})
	}
	wg.Wait()
	g.sync()
	for _, kd := range keys {
		if kd.desc.err != nil || aws.ToString(kd.desc.v.Arn) == "" || kd.desc.v.KeyManager == kmstypes.KeyManagerTypeAws {
			continue
		}
		wg.Go(func() {
			out, err := g.kmsFor(ctx, c, kd.account, kd.region).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: kd.desc.v.Arn, PolicyName: aws.String("default")})
			kd.policy.err = err
			if err == nil {
				kd.policy.v = aws.ToString(out.Policy)
			}
		})
	}
	wg.Wait()
	return ctx.Err()
}

func (g *gathered) sortTrails(trails []cttypes.Trail) {
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
		if !chain.IsCandidateTrail(t) {
			g.single = append(g.single, aws.ToString(t.Name))
			continue
		}
		td := &trailData{t: t, arn: arn, home: aws.ToString(t.HomeRegion), owner: chain.AccountOf(arn), lgARN: aws.ToString(t.CloudWatchLogsLogGroupArn)}
		if td.home == "" {
			td.home = g.region
		}
		if lg, err := chain.ParseLogGroupARN(td.lgARN); err == nil {
			td.lg = &lg
		}
		g.trails = append(g.trails, td)
	}
	sort.Slice(g.trails, func(i, j int) bool { return g.trails[i].key() < g.trails[j].key() })
	sort.Strings(g.single)
}

// judgeFilters judges every filter read, once, and turns the filters of
// region-wide listings into groups found.
func (g *gathered) judgeFilters() {
	judge := func(fs []cwltypes.MetricFilter, group string) []chain.Filter {
		var out []chain.Filter
		for _, f := range fs {
			out = append(out, chain.JudgeFilter(f, group, g.opts.Control, g.opts.Strict, g.opts.Names.Filter))
		}
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out
	}
	for _, gd := range g.groups {
		if gd.filters.err == nil {
			gd.judged = judge(gd.filters.v, gd.lg.Name)
		}
	}
	for r, rd := range g.regions {
		if rd.wide == nil || rd.wide.err != nil {
			continue
		}
		byGroup := map[string][]cwltypes.MetricFilter{}
		for _, f := range rd.wide.v {
			n := aws.ToString(f.LogGroupName)
			byGroup[n] = append(byGroup[n], f)
		}
		for name, fs := range byGroup {
			judged := judge(fs, name)
			related := false
			for _, f := range judged {
				related = related || f.Related
			}
			k := lgKey{r, g.account, name}
			if _, ok := g.groups[k]; ok || !related {
				continue
			}
			lg := chain.LogGroup{Name: name, Region: r, Account: g.account,
				ARN: chain.LogGroupARN(chain.RegionPartition(r), r, g.account, name)}
			g.groups[k] = &groupData{lg: lg, filters: result[[]cwltypes.MetricFilter]{v: fs}, judged: judged, found: true}
		}
	}
}

// findAlarms picks, per region, the alarms that bear on the control: those
// on a related filter's metric, and orphans (an alarm whose metric no filter
// of the log group publishes, that is trailwatch's by name, watches the
// metric trailwatch would publish, or is named after the control).
func (g *gathered) findAlarms() {
	g.alarms = map[string][]chain.Alarm{}
	g.alarmRaw = map[string]cwtypes.MetricAlarm{}
	g.metricsInUse = map[string][]string{}
	for r, rd := range g.regions {
		if rd.alarms.err != nil {
			continue
		}
		// Several filters may publish one metric; an alarm on it sees all
		// of them, and is judged with the one that decides (decisive).
		var related, all []chain.Metric
		feeds := map[string][]feed{}
		for _, gd := range g.groups {
			if gd.lg.Region != r {
				continue
			}
			for _, f := range gd.judged {
				all = append(all, f.Metrics...)
				for _, m := range f.Metrics {
					feeds[m.ID()] = append(feeds[m.ID()], feed{m, f.Related, f.Passes()})
				}
				if f.Related {
					related = append(related, f.Metrics...)
				}
			}
		}
		for _, m := range rd.alarms.v {
			var a chain.Alarm
			if metric, ok := chain.WatchedMetric(m, related); ok {
				a = chain.JudgeAlarm(m, decisive(feeds[metric.ID()]), g.account)
			} else if _, ok := chain.WatchedMetric(m, all); !ok && g.orphan(m) {
				a = chain.JudgeAlarm(m, chain.Metric{Name: aws.ToString(m.MetricName), Namespace: aws.ToString(m.Namespace), Value: "1"}, g.account)
				a.Orphan = true
			} else {
				if metric, ok := chain.WatchedMetric(m, all); ok && chain.IsCandidate(metric.Name, g.opts.Names.Metric) {
					g.metricsInUse[r] = append(g.metricsInUse[r], metric.ID())
				}
				continue
			}
			g.alarms[r] = append(g.alarms[r], a)
			g.alarmRaw[a.ARN] = m
		}
		for _, f := range all {
			if chain.IsCandidate(f.Name, g.opts.Names.Metric) && !slices.ContainsFunc(related, func(x chain.Metric) bool { return x.ID() == f.ID() }) {
				g.metricsInUse[r] = append(g.metricsInUse[r], f.ID())
			}
		}
		sort.Slice(g.alarms[r], func(i, j int) bool { return g.alarms[r][i].Name < g.alarms[r][j].Name })
	}
}

// feed is one filter's publication of a metric.
type feed struct {
	m                chain.Metric
	related, passing bool
}

// decisive is the publication an alarm on a metric is judged with: a filter
// whose default value floods the metric, else a passing filter about the
// control. When only filters that fail feed it, the alarm is judged on its
// own, as trailwatch's filter would feed it (1 per event, no dimensions):
// the filter's gap is reported at the filter.
func decisive(fs []feed) chain.Metric {
	for _, f := range fs {
		if d := f.m.DefaultValue; d != nil && *d != 0 {
			return f.m
		}
	}
	for _, f := range fs {
		if f.related && f.passing {
			return f.m
		}
	}
	return chain.Metric{Name: fs[0].m.Name, Namespace: fs[0].m.Namespace, Value: "1"}
}

func (g *gathered) orphan(m cwtypes.MetricAlarm) bool {
	if len(m.Metrics) > 0 || aws.ToString(m.MetricName) == "" {
		return false
	}
	n := g.opts.Names
	name, metric := aws.ToString(m.AlarmName), aws.ToString(m.MetricName)
	if chain.IsCandidate(name, n.Alarm) || (metric == n.Metric && aws.ToString(m.Namespace) == n.Namespace) {
		return true
	}
	return g.opts.Control.NamedFor(name) || g.opts.Control.NamedFor(metric)
}

// foreign reports whether account is known to differ from the audited one.
func (g *gathered) foreign(account string) bool {
	return g.account != "" && account != "" && account != g.account
}

// key identifies the trail, and names it in CloudTrail calls: its ARN,
// which works for shadow and organization trails too (else its name).
func (td *trailData) key() string {
	if td.arn != "" {
		return td.arn
	}
	return aws.ToString(td.t.Name)
}

func (td *trailData) name() string {
	if n := aws.ToString(td.t.Name); n != "" {
		return n
	}
	return td.arn
}

// readFilters lists a log group's metric filters, or every filter in the
// region when group is "".
func readFilters(ctx context.Context, c LogsAPI, group string) ([]cwltypes.MetricFilter, error) {
	var all []cwltypes.MetricFilter
	in := &cloudwatchlogs.DescribeMetricFiltersInput{}
	if group != "" {
		in.LogGroupName = aws.String(group)
	}
	p := cloudwatchlogs.NewDescribeMetricFiltersPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		all = append(all, out.MetricFilters...)
	}
	return all, nil
}

func readAttrs(ctx context.Context, c SNSAPI, topic string) (map[string]string, error) {
	out, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil {
		return nil, err
	}
	if out.Attributes == nil {
		return map[string]string{}, nil
	}
	return out.Attributes, nil
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
