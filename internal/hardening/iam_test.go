package hardening

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

// keys are an IAM user's access keys in moto.
type keys struct{ id, secret string }

// motoPolicy is p as moto needs it: moto authorizes CloudWatch calls under
// the signing name "monitoring:" rather than "cloudwatch:", so every
// cloudwatch action gets a monitoring alias. The printed policy keeps AWS's
// real names.
func motoPolicy(t *testing.T, p iampolicy.Policy) string {
	t.Helper()
	p.Statement = append([]iampolicy.Statement(nil), p.Statement...)
	for i, s := range p.Statement {
		var aliases []string
		for _, a := range s.Action {
			if op, ok := strings.CutPrefix(a, "cloudwatch:"); ok {
				aliases = append(aliases, "monitoring:"+op)
			}
		}
		p.Statement[i].Action = append(append([]string(nil), s.Action...), aliases...)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const adminPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// iamAdmin manages users in moto. Made before IAM is enforced, it keeps
// working after with its own keys.
type iamAdmin struct {
	t   *testing.T
	srv *motoserver.Server
	iam *iam.Client
}

func newIAMAdmin(t *testing.T, srv *motoserver.Server) *iamAdmin {
	t.Helper()
	root := &iamAdmin{t: t, srv: srv, iam: awsx.FromConfig(srv.Config(t, home)).IAM()}
	k := root.user("trailwatch-test-admin", adminPolicy)
	return &iamAdmin{t: t, srv: srv, iam: awsx.FromConfig(srv.ConfigWithKeys(t, home, k.id, k.secret)).IAM()}
}

// user creates a user with one inline policy and returns its keys.
func (a *iamAdmin) user(name, policy string) keys {
	a.t.Helper()
	ctx := context.Background()
	if _, err := a.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		a.t.Fatalf("CreateUser %s: %v", name, err)
	}
	a.setPolicy(name, policy)
	out, err := a.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		a.t.Fatalf("CreateAccessKey %s: %v", name, err)
	}
	return keys{aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey)}
}

// setPolicy replaces the user's inline policy.
func (a *iamAdmin) setPolicy(user, policy string) {
	a.t.Helper()
	_, err := a.iam.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{
		UserName: aws.String(user), PolicyName: aws.String("trailwatch"), PolicyDocument: aws.String(policy),
	})
	if err != nil {
		a.t.Fatalf("PutUserPolicy %s: %v", user, err)
	}
}

// as makes the command line use k for the rest of the test.
func as(t *testing.T, k keys) {
	t.Setenv("AWS_ACCESS_KEY_ID", k.id)
	t.Setenv("AWS_SECRET_ACCESS_KEY", k.secret)
}
