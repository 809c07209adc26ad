package remediate

import (
	"context"
	"encoding/json"
	"fmt"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// --- trail ---

func (a *applier) trailLogging(ctx context.Context, region string, p *plan.TrailLoggingParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	// A trail this plan creates may have been given another name.
	arn, err := a.trailARN(ctx, p.Trail.ARN)
	if err != nil {
		return outcome{}, err
	}
	name := p.Trail.Name
	if arn != p.Trail.ARN {
		name = nameOfTrailARN(arn)
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
	if aws.ToBool(st.IsLogging) {
		return outcome{resource: arn, detail: "already logging"}, nil
	}
	// By name: the trail is in this account and region (the plan checked),
	// where the name is unique; moto's StartLogging accepts only the name.
	if name == "" {
		name = arn
	}
	if _, err := ct.StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(name)}); err != nil {
		return outcome{}, fmt.Errorf("start logging %s: %w", arn, err)
	}
	return outcome{changed: true, resource: arn, detail: "logging started"}, nil
}

// checkTrailOurs re-reads an existing trail (one this plan does not create)
// before a write and refuses one that belongs to another account or is an
// organization trail: a change to it would reach beyond this account. It
// returns the trail as read.
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
	if aws.ToBool(t.IsOrganizationTrail) {
		return nil, fmt.Errorf("trail %s is an organization trail; trailwatch does not change organization trails (a change reaches every member account); nothing was written to it", arn)
	}
	if acct, ok := plan.ParseARN(arn); ok && a.p.Account != "" && acct.Account != a.p.Account {
		return nil, fmt.Errorf("trail %s belongs to account %s; trailwatch changes trails only in the account it runs in (%s)", arn, acct.Account, a.p.Account)
	}
	return t, nil
}

// createdHere reports whether arn is the trail this plan creates.
func (a *applier) createdHere(arn string) bool {
	if s := a.trailStep(); s != nil {
		if s.Params.Trail.ARN == arn || a.resolved[plan.IDTrail] == arn {
			return true
		}
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
	ch, err := plan.AddManagementEvents(cur.EventSelectors, cur.AdvancedEventSelectors)
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

// roleNotReady: errors CloudTrail returns while a new role propagates.
func roleNotReady(err error) bool {
	switch awserr.Code(err) {
	case "InvalidCloudWatchLogsRoleArnException", "InvalidCloudWatchLogsLogGroupArnException",
		"InsufficientDependencyServiceAccessPermissionException", "CloudWatchLogsDeliveryUnavailableException":
		return true
	}
	return false
}

func (a *applier) trailCloudWatch(ctx, wctx context.Context, region string, p *plan.TrailCloudWatchParams) (outcome, error) {
	ct := a.c.CloudTrail(region)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	groupARN := plan.LogGroupARN(plan.Partition(p.Trail.ARN), region, a.p.Account, group)
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

// --- log group and role ---

func hasManagedTag(m map[string]string) bool { return m[plan.ManagedTagKey] == plan.ManagedTagValue }

func (a *applier) logGroupTagARN(region, name string) string {
	return strings.TrimSuffix(plan.LogGroupARN(plan.Partition(a.anyARN()), region, a.p.Account, name), ":*")
}

// anyARN gives an ARN of this plan to read the partition from.
func (a *applier) anyARN() string {
	if t := a.p.State.Facts.Trail; t != nil {
		return t.ARN
	}
	if s := a.trailStep(); s != nil {
		return s.Params.Trail.ARN
	}
	return ""
}

func findLogGroup(ctx context.Context, logs LogsAPI, name string) (*cwltypes.LogGroup, error) {
	pg := cloudwatchlogs.NewDescribeLogGroupsPaginator(logs, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for i := range out.LogGroups {
			if aws.ToString(out.LogGroups[i].LogGroupName) == name {
				return &out.LogGroups[i], nil
			}
		}
	}
	return nil, nil
}

func (a *applier) logGroup(ctx context.Context, region string, p *plan.LogGroupParams) (outcome, error) {
	logs := a.c.Logs(region)
	for _, name := range candidates(p.Name) {
		g, err := findLogGroup(ctx, logs, name)
		if err != nil {
			return outcome{}, fmt.Errorf("describe log groups %q: %w", name, err)
		}
		if g == nil {
			_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name),
				Tags: map[string]string{plan.ManagedTagKey: plan.ManagedTagValue}})
			if err != nil {
				return outcome{}, fmt.Errorf("create log group %q: %w", name, err)
			}
			if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(p.RetentionDays)}); err != nil {
				return outcome{resource: name}, fmt.Errorf("created log group %q but could not set its retention: %w", name, err)
			}
			return outcome{changed: true, resource: name, detail: fmt.Sprintf("created, retention %d days%s", p.RetentionDays, renamed(p.Name, name))}, nil
		}
		tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(a.logGroupTagARN(region, name))})
		if err != nil {
			return outcome{}, fmt.Errorf("list tags of log group %q: %w", name, err)
		}
		if !hasManagedTag(tags.Tags) {
			continue
		}
		if g.RetentionInDays == nil {
			if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(p.RetentionDays)}); err != nil {
				return outcome{resource: name}, fmt.Errorf("set retention of log group %q: %w", name, err)
			}
			return outcome{changed: true, resource: name, detail: fmt.Sprintf("trailwatch's group existed; retention set to %d days", p.RetentionDays)}, nil
		}
		return outcome{resource: name, detail: "trailwatch's group already exists" + renamed(p.Name, name)}, nil
	}
	return outcome{}, fmt.Errorf("log group names %q to %q-%d are all taken by groups trailwatch did not make; pass --log-group-name", p.Name, p.Name, maxNameTries)
}

