package remediate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/plan"
)

// SecurityHubAPI enables AWS Security Hub (CIS 4.16), after reading
// whether it is.
type SecurityHubAPI interface {
	DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, opts ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error)
	EnableSecurityHub(ctx context.Context, in *securityhub.EnableSecurityHubInput, opts ...func(*securityhub.Options)) (*securityhub.EnableSecurityHubOutput, error)
}

// HubClients are Clients that reach Security Hub too; only a plan for CIS
// 4.16 needs them.
type HubClients interface {
	SecurityHub(region string) SecurityHubAPI
}

// securityHub enables Security Hub in the region, unless it is already:
// then nothing is written. Another run enabling it meanwhile answers
// ResourceConflictException ("already subscribed"), which is the same end.
func (a *applier) securityHub(ctx context.Context, region string, p *plan.SecurityHubParams) (outcome, error) {
	hc, ok := a.c.(HubClients)
	if !ok {
		return outcome{}, errors.New("these clients cannot reach Security Hub")
	}
	c := hc.SecurityHub(region)
	out, err := c.DescribeHub(ctx, &securityhub.DescribeHubInput{})
	switch {
	case err == nil:
		return outcome{resource: aws.ToString(out.HubArn), detail: "already enabled"}, nil
	case awserr.Code(err) != "InvalidAccessException" || !strings.Contains(strings.ToLower(awserr.Message(err)), "not subscribed"):
		return outcome{}, fmt.Errorf("read Security Hub in %s: %w", region, err)
	}
	_, err = c.EnableSecurityHub(ctx, &securityhub.EnableSecurityHubInput{EnableDefaultStandards: aws.Bool(p.EnableDefaultStandards)})
	if err != nil && awserr.Code(err) == "ResourceConflictException" {
		return outcome{detail: "enabled meanwhile by someone else"}, nil
	}
	if err != nil {
		return outcome{}, fmt.Errorf("enable Security Hub in %s: %w", region, err)
	}
	return outcome{changed: true, resource: "hub/default", detail: "enabled, with no standard"}, nil
}
