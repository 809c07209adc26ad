package remediate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// anyARN gives an ARN of this plan to read the partition from.
func (a *applier) anyARN() string {
	if t := a.p.State.Facts.Trail; t != nil {
		return t.ARN
	}
	if s := a.trailStep(); s != nil {
		return s.Params.Trail.ARN
	}
	return chain.TrailARN(chain.RegionPartition(a.p.Region), a.p.Region, a.p.Account, "x")
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

func (a *applier) probeLogGroup(ctx context.Context, region, name string, p *plan.LogGroupParams) (state, error) {
	logs := a.c.Logs(region)
	g, err := findLogGroup(ctx, logs, name)
	if err != nil {
		return state{}, fmt.Errorf("describe log groups %q: %w", name, err)
	}
	if g == nil {
		return state{owner: chain.Free}, nil
	}
	tags, err := logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{
		ResourceArn: aws.String(chain.LogGroupTagARN(chain.PartitionOf(a.anyARN()), region, a.p.Account, name))})
	if err != nil {
		return state{}, fmt.Errorf("list tags of log group %q: %w", name, err)
	}
	if !chain.Managed(tags.Tags) {
		return state{owner: chain.Foreign}, nil
	}
	st := state{owner: chain.Ours}
	if g.RetentionInDays == nil {
		st.changes = []string{"retention"}
	}
	return st, nil
}

func (a *applier) logGroup(ctx context.Context, s plan.Step) (outcome, error) {
	p, region := s.Params.LogGroup, s.Address.Region
	logs := a.c.Logs(region)
	name, st, err := a.settle(ctx, s)
	if err != nil {
		return outcome{}, err
	}
	a.resolve(s.ID, name)
	retention := func(what string) (outcome, error) {
		if _, err := logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(p.RetentionDays)}); err != nil {
			return outcome{resource: name}, fmt.Errorf("%s log group %q but could not set its retention: %w", what, name, err)
		}
		return outcome{changed: true, resource: name, detail: fmt.Sprintf("%s, retention %d days%s", what, p.RetentionDays, chain.Renamed(p.Name, name))}, nil
	}
	if st.owner == chain.Free {
		_, err := logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: chain.ManagedTags()})
		var exists *cwltypes.ResourceAlreadyExistsException
		switch {
		case err == nil:
			return retention("created")
		case errors.As(err, &exists) || awserr.Code(err) == "ResourceAlreadyExistsException":
			// A retry or a concurrent run won the create: adopt it if it
			// is trailwatch's.
			if st, err = a.probe(ctx, s, name); err != nil {
				return outcome{}, err
			}
			if st.owner != chain.Ours {
				return outcome{}, fmt.Errorf("create log group %q: someone else created it meanwhile; run fix again to pick another name", name)
			}
		default:
			return outcome{}, fmt.Errorf("create log group %q: %w", name, err)
		}
	}
	if len(st.changes) > 0 {
		return retention("trailwatch's group existed;")
	}
	return outcome{resource: name, detail: "trailwatch's group already exists" + chain.Renamed(p.Name, name)}, nil
}

// rolePolicies are the trust and inline policies of trailwatch's delivery
// role, with the names apply settled.
func (a *applier) rolePolicies(ctx context.Context, p *plan.LogsRoleParams) (trust, policy, trail, group string, err error) {
	group = a.ref(plan.IDLogGroup, p.LogGroupName)
	trail, err = a.trailARN(ctx, p.TrailARN)
	if err != nil {
		return "", "", "", "", err
	}
	trust = plan.RoleTrustPolicy(a.p.Account, trail)
	policy = plan.RolePolicy(chain.PartitionOf(p.TrailARN), p.LogGroupRegion, a.p.Account, group)
	return trust, policy, trail, group, nil
}

func (a *applier) probeRole(ctx context.Context, name string, p *plan.LogsRoleParams) (state, error) {
	c := a.c.IAM()
	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	if err != nil && awserr.IsNotFound(err) {
		return state{owner: chain.Free}, nil
	}
	if err != nil {
		return state{}, fmt.Errorf("get role %q: %w", name, err)
	}
	if !chain.Managed(chain.IAMTags(got.Role.Tags)) {
		return state{owner: chain.Foreign}, nil
	}
	trust, policy, _, _, err := a.rolePolicies(ctx, p)
	if err != nil {
		return state{}, err
	}
	st := state{owner: chain.Ours}
	if !plan.SamePolicy(aws.ToString(got.Role.AssumeRolePolicyDocument), trust) {
		st.changes = append(st.changes, "trust policy")
	}
	rp, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName)})
	if err != nil && !awserr.IsNotFound(err) {
		return state{}, fmt.Errorf("get policy %s of role %q: %w", p.PolicyName, name, err)
	}
	if err != nil || !plan.SamePolicy(aws.ToString(rp.PolicyDocument), policy) {
		st.changes = append(st.changes, "inline policy "+p.PolicyName)
	}
	return st, nil
}

