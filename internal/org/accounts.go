// Package org lists an AWS organization's accounts, reaches each of them
// through a role, and runs a function per account with bounded concurrency.
// It knows nothing of audits or plans: internal/orgcmd gives it the work.
package org

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/internal/awserr"
	"github.com/trailwatch/trailwatch/internal/awsx"
)

// Account is one account of the organization.
type Account struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ListAPI is the one Organizations call the listing needs.
type ListAPI interface {
	ListAccounts(ctx context.Context, in *organizations.ListAccountsInput, optFns ...func(*organizations.Options)) (*organizations.ListAccountsOutput, error)
}

// Selection narrows the organization's accounts: Only (--accounts) keeps
// just those ids, Exclude (--exclude-accounts) drops those. Both empty means
// every active account.
type Selection struct {
	Only    []string
	Exclude []string
}

// ParseIDs reads a comma-separated list of account ids given to flag ("" is
// an empty list). Each id must be 12 digits; repeats are dropped.
func ParseIDs(flag, s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if err := awsx.ValidateAccountID(f); err != nil {
			return nil, fmt.Errorf("--%s: %w", flag, err)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// active reports whether the account can be worked in. AWS is replacing
// Status with State (Status is retired on 2026-09-09, per the
// Organizations API reference for Account); read State, and Status only
// when an older endpoint sends no State.
func active(a orgtypes.Account) bool {
	if a.State != "" {
		return a.State == orgtypes.AccountStateActive
	}
	return a.Status == orgtypes.AccountStatusActive
}

// List returns the organization's ACTIVE accounts, sorted by id, narrowed by
// sel. It pages through organizations:ListAccounts (callable from the
// management account or a delegated administrator; see the Organizations
// API reference, ListAccounts). Suspended, closing and pending accounts
// cannot be worked in and are left out. An id in sel that is not an active
// account of the organization is an error, so a typo never silently audits,
// or fixes, more or fewer accounts than meant.
func List(ctx context.Context, api ListAPI, sel Selection) ([]Account, error) {
	var all []Account
	inactive := map[string]string{}
	p := organizations.NewListAccountsPaginator(api, &organizations.ListAccountsInput{})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, listError(err)
		}
		for _, a := range out.Accounts {
			id := aws.ToString(a.Id)
			if !active(a) {
				state := string(a.State)
				if state == "" {
					state = string(a.Status)
				}
				inactive[id] = state
				continue
			}
			all = append(all, Account{ID: id, Name: aws.ToString(a.Name)})
		}
	}
	slices.SortFunc(all, func(a, b Account) int { return strings.Compare(a.ID, b.ID) })
	has := func(id string) bool {
		_, ok := slices.BinarySearchFunc(all, id, func(a Account, id string) int { return strings.Compare(a.ID, id) })
		return ok
	}
	for _, list := range []struct {
		flag string
		ids  []string
	}{{"accounts", sel.Only}, {"exclude-accounts", sel.Exclude}} {
		for _, id := range list.ids {
			if has(id) {
				continue
			}
			if st, ok := inactive[id]; ok {
				return nil, fmt.Errorf("--%s %s: the account is %s, not ACTIVE; leave it out", list.flag, id, st)
			}
			return nil, fmt.Errorf("--%s %s: no account of the organization has this id", list.flag, id)
		}
	}
	out := all[:0:0]
	for _, a := range all {
		if len(sel.Only) > 0 && !slices.Contains(sel.Only, a.ID) {
			continue
		}
		if slices.Contains(sel.Exclude, a.ID) {
			continue
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("no account left to work on: --accounts and --exclude-accounts leave none")
	}
	return out, nil
}

// listError says what to do when the organization cannot be listed.
func listError(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "AWSOrganizationsNotInUseException" {
		return fmt.Errorf("list the organization's accounts: this account is not in an organization (%s); run --org from the management account or a delegated administrator", apiErr.ErrorCode())
	}
	if awserr.IsDenied(err) {
		return fmt.Errorf("list the organization's accounts: organizations:ListAccounts was denied: run --org from the management account or a delegated administrator, with the policy 'trailwatch iam-policy --for audit --org' prints: %w", err)
	}
	return fmt.Errorf("list the organization's accounts (organizations:ListAccounts): %w", err)
}
