package org_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/org"
)

// pages is a fake ListAccounts that answers two accounts per page and
// records the tokens it was given.
type pages struct {
	accounts []orgtypes.Account
	err      error
	tokens   []string
}

func (p *pages) ListAccounts(_ context.Context, in *organizations.ListAccountsInput, _ ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error) {
	if p.err != nil {
		return nil, p.err
	}
	tok := aws.ToString(in.NextToken)
	p.tokens = append(p.tokens, tok)
	start := 0
	if tok != "" {
		start = int(tok[0] - '0')
	}
	end := min(start+2, len(p.accounts))
	out := &organizations.ListAccountsOutput{Accounts: p.accounts[start:end]}
	if end < len(p.accounts) {
		out.NextToken = aws.String(string(rune('0' + end)))
	}
	return out, nil
}

func acct(id, name string, state orgtypes.AccountState, status orgtypes.AccountStatus) orgtypes.Account {
	return orgtypes.Account{Id: aws.String(id), Name: aws.String(name), State: state, Status: status}
}

func fixture() *pages {
	return &pages{accounts: []orgtypes.Account{
		acct("333333333333", "sandbox", orgtypes.AccountStateActive, orgtypes.AccountStatusActive),
		acct("111111111111", "management", orgtypes.AccountStateActive, orgtypes.AccountStatusActive),
		acct("444444444444", "closed", orgtypes.AccountStateSuspended, orgtypes.AccountStatusSuspended),
		acct("222222222222", "dev", "", orgtypes.AccountStatusActive), // an endpoint that sends only Status
		acct("555555555555", "closing", orgtypes.AccountStatePendingClosure, orgtypes.AccountStatusActive),
	}}
}

func TestList(t *testing.T) {
	all := []org.Account{{"111111111111", "management"}, {"222222222222", "dev"}, {"333333333333", "sandbox"}}
	for _, tc := range []struct {
		name    string
		sel     org.Selection
		want    []org.Account
		wantErr string
	}{
		{name: "every active account, sorted", want: all},
		{name: "only", sel: org.Selection{Only: []string{"333333333333", "111111111111"}}, want: []org.Account{all[0], all[2]}},
		{name: "exclude", sel: org.Selection{Exclude: []string{"222222222222"}}, want: []org.Account{all[0], all[2]}},
		{name: "only and exclude", sel: org.Selection{Only: []string{"111111111111", "222222222222"}, Exclude: []string{"222222222222"}}, want: all[:1]},
		{name: "unknown id", sel: org.Selection{Only: []string{"999999999999"}}, wantErr: "--accounts 999999999999: no account of the organization has this id"},
		{name: "suspended id", sel: org.Selection{Exclude: []string{"444444444444"}}, wantErr: "--exclude-accounts 444444444444: the account is SUSPENDED"},
		{name: "pending closure is not active", sel: org.Selection{Only: []string{"555555555555"}}, wantErr: "PENDING_CLOSURE"},
		{name: "nothing left", sel: org.Selection{Only: []string{"111111111111"}, Exclude: []string{"111111111111"}}, wantErr: "no account left"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := fixture()
			got, err := org.List(context.Background(), p, tc.sel)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("accounts (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{"", "2", "4"}, p.tokens); diff != "" {
				t.Errorf("pages requested (-want +got):\n%s", diff)
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not allowed"}, "organizations:ListAccounts was denied: run --org from the management account or a delegated administrator"},
		{"not in an organization", &smithy.GenericAPIError{Code: "AWSOrganizationsNotInUseException", Message: "no org"}, "this account is not in an organization"},
		{"other", errors.New("boom"), "list the organization's accounts (organizations:ListAccounts): boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := org.List(context.Background(), &pages{err: tc.err}, org.Selection{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestParseIDs(t *testing.T) {
	got, err := org.ParseIDs("accounts", " 111111111111, 222222222222,,111111111111 ")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"111111111111", "222222222222"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got, err := org.ParseIDs("accounts", ""); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
	if _, err := org.ParseIDs("exclude-accounts", "1234"); err == nil || !strings.Contains(err.Error(), "--exclude-accounts") || !strings.Contains(err.Error(), `"1234"`) {
		t.Errorf("bad id: err = %v", err)
	}
}

func TestValidateRoleName(t *testing.T) {
	for _, ok := range []string{"OrganizationAccountAccessRole", "audit/trailwatch-audit", "a+b=c,d.e@f_g-h"} {
		if err := org.ValidateRoleName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for name, want := range map[string]string{
		"arn:aws:iam::123456789012:role/x": "not an ARN",
		"":                                 "expected a role name",
		"/x":                               "expected a role name",
		"a//b":                             "expected a role name",
		"bad name":                         `' ' is not allowed`,
	} {
		if err := org.ValidateRoleName(name); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", name, err, want)
		}
	}
}

func accounts(n int) []org.Account {
	out := make([]org.Account, n)
	for i := range out {
		out[i] = org.Account{ID: string(rune('a' + i%26)), Name: "n"}
	}
	return out
}

func TestEachBoundsConcurrencyAndKeepsOrder(t *testing.T) {
	var inFlight, peak atomic.Int32
	accts := accounts(40)
	var doneCalls []int
	got := org.Each(context.Background(), accts, 4, func(_ context.Context, a org.Account) string {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(2 * time.Millisecond)
		inFlight.Add(-1)
		return a.ID
	}, func(org.Account) string { return "skipped" }, func(i int, _ string) { doneCalls = append(doneCalls, i) })
	if p := peak.Load(); p != 4 {
		t.Errorf("peak concurrency %d, want 4", p)
	}
	for i, a := range accts {
		if got[i] != a.ID {
			t.Fatalf("result %d = %q, want %q (results must keep the accounts' order)", i, got[i], a.ID)
		}
	}
	if len(doneCalls) != len(accts) {
		t.Errorf("done called %d times, want %d", len(doneCalls), len(accts))
	}
}

func TestEachStopsStartingWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	started := 0
	got := org.Each(ctx, accounts(20), 2, func(_ context.Context, a org.Account) string {
		mu.Lock()
		started++
		if started == 3 {
			cancel()
		}
		mu.Unlock()
		return "ran"
	}, func(org.Account) string { return "skipped" }, nil)
	ran, skipped := 0, 0
	for _, r := range got {
		switch r {
		case "ran":
			ran++
		case "skipped":
			skipped++
		}
	}
	if ran > 4 || ran+skipped != 20 || skipped == 0 {
		t.Errorf("ran %d, skipped %d: after cancel only the accounts in flight may still run", ran, skipped)
	}
}
