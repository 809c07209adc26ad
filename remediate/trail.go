package remediate

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// trailStep returns the plan's trail-creation step, if any.
func (a *applier) trailStep() *plan.Step {
	for i := range a.p.Steps {
		if a.p.Steps[i].Params.Trail != nil {
			return &a.p.Steps[i]
		}
	}
	return nil
}

// trailARN maps the ARN of the trail the plan creates to the trail apply
// actually uses: its planned name, or the next free one when a trail
// trailwatch did not make took it since. Other ARNs come back unchanged.
// The name is settled once, by the first step that needs it (the bucket
// policy and the role's trust name the trail before it exists).
func (a *applier) trailARN(ctx context.Context, planned string) (string, error) {
	s := a.trailStep()
	if s == nil || s.Params.Trail.ARN != planned {
		return planned, nil
	}
	if v, ok := a.resolvedAs(plan.IDTrail); ok {
		return v, nil
	}
	name, _, err := a.settle(ctx, *s)
	if err != nil {
		return "", err
	}
	arn := chain.TrailARN(chain.PartitionOf(planned), s.Address.Region, a.p.Account, name)
	a.resolve(plan.IDTrail, arn)
	return arn, nil
}

func (a *applier) probeTrail(ctx context.Context, region, name string, p *plan.TrailParams) (state, error) {
	ct := a.c.CloudTrail(region)
	got, err := ct.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(name)})
	if err != nil && awserr.IsNotFound(err) || err == nil && got.Trail == nil {
		return state{owner: chain.Free}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("get trail %q: %w", name, err)
	}
	arn := aws.ToString(got.Trail.TrailARN)
	tags, err := ct.ListTags(ctx, &cloudtrail.ListTagsInput{ResourceIdList: []string{arn}})
	if err != nil {
		return state{}, fmt.Errorf("list tags of trail %s: %w", arn, err)
	}
	if !chain.Managed(chain.TrailTags(tags.ResourceTagList)) {
		return state{owner: chain.Foreign}, nil
	}
	st := state{owner: chain.Ours}
	if !a.wantTrail(name, p).Matches(*got.Trail) {
		st.changes = []string{"multi-region, global service events, log file validation, bucket and log group delivery"}
	}
	return st, nil
}

// wantTrail is the trail the plan creates, with the names apply settled.
func (a *applier) wantTrail(name string, p *plan.TrailParams) chain.NewTrail {
	region := chain.RegionOf(p.ARN)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	return chain.NewTrail{Name: name, Bucket: a.ref(plan.IDTrailBucket, p.BucketName),
		LogGroupARN: chain.LogGroupARN(chain.PartitionOf(p.ARN), region, a.p.Account, group),
		RoleARN:     a.ref(plan.IDLogsRole, p.RoleARN)}
}

// trailNotReady: errors CloudTrail returns while a new role (or a new
// bucket policy) propagates.
func trailNotReady(err error) bool {
	return roleNotReady(err) || awserr.Code(err) == "InsufficientS3BucketPolicyException"
}

// roleNotReady: errors CloudTrail returns while a new role propagates.
func roleNotReady(err error) bool {
	switch awserr.Code(err) {
	case "InvalidCloudWatchLogsRoleArnException", "InvalidCloudWatchLogsLogGroupArnException",
		"InsufficientDependencyServiceAccessPermissionException", "CloudWatchLogsDeliveryUnavailableException":
		return true
	}
	return false
}

