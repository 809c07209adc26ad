package plan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/chain"
)

// Plan is the ordered list of steps that closes the report's gaps.
type Plan struct {
	Account string  `json:"account"`
	Region  string  `json:"region"`
	Choices Choices `json:"choices"`
	Steps   []Step  `json:"steps"`
	// Notes are things the user should know that are not steps (a pending
	// email confirmation, a choice that did not apply).
	Notes []string `json:"notes,omitempty"`
	// Remaining lists gaps no step closes (for example a subscription
	// waiting for its confirmation link).
	Remaining []audit.Code `json:"remaining,omitempty"`
	// Kept lists existing resources the plan builds on as they are
	// (trailwatch's topic with its confirmed subscriber, say).
	Kept []string `json:"kept,omitempty"`
	// State is the audited state the plan was built from.
	State State `json:"state"`
}

// Counts returns how many steps create and how many change.
func (p *Plan) Counts() (create, change int) {
	for _, s := range p.Steps {
		switch s.Action {
		case Create:
			create++
		case Update:
			change++
		}
	}
	return create, change
}

// Empty is true when there is nothing to write.
func (p *Plan) Empty() bool { return len(p.Steps) == 0 }

// Missing lists the choices the plan still needs before it can be applied,
// each naming the flag that provides it. Empty when the plan is complete.
func (p *Plan) Missing() []string {
	var out []string
	for _, s := range p.Steps {
		if sp := s.Params.Subscription; sp != nil && (sp.Protocol == "" || sp.Endpoint == "") {
			out = append(out, fmt.Sprintf("a subscription endpoint for topic %s (--email ADDR or --subscribe PROTOCOL:ENDPOINT, or --topic-arn for a topic that already has a confirmed subscriber)", sp.TopicARN))
		}
	}
	return out
}

// NeedsTarget reports whether the plan creates a topic or subscription, so a
// prompt should ask where notifications go.
func (p *Plan) NeedsTarget() bool {
	for _, s := range p.Steps {
		if s.Address.Kind == KindTopic || s.Address.Kind == KindSubscription {
			return true
		}
	}
	return false
}

// Validate checks every step and that dependencies point backwards.
func (p *Plan) Validate() error {
	seen := map[string]bool{}
	for _, s := range p.Steps {
		if err := s.Validate(); err != nil {
			return err
		}
		if seen[s.ID] {
			return fmt.Errorf("step id %s appears twice", s.ID)
		}
		for _, d := range s.DependsOn {
			if !seen[d] {
				return fmt.Errorf("step %s depends on %s, which does not come before it", s.ID, d)
			}
		}
		seen[s.ID] = true
	}
	return nil
}

// UnknownError says the audit could not read something, so no safe plan
// can be made. It names the IAM actions that were denied or failed.
type UnknownError struct {
	Reads []audit.UnknownRead
}

func (e *UnknownError) Error() string {
	var parts []string
	for _, u := range e.Reads {
		s := u.Action
		if s == "" {
			s = u.API
		}
		if u.Resource != "" {
			s += " on " + u.Resource
		}
		if u.Message != "" {
			s += " (" + u.Message + ")"
		}
		parts = append(parts, s)
	}
	return "cannot plan safely: the audit could not read " + strings.Join(parts, "; ") + "; grant the read permission and run again"
}

// Step IDs.
const (
	IDTrailBucket     = "s3.bucket"
	IDTrail           = "trail.create"
	IDTrailLogging    = "trail.logging"
	IDEventSelectors  = "trail.event_selectors"
	IDLogGroup        = "logs.log_group"
	IDLogsRole        = "iam.role"
	IDTrailCloudWatch = "trail.cloudwatch_logs"
	IDMetricFilter    = "logs.metric_filter"
	IDTopic           = "sns.topic"
	IDTopicPolicy     = "sns.topic_policy"
	IDSubscription    = "sns.subscription"
	IDAlarm           = "cloudwatch.alarm"
	IDSecurityHub     = "securityhub.hub"
)

