package fixcmd

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/plan"
	"github.com/trailwatch/trailwatch/remediate"
)

// One account's flow, for callers that work on many accounts at once
// (`--org`, internal/orgcmd): the same steps plan and fix take, without
// printing, prompting or exit statuses.

// PlanAccount audits the account env reaches and plans its repair exactly
// as plan and fix do (plan, look up the names the plan would create, plan
// again). The report is returned even when no plan can be made (an
// unknown read: *plan.UnknownError).
func PlanAccount(ctx context.Context, env *Env, strict bool, c plan.Choices) (*audit.Report, *plan.Plan, error) {
	r, err := auditNow(ctx, env, strict, c)
	if err != nil {
		return nil, nil, err
	}
	p, err := buildPlan(ctx, audited{env: env, report: r}, c)
	return r, p, err
}

// ApplyAccount applies p (remediate.Apply re-checks before each write and
// never deletes) and audits the account again. The result is returned even
// when a step failed, with the error; after is nil then.
func ApplyAccount(ctx context.Context, env *Env, p *plan.Plan, strict bool, opts remediate.Options) (res *remediate.Result, after *audit.Report, err error) {
	res, err = remediate.Apply(ctx, p, env.Writers, opts)
	if err != nil {
		return res, nil, err
	}
	after, err = auditNow(ctx, env, strict, p.Choices)
	return res, after, err
}

// ChoicesFrom reads and validates the choice flags plan and fix take.
func ChoicesFrom(c *cli.Context) (plan.Choices, error) {
	// choicesFrom narrows --retention-days to int32; a value past that
	// range would wrap around to another (possibly valid) number of days.
	if d := c.Int("retention-days"); d != int(int32(d)) {
		return plan.Choices{}, fmt.Errorf("--retention-days %d: want one of %v", d, plan.RetentionValues)
	}
	ch := choicesFrom(c)
	if err := ch.Validate(); err != nil {
		return plan.Choices{}, err
	}
	return ch, nil
}
