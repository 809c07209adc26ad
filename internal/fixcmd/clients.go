package fixcmd

import (
	"context"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/remediate"
)

// Env is what the commands need from AWS: read clients for the audit and
// write clients for remediate.
type Env struct {
	Audit   audit.Clients
	Writers remediate.Clients
	// Reach reads other accounts for the audit (--chain-role); nil
	// without. Nothing is ever written through it.
	Reach func(ctx context.Context, account string) (audit.Clients, error)
	// Owners supplies a covering chain's report, shared across accounts
	// (audit.Options.Owners); nil: the audit reads it through Reach.
	Owners func(ctx context.Context, cov *audit.CoveredBy, opts audit.Options) (*audit.Report, error)
	// Factory is the account's AWS configuration, for other services
	// (Security Hub); nil for fakes.
	Factory *awsx.Factory
}

// factoryWriters adapts awsx.Factory's concrete clients to remediate.Clients.
type factoryWriters struct{ f *awsx.Factory }

func (w factoryWriters) CloudTrail(r string) remediate.CloudTrailAPI   { return w.f.CloudTrail(r) }
func (w factoryWriters) Logs(r string) remediate.LogsAPI               { return w.f.Logs(r) }
func (w factoryWriters) CloudWatch(r string) remediate.CloudWatchAPI   { return w.f.CloudWatch(r) }
func (w factoryWriters) SNS(r string) remediate.SNSAPI                 { return w.f.SNS(r) }
func (w factoryWriters) IAM() remediate.IAMAPI                         { return w.f.IAM() }
func (w factoryWriters) KMS(r string) remediate.KMSAPI                 { return w.f.KMS(r) }
func (w factoryWriters) S3(r string) remediate.S3API                   { return w.f.S3(r) }
func (w factoryWriters) SecurityHub(r string) remediate.SecurityHubAPI { return w.f.SecurityHub(r) }

// EnvFromFactory wraps a factory.
func EnvFromFactory(f *awsx.Factory) *Env {
	return &Env{Audit: f.AuditClients(), Writers: factoryWriters{f}, Factory: f}
}

// connectAWS loads the AWS configuration and checks that AWS answers the
// caller before anything else runs (awsx.Connect).
func connectAWS(s awsx.Settings, chainRoles map[string]string) func(ctx context.Context) (*Env, error) {
	return func(ctx context.Context) (*Env, error) {
		f, err := awsx.Connect(ctx, s)
		if err != nil {
			return nil, err
		}
		env := EnvFromFactory(f)
		if len(chainRoles) > 0 {
			env.Reach = f.Reach(chainRoles, s.RoleSessionName)
		}
		return env, nil
	}
}