func (a *applier) role(ctx context.Context, s plan.Step) (outcome, error) {
	p := s.Params.LogsRole
	c := a.c.IAM()
	trust, policy, trail, group, err := a.rolePolicies(ctx, p)
	if err != nil {
		return outcome{}, err
	}
	name, st, err := a.settle(ctx, s)
	if err != nil {
		return outcome{}, err
	}
	arn := chain.RoleARN(chain.PartitionOf(p.TrailARN), a.p.Account, name)
	a.resolve(s.ID, arn)
	if st.owner == chain.Free {
		out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(trust),
			Description:              aws.String("CloudTrail delivers trail " + trail + " to CloudWatch Logs group " + group + ". Made by trailwatch."),
			Tags:                     chain.IAMManagedTags()})
		switch {
		case err == nil:
			arn = aws.ToString(out.Role.Arn)
			a.resolve(s.ID, arn)
			if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(policy)}); err != nil {
				return outcome{resource: arn}, fmt.Errorf("created role %q but could not put its policy: %w", name, err)
			}
			return outcome{changed: true, resource: arn, detail: "created with inline policy " + p.PolicyName + chain.Renamed(p.Name, name)}, nil
		case awserr.Code(err) == "EntityAlreadyExists":
			if st, err = a.probe(ctx, s, name); err != nil {
				return outcome{}, err
			}
			if st.owner != chain.Ours {
				return outcome{}, fmt.Errorf("create role %q: someone else created it meanwhile; run fix again to pick another name", name)
			}
		default:
			return outcome{}, fmt.Errorf("create role %q: %w", name, err)
		}
	}
	if len(st.changes) == 0 {
		return outcome{resource: arn, detail: "trailwatch's role already exists" + chain.Renamed(p.Name, name)}, nil
	}
	if _, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(name), PolicyDocument: aws.String(trust)}); err != nil {
		return outcome{resource: arn}, fmt.Errorf("update trust policy of role %q: %w", name, err)
	}
	if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(p.PolicyName), PolicyDocument: aws.String(policy)}); err != nil {
		return outcome{resource: arn}, fmt.Errorf("put policy %s on role %q: %w", p.PolicyName, name, err)
	}
	return outcome{changed: true, resource: arn, detail: "trailwatch's role existed; its policies were brought up to date"}, nil
}

// metricFilter puts trailwatch's filter: a new one under a name no filter
// holds, or (update) trailwatch's own filter back in place under its name.
func (a *applier) metricFilter(ctx context.Context, s plan.Step) (outcome, error) {
	p, region := s.Params.MetricFilter, s.Address.Region
	logs := a.c.Logs(region)
	group := a.ref(plan.IDLogGroup, p.LogGroupName)
	w := chain.WantFilter{Name: p.Name, LogGroup: group, Pattern: p.Pattern, MetricName: p.MetricName, Namespace: p.Namespace, MetricValue: p.MetricValue}
	var found *cwltypes.MetricFilter
	pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(logs, &cloudwatchlogs.DescribeMetricFiltersInput{
		LogGroupName: aws.String(group), FilterNamePrefix: aws.String(p.Name)})
	for pg.HasMorePages() && found == nil {
		out, err := pg.NextPage(ctx)
		if err != nil {
			return outcome{}, fmt.Errorf("describe metric filters %q on %s: %w", p.Name, group, err)
		}
		for i := range out.MetricFilters {
			if aws.ToString(out.MetricFilters[i].FilterName) == p.Name {
				found = &out.MetricFilters[i]
				break
			}
		}
	}
	switch {
	case found != nil && w.Same(*found):
		return outcome{resource: p.Name, detail: "an identical filter already exists"}, nil
	case found != nil && s.Action == plan.Create:
		return outcome{}, fmt.Errorf("a filter named %q appeared on %s since the plan was made; nothing was written, run fix again", p.Name, group)
	case found == nil && s.Action == plan.Update:
		return outcome{}, fmt.Errorf("trailwatch's filter %q is no longer on %s; nothing was written, run fix again", p.Name, group)
	}
	_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{
		LogGroupName: aws.String(group), FilterName: aws.String(p.Name), FilterPattern: aws.String(p.Pattern),
		MetricTransformations: []cwltypes.MetricTransformation{{
			MetricName: aws.String(p.MetricName), MetricNamespace: aws.String(p.Namespace), MetricValue: aws.String(p.MetricValue)}}})
	if err != nil {
		return outcome{}, fmt.Errorf("put metric filter %q on %s: %w", p.Name, group, err)
	}
	d := fmt.Sprintf("on %s, metric %s/%s", group, p.Namespace, p.MetricName)
	if s.Action == plan.Update {
		d = "trailwatch's filter put back in place; " + d
	}
	return outcome{changed: true, resource: p.Name, detail: d}, nil
}