func iamManaged(tags []iamtypes.Tag) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == plan.ManagedTagKey && aws.ToString(t.Value) == plan.ManagedTagValue {
			return true
		}
	}
	return false
}

func (a *applier) role(ctx context.Context, p *plan.LogsRoleParams) (outcome, error) {
	c := a.c.IAM()
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	part := plan.Partition(p.TrailARN)
	trailARN, err := a.trailARN(ctx, p.TrailARN)
	if err != nil {
		return outcome{}, err
	}
	trust := plan.RoleTrustPolicy(a.p.Account, trailARN)
	policy := plan.RolePolicy(part, p.LogGroupRegion, a.p.Account, group)
	for _, name := range candidates(p.Name) {
		got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil && !awserr.IsNotFound(err) {
			return outcome{}, fmt.Errorf("get role %q: %w", name, err)
		}
		if err != nil { // not found: create it
			out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
				AssumeRolePolicyDocument: aws.String(trust),
				Description:              aws.String("CloudTrail delivers trail " + trailARN + " to CloudWatch Logs group " + group + ". Made by trailwatch."),
				Tags:                     []iamtypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}})
			if err != nil {
				return outcome{}, fmt.Errorf("create role %q: %w", name, err)
			}
			arn := aws.ToString(out.Role.Arn)
			if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(policy)}); err != nil {
				return outcome{resource: arn}, fmt.Errorf("created role %q but could not put its policy: %w", name, err)
			}
			return outcome{changed: true, resource: arn, detail: "created with inline policy " + p.PolicyName + renamed(p.Name, name)}, nil
		}
		if !iamManaged(got.Role.Tags) {
			continue
		}
		arn := aws.ToString(got.Role.Arn)
		changed := false
		if !plan.SamePolicy(aws.ToString(got.Role.AssumeRolePolicyDocument), trust) {
			if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)}); err != nil {
				return outcome{resource: arn}, fmt.Errorf("update trust policy of role %q: %w", name, err)
			}
			changed = true
		}
		rp, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName)})
		if err != nil && !awserr.IsNotFound(err) {
			return outcome{resource: arn}, fmt.Errorf("get policy %s of role %q: %w", p.PolicyName, name, err)
		}
		if err != nil || !plan.SamePolicy(aws.ToString(rp.PolicyDocument), policy) {
			if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(policy)}); err != nil {
				return outcome{resource: arn}, fmt.Errorf("put policy %s on role %q: %w", p.PolicyName, name, err)
			}
			changed = true
		}
		if changed {
			return outcome{changed: true, resource: arn, detail: "trailwatch's role existed; its policies were brought up to date"}, nil
		}
		return outcome{resource: arn, detail: "trailwatch's role already exists" + renamed(p.Name, name)}, nil
	}
	return outcome{}, fmt.Errorf("role names %q to %q-%d are all taken by roles trailwatch did not make; pass --role-name", p.Name, p.Name, maxNameTries)
}

