package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// A denied read makes its link unknown: exit 1, the verdict null, and the
// report names the IAM action; never a gap. moto enforces IAM after
// EnforceIAM, for requests signed with the keys of a user it knows.
func TestAuditDeniedReadIsUnknown(t *testing.T) {
	e := newEnv(t)
	a := e.account()
	a.Chain(testaccount.Chain{})

	ctx := context.Background()
	im := a.Factory.IAM()
	_, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("auditor")})
	a.Must(err, "CreateUser")
	// Everything but listing a topic's subscriptions.
	const policy = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"sns:ListSubscriptionsByTopic","Resource":"*"}]}`
	_, err = im.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("auditor"), PolicyName: aws.String("audit"), PolicyDocument: aws.String(policy)})
	a.Must(err, "PutUserPolicy")
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("auditor")})
	a.Must(err, "CreateAccessKey")
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	e.srv.EnforceIAM(t)
	t.Cleanup(func() { e.srv.Reset(t) })

	res, r := e.audit()
	if res.code != 1 || r.verdict() != "unknown" {
		t.Fatalf("exit %d, verdict %s, gaps %v; want unknown, exit 1\nstderr: %s", res.code, r.verdict(), r.codes(), res.stderr)
	}
	if len(r.Gaps) != 0 {
		t.Errorf("a denied read reported as gaps: %v", r.codes())
	}
	found := false
	for _, u := range r.Unknown {
		if strings.Contains(u["action"].(string), "sns:ListSubscriptionsByTopic") {
			found = true
		}
	}
	if !found {
		t.Errorf("unknown reads %v do not name sns:ListSubscriptionsByTopic", r.Unknown)
	}
	if res.stderr != "" {
		t.Errorf("stderr %q; the report says it all", res.stderr)
	}
}

// A role that cannot be assumed is one clear error naming the role and why.
func TestAuditAssumeRoleDenied(t *testing.T) {
	e := newEnv(t)
	a := e.account()
	ctx := context.Background()
	im := a.Factory.IAM()
	_, err := im.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ci")})
	a.Must(err, "CreateUser")
	const policy = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}`
	_, err = im.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ci"), PolicyName: aws.String("no-assume"), PolicyDocument: aws.String(policy)})
	a.Must(err, "PutUserPolicy")
	key, err := im.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ci")})
	a.Must(err, "CreateAccessKey")
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	e.srv.EnforceIAM(t)
	t.Cleanup(func() { e.srv.Reset(t) })

	const role = "arn:aws:iam::111122223333:role/trailwatch-audit"
	res := e.run("audit", "--endpoint-url", e.endpoint, "--assume-role", role)
	t.Logf("stderr: %s", res.stderr)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	if !strings.Contains(res.stderr, role) || !strings.Contains(res.stderr, "AccessDenied") {
		t.Errorf("stderr %q; want the role and the reason (AccessDenied)", res.stderr)
	}
	if res.stdout != "" {
		t.Errorf("stdout %q; want nothing", res.stdout)
	}
}
