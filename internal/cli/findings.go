package cli

// The audit command's Security Hub import (--security-hub) reaches the
// audited account's Security Hub.

import (
	"context"
	"errors"
	"fmt"

	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/awsx"
)

// hubClient is the Security Hub client for the audited account: the
// findings of one account can only be imported with that account's
// credentials, which are the ones the audit used.
func hubClient(ctx context.Context, f *awsx.Factory, account, region string) (securityhub.API, error) {
	if f == nil {
		return nil, errors.New("not connected to AWS")
	}
	id, err := f.Identity(ctx)
	if err != nil {
		return nil, fmt.Errorf("identify the caller: %w", err)
	}
	if id.Account != account {
		return nil, fmt.Errorf("the credentials are for account %s, not %s", id.Account, account)
	}
	return f.SecurityHub(region), nil
}