// --- metric filter ---

func sameFilter(f cwltypes.MetricFilter, p *plan.MetricFilterParams) bool {
	if aws.ToString(f.FilterPattern) != p.Pattern || len(f.MetricTransformations) != 1 {
		return false
	}
	m := f.MetricTransformations[0]
	return aws.ToString(m.MetricName) == p.MetricName && aws.ToString(m.MetricNamespace) == p.Namespace && aws.ToString(m.MetricValue) == p.MetricValue
}

func (a *applier) metricFilter(ctx context.Context, region string, p *plan.MetricFilterParams) (outcome, error) {
	logs := a.c.Logs(region)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	for _, name := range candidates(p.Name) {
		var found *cwltypes.MetricFilter
		pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(logs, &cloudwatchlogs.DescribeMetricFiltersInput{
			LogGroupName: aws.String(group), FilterNamePrefix: aws.String(name)})
		for pg.HasMorePages() && found == nil {
			out, err := pg.NextPage(ctx)
			if err != nil {
				return outcome{}, fmt.Errorf("describe metric filters %q on %s: %w", name, group, err)
			}
			for i := range out.MetricFilters {
				if aws.ToString(out.MetricFilters[i].FilterName) == name {
					found = &out.MetricFilters[i]
					break
				}
			}
		}
		if found != nil {
			// Filters cannot be tagged: one with this name is trailwatch's
			// only if it is exactly what trailwatch would write.
			if sameFilter(*found, p) {
				return outcome{resource: name, detail: "an identical filter already exists" + renamed(p.Name, name)}, nil
			}
			continue
		}
		_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
			LogGroupName: aws.String(group), FilterName: aws.String(name), FilterPattern: aws.String(p.Pattern),
			MetricTransformations: []cwltypes.MetricTransformation{{
				MetricName: aws.String(p.MetricName), MetricNamespace: aws.String(p.Namespace), MetricValue: aws.String(p.MetricValue)}}})
		if err != nil {
			return outcome{}, fmt.Errorf("put metric filter %q on %s: %w", name, group, err)
		}
		return outcome{changed: true, resource: name, detail: fmt.Sprintf("on %s, metric %s/%s%s", group, p.Namespace, p.MetricName, renamed(p.Name, name))}, nil
	}
	return outcome{}, fmt.Errorf("metric filter names %q to %q-%d on %s are all taken by other filters; pass --filter-name", p.Name, p.Name, maxNameTries, group)
}

// --- topic ---

func snsManaged(tags []snstypes.Tag) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == plan.ManagedTagKey && aws.ToString(t.Value) == plan.ManagedTagValue {
			return true
		}
	}
	return false
}

func (a *applier) mergeTopicPolicy(ctx context.Context, c SNSAPI, arn string) (bool, error) {
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		return false, fmt.Errorf("get attributes of topic %s: %w", arn, err)
	}
	merged, changed, err := plan.MergeTopicPolicy(attrs.Attributes["Policy"], arn)
	if err != nil || !changed {
		return false, err
	}
	if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn),
		AttributeName: aws.String("Policy"), AttributeValue: aws.String(merged)}); err != nil {
		return false, fmt.Errorf("set policy of topic %s: %w", arn, err)
	}
	return true, nil
}

