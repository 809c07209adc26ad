// Package securityhub imports findings into AWS Security Hub with
// BatchImportFindings, as ASFF.
//
// Facts from the Security Hub API reference (BatchImportFindings) and user
// guide ("BatchImportFindings for finding providers"): at most 100 findings
// per call and 240 KB per finding; with the default product ARN the caller
// must be the account named in each finding's AwsAccountId, so findings are
// sent per account through that account's credentials; a finding whose Id
// and product ARN match an existing one updates it when its UpdatedAt is
// later. Throttling is the SDK's standard retry.
package securityhub

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/asff"
	"github.com/trailwatch/trailwatch/internal/safe"
)

// API is the one call the import makes.
type API interface {
	BatchImportFindings(ctx context.Context, in *securityhub.BatchImportFindingsInput, optFns ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error)
}

// ClientFor returns a Security Hub client for region whose credentials
// belong to account (under --org, through that account's role).
type ClientFor func(ctx context.Context, account, region string) (API, error)

// Limits from the API reference.
const (
	MaxBatch      = 100
	maxFindingLen = 240 * 1024
)

// concurrency bounds the accounts imported at once; within an account the
// batches go one after another (Security Hub throttles per account and
// region).
const concurrency = 8

// Failure is one finding Security Hub did not take, and why.
type Failure struct {
	ID      string
	Account string
	Region  string
	Code    string // Security Hub's ErrorCode, or "" for a local or call error
	Message string
}

// Result counts what was imported.
type Result struct {
	Imported int
	Failed   []Failure // in the order of the findings given
}

// Import sends fs to Security Hub. Every account is tried even when another
// fails. The error is non-nil when any finding was not imported and names
// each such finding with the reason; the Result still counts what was.
func Import(ctx context.Context, fs []findings.Finding, clientFor ClientFor) (*Result, error) {
	docs, err := asff.Findings(fs)
	if err != nil {
		return nil, err
	}
	type group struct {
		account, region string
		items           []item
	}
	var groups []*group
	byKey := map[string]*group{}
	for i, d := range docs {
		key := d.AwsAccountId + "/" + fs[i].Region
		g, ok := byKey[key]
		if !ok {
			g = &group{account: d.AwsAccountId, region: fs[i].Region}
			byKey[key] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, item{index: i, doc: d})
	}

	var (
		mu       sync.Mutex
		res      = &Result{}
		failures []indexed
		wg       safe.Group
		sem      = make(chan struct{}, concurrency)
	)
	for _, g := range groups {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			n, failed := importGroup(ctx, clientFor, g.account, g.region, g.items)
			mu.Lock()
			res.Imported += n
			failures = append(failures, failed...)
			mu.Unlock()
		})
	}
	wg.Wait()

	sort.Slice(failures, func(i, j int) bool { return failures[i].index < failures[j].index })
	for _, f := range failures {
		res.Failed = append(res.Failed, f.Failure)
	}
	if len(res.Failed) == 0 {
		return res, nil
	}
	return res, importError(res)
}

type item struct {
	index int
	doc   asff.Finding
}

type indexed struct {
	index int
	Failure
}

func importGroup(ctx context.Context, clientFor ClientFor, account, region string, items []item) (int, []indexed) {
	var failed []indexed
	fail := func(it item, code, msg string) {
		failed = append(failed, indexed{it.index, Failure{ID: it.doc.Id, Account: account, Region: region, Code: code, Message: msg}})
	}
	client, err := clientFor(ctx, account, region)
	if err != nil {
		for _, it := range items {
			fail(it, "", fmt.Sprintf("no Security Hub client for account %s in %s: %v", account, region, err))
		}
		return 0, failed
	}
	imported := 0
	var batch []types.AwsSecurityFinding
	var inBatch []item
	flush := func() {
		if len(batch) == 0 {
			return
		}
		n, f := sendBatch(ctx, client, account, region, batch, inBatch)
		imported += n
		failed = append(failed, f...)
		batch, inBatch = nil, nil
	}
	for _, it := range items {
		sdk, size, err := toSDK(it.doc)
		switch {
		case err != nil:
			fail(it, "", err.Error())
			continue
		case size > maxFindingLen:
			fail(it, "", fmt.Sprintf("the finding is %d bytes; Security Hub takes at most %d", size, maxFindingLen))
			continue
		}
		batch = append(batch, sdk)
		inBatch = append(inBatch, it)
		if len(batch) == MaxBatch {
			flush()
		}
	}
	flush()
	return imported, failed
}

func sendBatch(ctx context.Context, client API, account, region string, batch []types.AwsSecurityFinding, items []item) (int, []indexed) {
	var failed []indexed
	out, err := client.BatchImportFindings(ctx, &securityhub.BatchImportFindingsInput{Findings: batch})
	if err != nil {
		for _, it := range items {
			failed = append(failed, indexed{it.index, Failure{ID: it.doc.Id, Account: account, Region: region,
				Message: fmt.Sprintf("BatchImportFindings in account %s, %s: %v", account, region, err)}})
		}
		return 0, failed
	}
	byID := map[string]item{}
	for _, it := range items {
		byID[it.doc.Id] = it
	}
	for _, ff := range out.FailedFindings {
		id := aws.ToString(ff.Id)
		it, ok := byID[id]
		if !ok {
			// An id not sent: after every finding that was.
			it = item{index: math.MaxInt, doc: asff.Finding{Id: id}}
		}
		failed = append(failed, indexed{it.index, Failure{ID: id, Account: account, Region: region,
			Code: aws.ToString(ff.ErrorCode), Message: aws.ToString(ff.ErrorMessage)}})
	}
	imported := len(batch) - len(out.FailedFindings)
	if out.SuccessCount != nil {
		imported = int(*out.SuccessCount)
	}
	return imported, failed
}

// toSDK turns the ASFF document into the SDK's type through JSON, so what is
// imported is exactly what `--output asff` prints. The SDK type's field
// names are ASFF's; a field the SDK type does not have is an error here
// rather than silently dropped.
func toSDK(d asff.Finding) (types.AwsSecurityFinding, int, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return types.AwsSecurityFinding{}, 0, fmt.Errorf("encode finding %s: %w", d.Id, err)
	}
	var out types.AwsSecurityFinding
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		return types.AwsSecurityFinding{}, 0, fmt.Errorf("convert finding %s to the SDK's AwsSecurityFinding: %w", d.Id, err)
	}
	return out, len(b), nil
}

// maxListed bounds the failures an error message lists one by one.
const maxListed = 10

func importError(r *Result) error {
	var lines []string
	for i, f := range r.Failed {
		if i == maxListed {
			lines = append(lines, fmt.Sprintf("and %d more", len(r.Failed)-maxListed))
			break
		}
		reason := f.Message
		if f.Code != "" {
			reason = f.Code + ": " + reason
		}
		lines = append(lines, fmt.Sprintf("%s (account %s, %s): %s", f.ID, f.Account, f.Region, reason))
	}
	return fmt.Errorf("Security Hub import: %d imported, %d failed:\n  %s", r.Imported, len(r.Failed), strings.Join(lines, "\n  "))
}

// ImportAndReport imports fs and says on w how many were imported (a
// command's standard output keeps only its report, so w is its standard
// error). When some were not, the error carries the counts and names each.
func ImportAndReport(ctx context.Context, w io.Writer, fs []findings.Finding, clientFor ClientFor) error {
	res, err := Import(ctx, fs, clientFor)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Security Hub: %d finding(s) imported, 0 failed\n", res.Imported)
	return nil
}
