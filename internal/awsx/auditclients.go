package awsx

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/trailwatch/trailwatch/audit"
)

// AuditClients adapts the factory to the audit's read interfaces. Its STS
// client answers GetCallerIdentity from the factory's memoized identity, so
// the caller is identified once per run.
func (f *Factory) AuditClients() audit.Clients { return auditClients{f} }

type auditClients struct{ f *Factory }

func (a auditClients) Region() string                          { return a.f.Region() }
func (a auditClients) STS() audit.STSAPI                       { return memoSTS{a.f} }
func (a auditClients) CloudTrail(r string) audit.CloudTrailAPI { return a.f.CloudTrail(r) }
func (a auditClients) Logs(r string) audit.LogsAPI             { return a.f.Logs(r) }
func (a auditClients) CloudWatch(r string) audit.CloudWatchAPI { return a.f.CloudWatch(r) }
func (a auditClients) SNS(r string) audit.SNSAPI               { return a.f.SNS(r) }
func (a auditClients) KMS(r string) audit.KMSAPI               { return a.f.KMS(r) }

// SecurityHub reads whether Security Hub is enabled (CIS 4.16).
func (a auditClients) SecurityHub(r string) audit.SecurityHubAPI {
	return a.f.SecurityHub(r)
}

type memoSTS struct{ f *Factory }

func (m memoSTS) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	out, err := m.f.callerIdentity(ctx)
	if err != nil {
		return nil, err
	}
	cp := *out
	return &cp, nil
}
