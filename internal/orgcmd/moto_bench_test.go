package orgcmd_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// BenchmarkOrgAuditMoto audits an organization of 50 accounts in moto, each
// with its own compliant chain, through the real SDK, assume-role included,
// at several concurrencies; it reports the wall time of one `audit --org`.
// Building the accounts takes about a minute, so it runs on demand only:
//
//	go test ./internal/orgcmd -run - -bench OrgAuditMoto -benchtime 1x
func BenchmarkOrgAuditMoto(b *testing.B) {
	const n = 50
	srv := motoserver.Shared(b)
	srv.SetEnv(b, region)
	ctx := context.Background()
	base := awsx.FromConfig(srv.Config(b, region))
	orgs := organizations.NewFromConfig(base.Config())
	if _, err := orgs.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		b.Fatal(err)
	}
	testaccount.New(b, base).Chain(testaccount.Chain{Prefix: "mgmt"})
	for i := range n - 1 {
		name := "member-" + strconv.Itoa(i)
		out, err := orgs.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
		if err != nil {
			b.Fatal(err)
		}
		f, err := base.Assume(ctx, chain.RoleARN("aws", aws.ToString(out.CreateAccountStatus.AccountId), "OrganizationAccountAccessRole"), "", "")
		if err != nil {
			b.Fatal(err)
		}
		testaccount.New(b, f).Chain(testaccount.Chain{Prefix: "m" + strconv.Itoa(i)})
	}
	for _, c := range []int{1, 4, 16, 32} {
		b.Run(fmt.Sprintf("concurrency=%d", c), func(b *testing.B) {
			var wall time.Duration
			for b.Loop() {
				start := time.Now()
				code, out, errOut := testaccount.Run(ctx, 10*time.Minute, false, "audit", "--org", "--concurrency", strconv.Itoa(c), "--output", "json")
				wall = time.Since(start)
				if code != 0 {
					b.Fatalf("exit %d\n%s\n%s", code, out[:min(len(out), 2000)], errOut)
				}
			}
			b.ReportMetric(wall.Seconds(), "wall-s")
			b.ReportMetric(float64(n)/wall.Seconds(), "accounts/s")
		})
	}
}
