package securityhub

import (
	"context"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
	"github.com/trailwatch/trailwatch/internal/motoserver"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

// hubs hands out real Security Hub clients against moto, each with the
// credentials of a role assumed in the finding's account, as --org does.
type hubs struct {
	t       *testing.T
	base    aws.Config
	mu      sync.Mutex // Import asks for clients from several goroutines
	clients map[string]*securityhub.Client
}

func newHubs(t *testing.T) *hubs {
	srv := motoserver.Shared(t)
	return &hubs{t: t, base: srv.Config(t, "us-east-1"), clients: map[string]*securityhub.Client{}}
}

func (h *hubs) client(account string) *securityhub.Client {
	h.mu.Lock()
	defer h.mu.Unlock()
	if c, ok := h.clients[account]; ok {
		return c
	}
	cfg := h.base.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(h.base),
		"arn:aws:iam::"+account+":role/trailwatch-findings"))
	c := securityhub.NewFromConfig(cfg)
	// Security Hub must be enabled in an account before it takes findings.
	if _, err := c.EnableSecurityHub(context.Background(), &securityhub.EnableSecurityHubInput{}); err != nil {
		h.t.Fatalf("enable Security Hub in %s: %v", account, err)
	}
	h.clients[account] = c
	return c
}

type counting struct {
	API
	n *int
}

func (c counting) BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, o ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	*c.n++
	return c.API.BatchImportFindings(ctx, in, o...)
}

func (h *hubs) clientFor(_ context.Context, account, region string) (API, error) {
	if region != "us-east-1" {
		h.t.Errorf("client asked for region %s", region)
	}
	return h.client(account), nil
}

// reread returns every finding stored in account, by Id, following pages.
func (h *hubs) reread(account string) map[string]map[string]string {
	out := map[string]map[string]string{}
	p := securityhub.NewGetFindingsPaginator(h.client(account), &securityhub.GetFindingsInput{MaxResults: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			h.t.Fatalf("GetFindings in %s: %v", account, err)
		}
		for _, f := range page.Findings {
			id := aws.ToString(f.Id)
			if _, dup := out[id]; dup {
				h.t.Errorf("%s: finding %s listed twice", account, id)
			}
			var status string
			if f.Compliance != nil {
				status = string(f.Compliance.Status)
			}
			out[id] = map[string]string{
				"account": aws.ToString(f.AwsAccountId), "status": status,
				"updated": aws.ToString(f.UpdatedAt), "product": aws.ToString(f.ProductArn),
			}
		}
	}
	return out
}

func ids(m map[string]map[string]string) []string {
	var out []string
	for id := range m {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Import an organization's findings, reread them from each account, rerun
// with the gaps resolved: the same ids now say PASSED and nothing is
// duplicated.
func TestRoundTripOnMoto(t *testing.T) {
	h := newHubs(t)
	fs := fixture.Org()
	res, err := Import(context.Background(), fs, h.clientFor)
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != len(fs) || len(res.Failed) != 0 {
		t.Fatalf("result %+v", res)
	}

	want := map[string][]string{}
	for _, f := range fs {
		want[f.AccountID] = append(want[f.AccountID], f.ID())
	}
	statusOf := map[findings.Status]string{findings.Passed: "PASSED", findings.Failed: "FAILED", findings.Unknown: "WARNING"}
	first := map[string]map[string]string{}
	for account, wantIDs := range want {
		got := h.reread(account)
		sort.Strings(wantIDs)
		if !slices.Equal(ids(got), wantIDs) {
			t.Errorf("account %s holds %v, want %v", account, ids(got), wantIDs)
		}
		for id, f := range got {
			if f["account"] != account {
				t.Errorf("%s: AwsAccountId %s in account %s", id, f["account"], account)
			}
			first[id] = f
		}
	}
	for _, f := range fs {
		if got := first[f.ID()]["status"]; got != statusOf[f.Status] {
			t.Errorf("%s: status %s, want %s", f.ID(), got, statusOf[f.Status])
		}
	}

	// Rerun an hour later with every gap fixed and every read allowed.
	later := fixture.Org()
	for i := range later {
		later[i].Time = later[i].Time.Add(time.Hour)
		later[i].Status, later[i].Gaps, later[i].Unknown = findings.Passed, nil, nil
	}
	if res, err := Import(context.Background(), later, h.clientFor); err != nil || res.Imported != len(later) {
		t.Fatalf("rerun: %+v, %v", res, err)
	}
	for account, wantIDs := range want {
		got := h.reread(account)
		if !slices.Equal(ids(got), wantIDs) {
			t.Errorf("after the rerun account %s holds %v, want the same %v", account, ids(got), wantIDs)
		}
		for id, f := range got {
			if f["status"] != "PASSED" || f["updated"] <= first[id]["updated"] || f["product"] != first[id]["product"] {
				t.Errorf("%s after the rerun: %v (before %v)", id, f, first[id])
			}
		}
	}
}

// More than 100 findings for one account go in batches of 100 and all
// arrive.
func TestBatchesOnMoto(t *testing.T) {
	h := newHubs(t)
	fs := many("555555555555", 230)
	calls := 0
	clientFor := func(ctx context.Context, account, region string) (API, error) {
		return counting{h.client(account), &calls}, nil
	}
	res, err := Import(context.Background(), fs, clientFor)
	if err != nil || res.Imported != 230 {
		t.Fatalf("result %+v, %v", res, err)
	}
	if calls != 3 {
		t.Errorf("%d BatchImportFindings calls, want 3", calls)
	}
	if got := h.reread("555555555555"); len(got) != 230 {
		t.Errorf("reread %d findings, want 230", len(got))
	}
	if got := h.reread("111111111111"); len(got) != 0 {
		t.Errorf("another account holds %d findings", len(got))
	}
}