// Build turns a report into a plan: for each link that is failed or
// missing, the change that repairs that link and nothing else, and for
// links blocked by it, what they need once it is there. It reuses what
// passes on its own (a usable topic with a confirmed subscriber, a working
// alarm), repairs in place only what trailwatch made, and adds its own
// resource beside anything else. lk holds what the probes found for the
// names the plan creates (nil: assume every name is free). It is pure:
// same report, choices and lookups, same plan.
func Build(r *audit.Report, c Choices, lk Lookups) (*Plan, error) {
	if r == nil {
		return nil, errors.New("plan: no audit report")
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(r.Unknown) > 0 {
		return nil, &UnknownError{Reads: r.Unknown}
	}
	if want := c.ChainControl().ID; r.Control != "" && r.Control != want {
		return nil, fmt.Errorf("plan: the audit is of CIS %s, the choices are for CIS %s: audit and plan the same control", r.Control, want)
	}
	b := &builder{r: r, c: c.WithDefaults(), lk: lk, closed: map[audit.Code]bool{}}
	b.p = &Plan{Account: r.Account, Region: r.Region, Choices: c, State: StateOf(r, c, lk)}
	if r.Compliant != nil && *r.Compliant {
		return b.p, nil
	}
	if cov := r.CoveredBy; cov != nil {
		b.elsewhere(cov)
		return b.p, nil
	}
	if b.c.ChainControl().Hub {
		// CIS 4.16 is enabled only when the user asked for that control.
		b.add(Step{ID: IDSecurityHub, Action: Create, Address: Address{Kind: KindSecurityHub, Name: "default", Region: r.Region},
			Reason: b.reason(chain.LinkSecurityHub), Params: Params{SecurityHub: &SecurityHubParams{}}})
		b.close(chain.LinkSecurityHub)
		b.finish()
		return b.p, b.p.Validate()
	}
	if err := b.build(); err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, b.err
	}
	b.finish()
	if err := b.p.Validate(); err != nil {
		return nil, fmt.Errorf("plan: internal error: %w", err)
	}
	return b.p, nil
}

type builder struct {
	r      *audit.Report
	err    error // a choice the plan cannot follow
	c      Choices
	lk     Lookups
	p      *Plan
	closed map[audit.Code]bool

	partition, acct, home string
	// where the metric, alarm and topic live
	lgName, lgRegion, lgStep string
	metricName, ns           string
	filterStep               string
}

func (b *builder) status(l audit.LinkName) audit.Status { return b.r.Link(l).Status }

// needs reports whether link l needs a change: a gap, or blocked by one.
func (b *builder) needs(l audit.LinkName) bool {
	s := b.status(l)
	return s.IsGap() || s == audit.Blocked
}

// reason is the gap a step for link l closes: l's own, or for a blocked
// link the gap upstream that blocks it.
func (b *builder) reason(l audit.LinkName) Reason {
	i := chain.Index(l)
	for j := i; j >= 0; j-- {
		if g, ok := b.gapAt(chain.Links[j].Name); ok {
			return Reason{Code: g.Code, Message: g.Message}
		}
	}
	code := chain.InfoOf(l).Missing
	return Reason{Code: code, Message: chain.InfoOf(l).Gap}
}

func (b *builder) gapAt(l audit.LinkName) (audit.Gap, bool) {
	for _, g := range b.r.Gaps {
		if g.Link == l {
			return g, true
		}
	}
	return audit.Gap{}, false
}

// close marks the gap of link l closed by the plan.
func (b *builder) close(ls ...audit.LinkName) {
	for _, l := range ls {
		if g, ok := b.gapAt(l); ok {
			b.closed[g.Code] = true
		}
	}
}

func (b *builder) add(s Step) { b.p.Steps = append(b.p.Steps, s) }

// elsewhere plans nothing for an account whose chain lives in another
// account (a member covered by its organization's trail): trailwatch never
// changes an organization trail, nor another account's resources from
// here. Its gaps remain, and the note says where to fix them.
func (b *builder) elsewhere(cov *audit.CoveredBy) {
	for _, g := range b.r.Gaps {
		if !slices.Contains(b.p.Remaining, g.Code) {
			b.p.Remaining = append(b.p.Remaining, g.Code)
		}
	}
	kind := "trail"
	if cov.Organization {
		kind = "organization trail"
	}
	b.note("account %s is covered by %s %s, whose chain lives in account %s: nothing is changed here; run trailwatch fix with credentials for account %s (the trail itself only the organization's management account can change)",
		b.r.Account, kind, cov.TrailARN, cov.Account, cov.Account)
}

func (b *builder) note(format string, args ...any) {
	b.p.Notes = append(b.p.Notes, fmt.Sprintf(format, args...))
}

func (b *builder) keep(format string, args ...any) {
	b.p.Kept = append(b.p.Kept, fmt.Sprintf(format, args...))
}