func (a *applier) createTrail(ctx, wctx context.Context, region string, p *plan.TrailParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	arn, err := a.trailARN(wctx, p.ARN)
	if err != nil {
		return outcome{}, err
	}
	name := chain.TrailName(arn)
	w := a.wantTrail(name, p)
	st, err := a.probeTrail(wctx, region, name, p)
	if err != nil {
		return outcome{}, err
	}
	exists := st.owner == chain.Ours
	if exists && len(st.changes) == 0 {
		return outcome{resource: arn, detail: "trailwatch's trail already exists as planned"}, nil
	}
	for attempt := 1; ; attempt++ {
		if exists {
			_, err = ct.UpdateTrail(wctx, &cloudtrail.UpdateTrailInput{Name: aws.String(name), S3BucketName: aws.String(w.Bucket),
				IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
				CloudWatchLogsLogGroupArn: aws.String(w.LogGroupARN), CloudWatchLogsRoleArn: aws.String(w.RoleARN)})
		} else {
			var out *cloudtrail.CreateTrailOutput
			out, err = ct.CreateTrail(wctx, &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String(w.Bucket),
				IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), EnableLogFileValidation: aws.Bool(true),
				CloudWatchLogsLogGroupArn: aws.String(w.LogGroupARN), CloudWatchLogsRoleArn: aws.String(w.RoleARN),
				TagsList: chain.TrailManagedTags()})
			if err == nil && aws.ToString(out.TrailARN) != "" {
				arn = aws.ToString(out.TrailARN)
			}
			if awserr.Code(err) == "TrailAlreadyExistsException" {
				// A retry or a concurrent run created it: adopt it when it
				// is trailwatch's, then bring it to the plan.
				if st, perr := a.probeTrail(wctx, region, name, p); perr == nil && st.owner == chain.Ours {
					exists = true
					if len(st.changes) == 0 {
						return outcome{resource: arn, detail: "trailwatch's trail was created meanwhile (a retry or another run); adopted"}, nil
					}
					continue
				}
			}
		}
		if err == nil {
			break
		}
		if !trailNotReady(err) || attempt >= a.opts.PropagationAttempts {
			if trailNotReady(err) {
				return outcome{}, fmt.Errorf("create trail %q: CloudTrail still rejects the role or the bucket after %d attempts (IAM propagation can take a minute; run fix again): %w", name, attempt, err)
			}
			return outcome{}, fmt.Errorf("create trail %q: %w", name, err)
		}
		if serr := a.opts.Sleep(ctx, a.opts.PropagationDelay); serr != nil {
			return outcome{}, fmt.Errorf("create trail %q: stopped waiting for role %s to propagate: %w", name, w.RoleARN, ErrCancelled)
		}
	}
	a.resolve(plan.IDTrail, arn)
	d := "created: multi-region, global service events, log file validation, logs to bucket " + w.Bucket + ", delivers to log group " + a.ref(plan.IDLogGroup, p.LogGroupName)
	if exists {
		d = "trailwatch's trail existed; set to multi-region, global service events, log file validation, bucket " + w.Bucket
	}
	return outcome{changed: true, resource: arn, detail: d + chain.Renamed(p.Name, name)}, nil
}

func (a *applier) trailLogging(ctx context.Context, region string, p *plan.TrailLoggingParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	// A trail this plan creates may have been given another name.
	arn, err := a.trailARN(ctx, p.Trail.ARN)
	if err != nil {
		return outcome{}, err
	}
	name := p.Trail.Name
	if arn != p.Trail.ARN {
		name = chain.TrailName(arn)
	}
	if !a.createdHere(arn) {
		if _, err := a.checkTrailOurs(ctx, region, arn); err != nil {
			return outcome{}, err
		}
	}
	st, err := ct.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(arn)})
	if err != nil {
		return outcome{}, fmt.Errorf("get trail status %s: %w", arn, err)
	}
	if chain.JudgeLogging(st).Status == chain.Passed {
		return outcome{resource: arn, detail: "already logging"}, nil
	}
	// By name: the trail is in this account and region (checked), where the
	// name is unique; moto's StartLogging accepts only the name.
	if name == "" {
		name = arn
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return outcome{}, fmt.Errorf("start logging %s: %w", arn, err)
	}
	return outcome{changed: true, resource: arn, detail: "logging started"}, nil
}

// checkTrailOurs re-reads an existing trail (one this plan does not create)
// before a write and refuses one trailwatch may not change (chain's rule).
func (a *applier) checkTrailOurs(ctx context.Context, region, arn string) (*cttypes.Trail, error) {
	out, err := a.c.CloudTrail(region).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{TrailNameList: []string{arn}, IncludeShadowTrails: aws.Bool(false)})
	if err != nil {
		return nil, fmt.Errorf("describe trail %s: %w", arn, err)
	}
	// Pick the trail by ARN rather than trusting the filter: an emulator
	// (moto) ignores TrailNameList and returns every trail.
	i := slices.IndexFunc(out.TrailList, func(t cttypes.Trail) bool { return aws.ToString(t.TrailARN) == arn })
	if i < 0 {
		return nil, fmt.Errorf("trail %s no longer exists", arn)
	}
	t := &out.TrailList[i]
	if why := chain.ChangeRefusal(*t, a.p.Account); why != "" {
		return nil, fmt.Errorf("%s; nothing was written to it", why)
	}
	return t, nil
}

// createdHere reports whether arn is the trail this plan creates.
func (a *applier) createdHere(arn string) bool {
	if s := a.trailStep(); s != nil {
		got, _ := a.resolvedAs(plan.IDTrail)
		return s.Params.Trail.ARN == arn || got == arn
	}
	return false
}

