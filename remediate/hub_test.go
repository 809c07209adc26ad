package remediate

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/plan"
)

// hubFake is a Security Hub that records what enabling it asked for.
type hubFake struct {
	*fake
	enabled  bool
	conflict bool // another run enabled it meanwhile
	inputs   []*securityhub.EnableSecurityHubInput
}

func (h *hubFake) SecurityHub(string) SecurityHubAPI { return h }

func (h *hubFake) DescribeHub(context.Context, *securityhub.DescribeHubInput, ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	if !h.enabled {
		return nil, &smithy.GenericAPIError{Code: "InvalidAccessException", Message: "Account 123456789012 is not subscribed to AWS Security Hub"}
	}
	return &securityhub.DescribeHubOutput{HubArn: aws.String("arn:aws:securityhub:us-east-1:123456789012:hub/default")}, nil
}

func (h *hubFake) EnableSecurityHub(_ context.Context, in *securityhub.EnableSecurityHubInput, _ ...func(*securityhub.Options)) (*securityhub.EnableSecurityHubOutput, error) {
	h.inputs = append(h.inputs, in)
	if h.conflict {
		return nil, &smithy.GenericAPIError{Code: "ResourceConflictException", Message: "Account is already subscribed to Security Hub"}
	}
	h.enabled = true
	return &securityhub.EnableSecurityHubOutput{}, nil
}

// CIS 4.16's step enables Security Hub with no standard (enabling AWS's
// defaults is the user's choice), once; enabled already, or meanwhile by
// another run, it writes nothing and is no failure.
func TestSecurityHubStep(t *testing.T) {
	p := &plan.Plan{Account: "123456789012", Region: "us-east-1", Steps: []plan.Step{{ID: plan.IDSecurityHub, Action: plan.Create,
		Address: plan.Address{Kind: plan.KindSecurityHub, Name: "default", Region: "us-east-1"}, Params: plan.Params{SecurityHub: &plan.SecurityHubParams{}}}}}
	for _, tc := range []struct {
		name              string
		enabled, conflict bool
		want              Status
		calls             int
	}{
		{"not enabled", false, false, Done, 1},
		{"enabled already", true, false, NoChange, 0},
		{"enabled meanwhile", false, true, NoChange, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &hubFake{fake: newFake(), enabled: tc.enabled, conflict: tc.conflict}
			res, err := Apply(context.Background(), p, h, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Steps[0].Status; got != tc.want {
				t.Errorf("status %s, want %s", got, tc.want)
			}
			if len(h.inputs) != tc.calls {
				t.Fatalf("%d EnableSecurityHub calls, want %d", len(h.inputs), tc.calls)
			}
			for _, in := range h.inputs {
				if in.EnableDefaultStandards == nil || *in.EnableDefaultStandards {
					t.Errorf("EnableDefaultStandards %v, want false", in.EnableDefaultStandards)
				}
			}
		})
	}
}