func (a *applier) topic(ctx context.Context, region string, p *plan.TopicParams) (outcome, error) {
	c := a.c.SNS(region)
	part := plan.Partition(p.ARN)
	for _, name := range candidates(p.Name) {
		arn := plan.TopicARN(part, region, a.p.Account, name)
		_, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
		if err != nil && !awserr.IsNotFound(err) {
			return outcome{}, fmt.Errorf("get attributes of topic %s: %w", arn, err)
		}
		if err != nil { // not found
			attrs := map[string]string{}
			if p.KMSKeyID != "" {
				if err := a.checkKey(ctx, region, p.KMSKeyID, "cloudwatch.amazonaws.com"); err != nil {
					return outcome{}, err
				}
				attrs["KmsMasterKeyId"] = p.KMSKeyID
			}
			out, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs,
				Tags: []snstypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}})
			if err != nil {
				return outcome{}, fmt.Errorf("create topic %q: %w", name, err)
			}
			arn = aws.ToString(out.TopicArn)
			if _, err := a.mergeTopicPolicy(ctx, c, arn); err != nil {
				return outcome{resource: arn}, fmt.Errorf("created topic %s but could not let CloudWatch publish to it: %w", arn, err)
			}
			d := "created; CloudWatch alarms of this account may publish"
			if p.KMSKeyID != "" {
				d += "; encrypted with " + p.KMSKeyID
			}
			return outcome{changed: true, resource: arn, detail: d + renamed(p.Name, name)}, nil
		}
		tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
		if err != nil {
			return outcome{}, fmt.Errorf("list tags of topic %s: %w", arn, err)
		}
		if !snsManaged(tags.Tags) {
			continue
		}
		changed, err := a.mergeTopicPolicy(ctx, c, arn)
		if err != nil {
			return outcome{resource: arn}, err
		}
		if changed {
			return outcome{changed: true, resource: arn, detail: "trailwatch's topic existed; policy statement added"}, nil
		}
		return outcome{resource: arn, detail: "trailwatch's topic already exists" + renamed(p.Name, name)}, nil
	}
	return outcome{}, fmt.Errorf("topic names %q to %q-%d are all taken by topics trailwatch did not make; pass --topic-name or --topic-arn", p.Name, p.Name, maxNameTries)
}

// checkKey refuses an AWS managed key, a disabled key, or a key whose policy
// does not let service use it: CloudWatch alarms could not publish to a
// topic (kms:Decrypt and kms:GenerateDataKey*), CloudTrail could not write
// to a bucket (kms:GenerateDataKey*).
func (a *applier) checkKey(ctx context.Context, region, key, service string) error {
	k := a.c.KMS(region)
	d, err := k.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(key)})
	if err != nil {
		return fmt.Errorf("KMS key %s: %w", key, err)
	}
	md := d.KeyMetadata
	if md.KeyManager == kmstypes.KeyManagerTypeAws {
		return fmt.Errorf("KMS key %s is AWS managed; %s cannot use it here: give a customer managed key", key, service)
	}
	if md.KeyState != "" && md.KeyState != kmstypes.KeyStateEnabled {
		return fmt.Errorf("KMS key %s is %s, not Enabled", key, md.KeyState)
	}
	pol, err := k.GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{KeyId: md.KeyId, PolicyName: aws.String("default")})
	if err != nil {
		return fmt.Errorf("read policy of KMS key %s: %w", key, err)
	}
	needDecrypt := service == "cloudwatch.amazonaws.com"
	if !keyAllows(aws.ToString(pol.Policy), service, needDecrypt) {
		want := "kms:GenerateDataKey*"
		if needDecrypt {
			want = "kms:Decrypt and kms:GenerateDataKey*"
		}
		return fmt.Errorf("KMS key %s: its policy does not let %s use it (%s); add that statement to the key policy, or omit --kms-key", key, service, want)
	}
	return nil
}