func (a *applier) eventSelectors(ctx context.Context, region string, p *plan.EventSelectorsParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	if !a.createdHere(p.Trail.ARN) {
		if _, err := a.checkTrailOurs(ctx, region, p.Trail.ARN); err != nil {
			return outcome{}, err
		}
	}
	cur, err := ct.GetEventSelectors(ctx, &cloudtrail.GetEventSelectorsInput{TrailName: aws.String(p.Trail.ARN)})
	if err != nil {
		return outcome{}, fmt.Errorf("get event selectors %s: %w", p.Trail.ARN, err)
	}
	// Recompute from what is there now, so a selector added since the audit
	// is kept as well.
	ch, err := chain.AddManagementEvents(cur.EventSelectors, cur.AdvancedEventSelectors)
	if err != nil {
		return outcome{}, err
	}
	if !ch.Changed {
		return outcome{resource: p.Trail.ARN, detail: ch.Summary}, nil
	}
	in := &cloudtrail.PutEventSelectorsInput{TrailName: aws.String(p.Trail.ARN)}
	if len(ch.Advanced) > 0 {
		in.AdvancedEventSelectors = ch.Advanced
	} else {
		in.EventSelectors = ch.Selectors
	}
	if _, err := ct.PutEventSelectors(ctx, in); err != nil {
		return outcome{}, fmt.Errorf("put event selectors %s: %w", p.Trail.ARN, err)
	}
	return outcome{changed: true, resource: p.Trail.ARN, detail: ch.Summary + "; every other selector kept"}, nil
}

func (a *applier) trailCloudWatch(ctx, wctx context.Context, region string, p *plan.TrailCloudWatchParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	groupARN := chain.LogGroupARN(chain.PartitionOf(p.Trail.ARN), region, a.p.Account, group)
	if group == p.LogGroupName && p.LogGroupARN != "" {
		groupARN = p.LogGroupARN
	}
	roleARN := a.ref(plan.IDLogsRole, p.RoleARN)
	t, err := a.checkTrailOurs(wctx, region, p.Trail.ARN)
	if err != nil {
		return outcome{}, err
	}
	trim := func(s string) string { return strings.TrimSuffix(s, ":*") }
	curGroup, curRole := trim(aws.ToString(t.CloudWatchLogsLogGroupArn)), aws.ToString(t.CloudWatchLogsRoleArn)
	if curGroup == trim(groupARN) && curRole == roleARN {
		return outcome{resource: p.Trail.ARN, detail: "already delivers to " + group}, nil
	}
	// Replace only the delivery the plan was made from: if someone pointed
	// the trail elsewhere since, that is their setting, not a gap to close.
	var wasGroup, wasRole string
	if tf := a.p.State.Facts.Trail; tf != nil && tf.ARN == p.Trail.ARN {
		wasGroup, wasRole = trim(tf.LogGroupARN), tf.LogsRoleARN
	}
	if (curGroup != wasGroup && curGroup != trim(groupARN)) || (curRole != wasRole && curRole != roleARN) {
		now := curGroup
		if now == "" {
			now = "(none)"
		}
		return outcome{}, fmt.Errorf("trail %s changed since the plan was made: it now delivers to log group %s with role %s (the plan saw %q with %q); nothing was written to it, run fix again to plan from what is there now",
			p.Trail.ARN, now, curRole, wasGroup, wasRole)
	}
	in := &cloudtrail.UpdateTrailInput{Name: aws.String(p.Trail.ARN),
		CloudWatchLogsLogGroupArn: aws.String(groupARN), CloudWatchLogsRoleArn: aws.String(roleARN)}
	for attempt := 1; ; attempt++ {
		_, err = ct.UpdateTrail(wctx, in)
		if err == nil {
			return outcome{changed: true, resource: p.Trail.ARN, detail: "delivers to log group " + group + " with role " + roleARN}, nil
		}
		if !roleNotReady(err) || attempt >= a.opts.PropagationAttempts {
			if roleNotReady(err) {
				return outcome{}, fmt.Errorf("update trail %s: CloudTrail still rejects the role after %d attempts (IAM propagation can take a minute; run fix again): %w", p.Trail.ARN, attempt, err)
			}
			return outcome{}, fmt.Errorf("update trail %s: %w", p.Trail.ARN, err)
		}
		if serr := a.opts.Sleep(ctx, a.opts.PropagationDelay); serr != nil {
			return outcome{}, fmt.Errorf("update trail %s: stopped waiting for role %s to propagate: %w", p.Trail.ARN, roleARN, ErrCancelled)
		}
	}
}
