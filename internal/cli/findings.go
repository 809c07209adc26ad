package cli

// The audit command's findings outputs (--output ocsf|asff|junit|csv) and
// its Security Hub import (--security-hub).

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/formats"
	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
)

func writeFindings(w io.Writer, format cliflags.Format, fs []findings.Finding) error {
	return formats.Write(w, string(format), fs)
}

// importFindings sends the findings to Security Hub and says on errOut how
// many were imported (stdout keeps only the report). When some were not, the
// error carries the counts and names each one.
func importFindings(ctx context.Context, errOut io.Writer, fs []findings.Finding, clientFor securityhub.ClientFor) error {
	return securityhub.ImportAndReport(ctx, errOut, fs, clientFor)
}

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