func keyAllows(policy, service string, needDecrypt bool) bool {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if json.Unmarshal([]byte(policy), &doc) != nil {
		return false
	}
	var stmts []map[string]any
	if json.Unmarshal(doc.Statement, &stmts) != nil {
		var one map[string]any
		if json.Unmarshal(doc.Statement, &one) != nil {
			return false
		}
		stmts = []map[string]any{one}
	}
	list := func(v any) []string {
		switch t := v.(type) {
		case string:
			return []string{t}
		case []any:
			var out []string
			for _, x := range t {
				if s, ok := x.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	decrypt, gen := false, false
	for _, s := range stmts {
		if s["Effect"] != "Allow" {
			continue
		}
		pr, _ := s["Principal"].(map[string]any)
		if !slices.Contains(list(pr["Service"]), service) {
			continue
		}
		for _, act := range list(s["Action"]) {
			switch act {
			case "kms:*":
				decrypt, gen = true, true
			case "kms:Decrypt":
				decrypt = true
			case "kms:GenerateDataKey*", "kms:GenerateDataKey":
				gen = true
			}
		}
	}
	return gen && (decrypt || !needDecrypt)
}

func (a *applier) topicPolicy(ctx context.Context, region string, p *plan.TopicPolicyParams) (outcome, error) {
	c := a.c.SNS(region)
	changed, err := a.mergeTopicPolicy(ctx, c, p.TopicARN)
	if err != nil {
		return outcome{}, err
	}
	if !changed {
		return outcome{resource: p.TopicARN, detail: "policy already lets this account's alarms publish"}, nil
	}
	return outcome{changed: true, resource: p.TopicARN, detail: "statement merged; other statements kept"}, nil
}

// --- subscription ---

func (a *applier) subscription(ctx context.Context, region string, p *plan.SubscriptionParams) (outcome, error) {
	topic := a.ref(plan.IDTopic, p.TopicARN)
	c := a.c.SNS(region)
	ep := p.Protocol + ":" + p.Endpoint
	pg := sns.NewListSubscriptionsByTopicPaginator(c, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(topic)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return outcome{}, fmt.Errorf("list subscriptions of %s: %w", topic, err)
		}
		for _, s := range out.Subscriptions {
			if aws.ToString(s.Protocol) == p.Protocol && aws.ToString(s.Endpoint) == p.Endpoint {
				if isPending(aws.ToString(s.SubscriptionArn)) {
					return outcome{resource: ep, pending: true, detail: pendingText(p)}, nil
				}
				return outcome{resource: aws.ToString(s.SubscriptionArn), detail: "already subscribed and confirmed"}, nil
			}
		}
	}
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String(p.Protocol), Endpoint: aws.String(p.Endpoint)})
	if err != nil {
		return outcome{}, fmt.Errorf("subscribe %s to %s: %w", ep, topic, err)
	}
	arn := aws.ToString(out.SubscriptionArn)
	if isPending(arn) {
		return outcome{changed: true, resource: ep, pending: true, detail: pendingText(p)}, nil
	}
	return outcome{changed: true, resource: arn, detail: "subscribed and confirmed"}, nil
}

func isPending(arn string) bool {
	a := strings.ToLower(arn)
	return a == "" || a == "pending confirmation" || a == "pendingconfirmation"
}

func pendingText(p *plan.SubscriptionParams) string {
	switch p.Protocol {
	case "email", "email-json":
		return "pending: " + p.Endpoint + " must click the link in the confirmation message AWS sent; until then the audit reports NO_CONFIRMED_SUBSCRIPTION"
	case "http", "https":
		return "pending: " + p.Endpoint + " must confirm by visiting the SubscribeURL SNS posted to it"
	}
	return "pending confirmation"
}

// --- alarm ---

func cwManaged(tags []cwtypes.Tag) bool {
	for _, t := range tags {
		if aws.ToString(t.Key) == plan.ManagedTagKey && aws.ToString(t.Value) == plan.ManagedTagValue {
			return true
		}
	}
	return false
}