// claim settles the name of a resource the plan would create from what the
// lookups found: a new resource under a free name (create), trailwatch's
// existing one that differs (update), or one already as wanted (kept, no
// step). mk builds the create step for a name; claim returns the name to use
// and the step's ID, "" when no step is needed.
func (b *builder) claim(kind Kind, region, want string, mk func(name string) Step) (string, string) {
	l, ok := b.lk.find(kind, want)
	name := want
	if ok {
		name = l.Name
	}
	s := mk(name)
	switch {
	case ok && l.Exists() && len(l.Changes) == 0:
		b.keep("%s %q: trailwatch's, already as planned", kind, name)
		return name, ""
	case ok && l.Exists():
		s.Action = Update
		s.Reason.Message += fmt.Sprintf(" (trailwatch's %s %q exists; set %s)", kind, name, strings.Join(l.Changes, ", "))
	case ok && name != want:
		b.note("%s name %q is taken by a resource trailwatch did not make; the plan uses %q", kind, want, name)
	}
	b.add(s)
	return name, s.ID
}

func (b *builder) build() error {
	f := b.r.Facts
	t := f.Trail
	if b.status(audit.LinkTrail) == audit.Missing || t == nil {
		return b.bootstrap()
	}
	b.acct = b.r.Account
	b.partition = chain.PartitionOf(t.ARN)
	b.home = t.HomeRegion
	if b.home == "" {
		b.home = chain.RegionOf(t.ARN)
	}
	trail := TrailRef{Name: t.Name, ARN: t.ARN}
	var trailGaps []string
	for _, l := range []audit.LinkName{audit.LinkLogging, audit.LinkManagementEvents, audit.LinkCloudWatchLogs} {
		if g, ok := b.gapAt(l); ok {
			trailGaps = append(trailGaps, string(g.Code))
		}
	}
	if len(trailGaps) > 0 {
		if t.Organization {
			return fmt.Errorf("trail %s is an organization trail; trailwatch does not change organization trails (a change reaches every member account): %s; change the trail yourself in the organization's management account and run trailwatch again", t.ARN, strings.Join(trailGaps, ", "))
		}
		if t.Owner != "" && b.acct != "" && t.Owner != b.acct {
			return fmt.Errorf("trail %s belongs to account %s; trailwatch changes trails only in the account it runs in (%s): run it there", t.ARN, t.Owner, b.acct)
		}
	}
	if b.status(audit.LinkLogging).IsGap() {
		b.add(Step{ID: IDTrailLogging, Action: Update,
			Address: Address{Kind: KindTrailLogging, Name: t.Name, Region: b.home},
			Reason:  b.reason(audit.LinkLogging),
			Params:  Params{TrailLogging: &TrailLoggingParams{Trail: trail}}})
		b.close(audit.LinkLogging)
	}
	if b.status(audit.LinkManagementEvents).IsGap() {
		ch, err := chain.AddManagementEvents(t.EventSelectors, t.AdvancedEventSelectors)
		if err != nil {
			return fmt.Errorf("trail %s: %w", t.Name, err)
		}
		if ch.Changed {
			b.add(Step{ID: IDEventSelectors, Action: Update,
				Address: Address{Kind: KindEventSelectors, Name: t.Name, Region: b.home},
				Reason:  b.reason(audit.LinkManagementEvents),
				Params: Params{EventSelectors: &EventSelectorsParams{Trail: trail,
					Selectors: ch.Selectors, Advanced: ch.Advanced, ChangeSummary: ch.Summary,
					KeptSelectors: len(t.EventSelectors) + len(t.AdvancedEventSelectors), TotalSelectors: len(ch.Selectors) + len(ch.Advanced)}}})
			b.close(audit.LinkManagementEvents)
		}
	}

	newGroup := false
	lg := f.LogGroup
	switch {
	case b.status(audit.LinkCloudWatchLogs).IsGap():
		ours := lg != nil && (lg.Account == "" || lg.Account == b.acct) && (lg.Region == "" || lg.Region == b.home)
		switch {
		case ours && lg.Found:
			// The trail was cut from a chain that is still there: deliver
			// to that log group again.
			b.lgName, b.lgRegion = lg.Name, b.home
			b.keep("log group %s: holds the control's filter; the trail is pointed back at it", lg.Name)
		case ours && !lg.Missing:
			b.lgName, b.lgRegion = lg.Name, b.home
		default:
			want := b.c.LogGroupName
			if ours && lg.Missing {
				// The trail names a group that was deleted: create it
				// again under that name rather than move the trail.
				want = lg.Name
			}
			newGroup = true
			b.lgRegion = b.home
			b.lgName, b.lgStep = b.claim(KindLogGroup, b.home, want, func(name string) Step {
				return Step{ID: IDLogGroup, Action: Create,
					Address: Address{Kind: KindLogGroup, Name: name, Region: b.home},
					Reason:  b.reason(audit.LinkCloudWatchLogs),
					Params:  Params{LogGroup: &LogGroupParams{Name: name, RetentionDays: b.c.RetentionDays}}}
			})
		}
		var deps []string
		if b.lgStep != "" {
			deps = []string{b.lgStep}
		}
		role, roleStep := b.claim(KindLogsRole, "", b.c.RoleName, func(name string) Step {
			return Step{ID: IDLogsRole, Action: Create, DependsOn: deps,
				Address: Address{Kind: KindLogsRole, Name: name},
				Reason:  b.reason(audit.LinkCloudWatchLogs),
				Params: Params{LogsRole: &LogsRoleParams{Name: name, PolicyName: RolePolicyName,
					LogGroupName: b.lgName, LogGroupRegion: b.home, TrailARN: t.ARN}}}
		})
		if roleStep != "" {
			deps = append(slices.Clone(deps), roleStep)
		}
		b.add(Step{ID: IDTrailCloudWatch, Action: Update, DependsOn: deps,
			Address: Address{Kind: KindTrailCloudWatch, Name: t.Name, Region: b.home},
			Reason:  b.reason(audit.LinkCloudWatchLogs),
			Params: Params{TrailCloudWatch: &TrailCloudWatchParams{Trail: trail,
				LogGroupName: b.lgName, LogGroupARN: chain.LogGroupARN(b.partition, b.home, b.acct, b.lgName),
				RoleName: role, RoleARN: chain.RoleARN(b.partition, b.acct, role)}}})
		b.close(audit.LinkCloudWatchLogs)
	case lg != nil:
		b.lgName, b.lgRegion = lg.Name, lg.Region
		if b.lgRegion == "" {
			b.lgRegion = b.home
		}
		if lg.Account != "" && lg.Account != b.acct && b.metricNeeds() {
			return fmt.Errorf("log group %s belongs to account %s; trailwatch puts metric filters and alarms only in the account it runs in (%s): run it there", lg.ARN, lg.Account, b.acct)
		}
	}
	if !b.metricNeeds() && !newGroup {
		return nil
	}
	if b.lgName == "" {
		return fmt.Errorf("plan: the report names no log group for trail %s", t.Name)
	}
	return b.metricChain(newGroup)
}

