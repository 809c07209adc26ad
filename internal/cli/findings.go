package cli

// The audit command's findings outputs (--output ocsf|asff|junit|csv) and
// its Security Hub import (--security-hub).

import (
	"context"
	"errors"
	"fmt"
	"io"

	shsdk "github.com/aws/aws-sdk-go-v2/service/securityhub"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/asff"
	findingscsv "github.com/trailwatch/trailwatch/findings/csv"
	"github.com/trailwatch/trailwatch/findings/junit"
	"github.com/trailwatch/trailwatch/findings/ocsf"
	"github.com/trailwatch/trailwatch/findings/securityhub"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
)

func writeFindings(w io.Writer, format cliflags.Format, fs []findings.Finding) error {
	switch format {
	case cliflags.OCSF:
		return ocsf.Write(w, fs)
	case cliflags.ASFF:
		return asff.Write(w, fs)
	case cliflags.JUnit:
		return junit.Write(w, fs)
	case cliflags.CSV:
		return findingscsv.Write(w, fs)
	}
	return fmt.Errorf("no findings writer for --output %s", format)
}

// importFindings sends the findings to Security Hub and says on errOut how
// many were imported (stdout keeps only the report). When some were not, the
// error carries the counts and names each one.
func importFindings(ctx context.Context, errOut io.Writer, fs []findings.Finding, clientFor securityhub.ClientFor) error {
	res, err := securityhub.Import(ctx, fs, clientFor)
	if err != nil {
		return err
	}
	fmt.Fprintf(errOut, "Security Hub: %d finding(s) imported, 0 failed\n", res.Imported)
	return nil
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
	return shsdk.NewFromConfig(f.Config(), func(o *shsdk.Options) { o.Region = region }), nil
}