func sameAlarm(m cwtypes.MetricAlarm, p *plan.AlarmParams, topic string) bool {
	return aws.ToString(m.MetricName) == p.MetricName && aws.ToString(m.Namespace) == p.Namespace &&
		string(m.Statistic) == p.Statistic && aws.ToInt32(m.Period) == p.PeriodSeconds &&
		aws.ToInt32(m.EvaluationPeriods) == p.EvaluationPeriods && aws.ToFloat64(m.Threshold) == p.Threshold &&
		string(m.ComparisonOperator) == p.ComparisonOperator && aws.ToString(m.TreatMissingData) == p.TreatMissingData &&
		aws.ToBool(m.ActionsEnabled) && slices.Contains(m.AlarmActions, topic) && len(m.Dimensions) == 0
}

func (a *applier) alarm(ctx context.Context, region string, action plan.Action, p *plan.AlarmParams) (outcome, error) {
	c := a.c.CloudWatch(region)
	topic := a.ref(plan.IDTopic, p.TopicARN)
	put := func(name string, actions []string, tag bool) error {
		in := &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(name), AlarmDescription: aws.String(p.Description),
			MetricName: aws.String(p.MetricName), Namespace: aws.String(p.Namespace), Statistic: cwtypes.Statistic(p.Statistic),
			Period: aws.Int32(p.PeriodSeconds), EvaluationPeriods: aws.Int32(p.EvaluationPeriods), Threshold: aws.Float64(p.Threshold),
			ComparisonOperator: cwtypes.ComparisonOperator(p.ComparisonOperator), TreatMissingData: aws.String(p.TreatMissingData),
			ActionsEnabled: aws.Bool(true), AlarmActions: actions}
		if tag {
			in.Tags = []cwtypes.Tag{{Key: aws.String(plan.ManagedTagKey), Value: aws.String(plan.ManagedTagValue)}}
		}
		_, err := c.PutMetricAlarm(ctx, in)
		if err != nil {
			return fmt.Errorf("put metric alarm %q: %w", name, err)
		}
		return nil
	}
	for _, name := range candidates(p.Name) {
		out, err := c.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm, cwtypes.AlarmTypeCompositeAlarm}})
		if err != nil {
			return outcome{}, fmt.Errorf("describe alarm %q: %w", name, err)
		}
		var cur *cwtypes.MetricAlarm
		for i := range out.MetricAlarms {
			if aws.ToString(out.MetricAlarms[i].AlarmName) == name {
				cur = &out.MetricAlarms[i]
			}
		}
		taken := cur != nil
		for _, ca := range out.CompositeAlarms {
			taken = taken || aws.ToString(ca.AlarmName) == name
		}
		if !taken {
			if err := put(name, append([]string{topic}, p.KeepActions...), true); err != nil {
				return outcome{}, err
			}
			d := "created, notifies " + topic
			if action == plan.Update {
				d = "the alarm to repair was not trailwatch's (or is gone): added a new alarm beside it, notifies " + topic
			}
			return outcome{changed: true, resource: name, detail: d + renamed(p.Name, name)}, nil
		}
		if cur == nil {
			continue // a composite alarm holds the name
		}
		tags, err := c.ListTagsForResource(ctx, &cloudwatch.ListTagsForResourceInput{ResourceARN: cur.AlarmArn})
		if err != nil {
			return outcome{}, fmt.Errorf("list tags of alarm %q: %w", name, err)
		}
		if !cwManaged(tags.Tags) {
			continue
		}
		if sameAlarm(*cur, p, topic) {
			return outcome{resource: name, detail: "trailwatch's alarm already notifies " + topic + renamed(p.Name, name)}, nil
		}
		actions := []string{topic}
		for _, x := range cur.AlarmActions {
			if !slices.Contains(actions, x) {
				actions = append(actions, x)
			}
		}
		if err := put(name, actions, false); err != nil {
			return outcome{}, err
		}
		return outcome{changed: true, resource: name, detail: "repaired trailwatch's alarm; notifies " + topic}, nil
	}
	return outcome{}, fmt.Errorf("alarm names %q to %q-%d are all taken by alarms trailwatch did not make; pass --alarm-name", p.Name, p.Name, maxNameTries)
}