// metricNeeds: a link from the metric filter on needs a change.
func (b *builder) metricNeeds() bool {
	for _, l := range []audit.LinkName{audit.LinkMetricFilter, audit.LinkAlarm, audit.LinkNotification, audit.LinkSubscription} {
		if b.needs(l) {
			return true
		}
	}
	return false
}

// bootstrap plans a new multi-region trail in the configured region, with
// a bucket for its logs and CloudWatch Logs delivery, then the rest of the
// chain on the new log group.
func (b *builder) bootstrap() error {
	f := b.r.Facts
	b.acct = b.r.Account
	b.home = b.r.Region
	if b.acct == "" {
		return errors.New("plan: the audit did not learn the account id (sts:GetCallerIdentity), which the new trail's bucket name and policies need; grant it and run again")
	}
	if b.home == "" {
		return errors.New("plan: no region: the new trail's home region is --region (or the configured region)")
	}
	b.partition = chain.RegionPartition(b.home)
	want := b.c.TrailName
	if slices.Contains(f.SingleRegionTrails, want) {
		want = b.freeName(want, "trail", "--trail-name", func(n string) bool { return slices.Contains(f.SingleRegionTrails, n) })
		b.note("trail name %q is held by a single-region trail; the new trail is named %q", b.c.TrailName, want)
	}
	name := want
	if l, ok := b.lk.find(KindTrail, want); ok {
		name = l.Name
	}
	trailARN := chain.TrailARN(b.partition, b.home, b.acct, name)
	if len(f.SingleRegionTrails) > 0 {
		b.note("single-region trail(s) %s are left alone; the new multi-region trail %s is added beside them", strings.Join(f.SingleRegionTrails, ", "), name)
	}
	reason := b.reason(audit.LinkTrail)

	// Bucket: an existing one named by --trail-bucket (policy merged), or a new one.
	var bucket, bucketStep string
	if b.c.TrailBucket != "" {
		bucket, bucketStep = b.c.TrailBucket, IDTrailBucket
		b.add(Step{ID: IDTrailBucket, Action: Update,
			Address: Address{Kind: KindTrailBucket, Name: bucket},
			Reason:  Reason{Code: reason.Code, Message: "let the new trail write its logs to bucket " + bucket + " (statements merged into its policy; every other statement kept)"},
			Params:  Params{Bucket: &BucketParams{Name: bucket, Existing: true, TrailARN: trailARN, Account: b.acct}}})
		if b.c.KMSKeyID != "" {
			b.note("--kms-key encrypts only a bucket trailwatch creates; bucket %s keeps its own encryption settings", bucket)
		}
	} else {
		bucket, bucketStep = b.claim(KindTrailBucket, b.home, DefaultBucketName(b.acct, b.home), func(n string) Step {
			return Step{ID: IDTrailBucket, Action: Create,
				Address: Address{Kind: KindTrailBucket, Name: n, Region: b.home},
				Reason:  Reason{Code: reason.Code, Message: "the new trail needs a bucket for its log files"},
				Params:  Params{Bucket: &BucketParams{Name: n, KMSKeyID: b.c.KMSKeyID, TrailARN: trailARN, Account: b.acct}}}
		})
		if b.c.KMSKeyID != "" {
			b.note("bucket %s is encrypted with %s: its key policy must let cloudtrail.amazonaws.com use it (kms:GenerateDataKey*), and readers of the logs need kms:Decrypt", bucket, b.c.KMSKeyID)
		}
	}

	// Log group and role for CloudWatch Logs delivery.
	b.lgRegion = b.home
	b.lgName, b.lgStep = b.claim(KindLogGroup, b.home, b.c.LogGroupName, func(n string) Step {
		return Step{ID: IDLogGroup, Action: Create,
			Address: Address{Kind: KindLogGroup, Name: n, Region: b.home},
			Reason:  b.reason(audit.LinkCloudWatchLogs),
			Params:  Params{LogGroup: &LogGroupParams{Name: n, RetentionDays: b.c.RetentionDays}}}
	})
	var deps []string
	if b.lgStep != "" {
		deps = []string{b.lgStep}
	}
	role, roleStep := b.claim(KindLogsRole, "", b.c.RoleName, func(n string) Step {
		return Step{ID: IDLogsRole, Action: Create, DependsOn: deps,
			Address: Address{Kind: KindLogsRole, Name: n},
			Reason:  b.reason(audit.LinkCloudWatchLogs),
			Params: Params{LogsRole: &LogsRoleParams{Name: n, PolicyName: RolePolicyName,
				LogGroupName: b.lgName, LogGroupRegion: b.home, TrailARN: trailARN}}}
	})

	// The trail, delivering to both, then logging.
	var tdeps []string
	for _, d := range []string{bucketStep, b.lgStep, roleStep} {
		if d != "" {
			tdeps = append(tdeps, d)
		}
	}
	_, trailStep := b.claim(KindTrail, b.home, want, func(n string) Step {
		return Step{ID: IDTrail, Action: Create, DependsOn: tdeps,
			Address: Address{Kind: KindTrail, Name: n, Region: b.home},
			Reason:  reason,
			Params: Params{Trail: &TrailParams{Name: n, ARN: trailARN, BucketName: bucket,
				IsMultiRegion: true, IncludeGlobalServiceEvents: true, EnableLogFileValidation: true,
				LogGroupName: b.lgName, LogGroupARN: chain.LogGroupARN(b.partition, b.home, b.acct, b.lgName),
				RoleName: role, RoleARN: chain.RoleARN(b.partition, b.acct, role)}}}
	})
	var ldeps []string
	if trailStep != "" {
		ldeps = []string{trailStep}
	}
	b.add(Step{ID: IDTrailLogging, Action: Update, DependsOn: ldeps,
		Address: Address{Kind: KindTrailLogging, Name: name, Region: b.home},
		Reason:  reason,
		Params:  Params{TrailLogging: &TrailLoggingParams{Trail: TrailRef{Name: name, ARN: trailARN}}}})
	b.close(audit.LinkTrail)
	return b.metricChain(true)
}
