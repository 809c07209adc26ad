package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// CIS 4.16: AWS Security Hub is enabled. It has no chain: one read,
// securityhub:DescribeHub, in the audited region.

// SecurityHubAPI reads whether Security Hub is enabled.
type SecurityHubAPI interface {
	DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, opts ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error)
}

// HubClients are Clients that also read Security Hub; CIS 4.16 needs them.
type HubClients interface {
	SecurityHub(region string) SecurityHubAPI
}

// runHub audits CIS 4.16. DescribeHub answers with the hub when Security
// Hub is enabled, and with InvalidAccessException ("not subscribed to AWS
// Security Hub") when it is not (Security Hub API reference, DescribeHub).
func runHub(ctx context.Context, c Clients, opts Options) (*Report, error) {
	ctl := opts.Control
	r := &Report{Control: ctl.ID, Title: ctl.Title, Controls: slices.Clone(ctl.Names), Region: c.Region(), Strict: opts.Strict,
		Chain: []Link{}, Gaps: []Gap{}, Warnings: []Warning{}, Unknown: []UnknownRead{}}
	id, err := c.STS().GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		r.Unknown = append(r.Unknown, unknownRead(LinkAccount, "sts", "GetCallerIdentity", "", err))
	} else {
		r.Account, r.Caller = aws.ToString(id.Account), aws.ToString(id.Arn)
	}
	var out *securityhub.DescribeHubOutput
	err = ErrNoHub
	if hc, ok := c.(HubClients); ok {
		out, err = hc.SecurityHub(r.Region).DescribeHub(ctx, &securityhub.DescribeHubInput{})
	}
	if errors.Is(err, ErrNoHub) {
		r.Chain = append(r.Chain, Link{Name: chain.LinkSecurityHub, Status: Unknown, Detail: "not read: these clients (an evidence file) hold no Security Hub read"})
		r.Unknown = append(r.Unknown, UnknownRead{Link: chain.LinkSecurityHub, API: "DescribeHub", Action: "securityhub:DescribeHub", Resource: r.Region,
			Message: "the reads at hand do not include Security Hub's"})
		return r, nil
	}
	switch {
	case err == nil:
		l := Link{Name: chain.LinkSecurityHub, Status: Passed, Resource: aws.ToString(out.HubArn), Field: "HubArn"}
		if at := aws.ToString(out.SubscribedAt); at != "" {
			l.Detail = "enabled since " + at
		}
		r.Chain = append(r.Chain, l)
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case awserr.Code(err) == "InvalidAccessException" && strings.Contains(strings.ToLower(awserr.Message(err)), "not subscribed"):
		l := Link{Name: chain.LinkSecurityHub, Status: Missing, Detail: "not enabled in " + r.Region}
		r.Chain = append(r.Chain, l)
		r.Gaps = append(r.Gaps, Gap{Code: chain.SecurityHubNotEnabled, Link: chain.LinkSecurityHub, Message: fmt.Sprintf("AWS Security Hub is not enabled in %s", r.Region)})
	default:
		u := unknownRead(chain.LinkSecurityHub, "securityhub", "DescribeHub", r.Region, err)
		r.Unknown = append(r.Unknown, u)
		r.Chain = append(r.Chain, Link{Name: chain.LinkSecurityHub, Status: Unknown, Detail: unread(u)})
	}
	switch {
	case len(r.Gaps) > 0:
		r.Compliant = aws.Bool(false)
	case len(r.Unknown) == 0:
		r.Compliant = aws.Bool(true)
	}
	return r, nil
}
