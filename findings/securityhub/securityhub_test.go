package securityhub

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/findings"
	"github.com/trailwatch/trailwatch/findings/asff"
	"github.com/trailwatch/trailwatch/findings/internal/fixture"
)

// fakeHub records each call per account and region, and fails the findings
// whose Id is in fail.
type fakeHub struct {
	mu      sync.Mutex
	calls   map[string][]int // "account/region" -> batch sizes
	fail    map[string]string
	callErr error
	seen    map[string][]types.AwsSecurityFinding
}

func newFake() *fakeHub {
	return &fakeHub{calls: map[string][]int{}, fail: map[string]string{}, seen: map[string][]types.AwsSecurityFinding{}}
}

type fakeClient struct {
	hub *fakeHub
	key string
}

func (c fakeClient) BatchImportFindings(_ context.Context, in *securityhub.BatchImportFindingsInput, _ ...func(*securityhub.Options)) (*securityhub.BatchImportFindingsOutput, error) {
	h := c.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls[c.key] = append(h.calls[c.key], len(in.Findings))
	if h.callErr != nil {
		return nil, h.callErr
	}
	out := &securityhub.BatchImportFindingsOutput{}
	for _, f := range in.Findings {
		h.seen[c.key] = append(h.seen[c.key], f)
		if msg, ok := h.fail[aws.ToString(f.Id)]; ok {
			out.FailedFindings = append(out.FailedFindings, types.ImportFindingsError{Id: f.Id, ErrorCode: aws.String("InvalidInput"), ErrorMessage: aws.String(msg)})
		}
	}
	out.FailedCount = aws.Int32(int32(len(out.FailedFindings)))
	out.SuccessCount = aws.Int32(int32(len(in.Findings) - len(out.FailedFindings)))
	return out, nil
}

func (h *fakeHub) clientFor(noClient string) ClientFor {
	return func(_ context.Context, account, region string) (API, error) {
		if account == noClient {
			return nil, errors.New("cannot assume role")
		}
		return fakeClient{h, account + "/" + region}, nil
	}
}

// many returns n findings for one account, each for its own control.
func many(account string, n int) []findings.Finding {
	base := fixture.Org()[0]
	var out []findings.Finding
	for i := range n {
		f := base
		f.AccountID = account
		f.Control.ID = fmt.Sprintf("cis-x.%d", i)
		out = append(out, f)
	}
	return out
}

func TestBatchesPerAccount(t *testing.T) {
	h := newFake()
	fs := append(many("111111111111", 250), many("222222222222", 3)...)
	res, err := Import(context.Background(), fs, h.clientFor(""))
	if err != nil {
		t.Fatal(err)
	}
	if res.Imported != 253 || len(res.Failed) != 0 {
		t.Errorf("result %+v", res)
	}
	want := map[string][]int{"111111111111/us-east-1": {100, 100, 50}, "222222222222/us-east-1": {3}}
	if diff := cmp.Diff(want, h.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	// Each account received only its own findings.
	for key, got := range h.seen {
		for _, f := range got {
			if !strings.HasPrefix(key, aws.ToString(f.AwsAccountId)+"/") {
				t.Errorf("finding of %s sent through %s", aws.ToString(f.AwsAccountId), key)
			}
		}
	}
}

func TestFailuresAreReportedAndOthersContinue(t *testing.T) {
	h := newFake()
	fs := fixture.Org()
	h.fail["trailwatch/111111111111/cis-4.3"] = "Finding does not adhere to ASFF"
	res, err := Import(context.Background(), fs, h.clientFor("333333333333"))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"Security Hub import: 4 imported, 2 failed",
		"trailwatch/111111111111/cis-4.3 (account 111111111111, us-east-1): InvalidInput: Finding does not adhere to ASFF",
		"trailwatch/333333333333/cis-4.5 (account 333333333333, us-east-1): no Security Hub client for account 333333333333 in us-east-1: cannot assume role",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if res.Imported != 4 || len(res.Failed) != 2 || res.Failed[0].ID != "trailwatch/111111111111/cis-4.3" {
		t.Errorf("result %+v", res)
	}

	// A call that fails outright fails its batch, named.
	h = newFake()
	h.callErr = errors.New("InvalidAccessException: Account is not subscribed to AWS Security Hub")
	res, err = Import(context.Background(), fs[:1], h.clientFor(""))
	if err == nil || !strings.Contains(err.Error(), "trailwatch/111111111111/cis-4.5 (account 111111111111, us-east-1): BatchImportFindings in account 111111111111, us-east-1: InvalidAccessException") || res.Imported != 0 {
		t.Errorf("result %+v, error %v", res, err)
	}
}

func TestInvalidFindingsSendNothing(t *testing.T) {
	h := newFake()
	fs := fixture.Org()
	fs[1].AccountID = ""
	if _, err := Import(context.Background(), fs, h.clientFor("")); err == nil || !strings.Contains(err.Error(), "no account id") {
		t.Errorf("error %v", err)
	}
	if len(h.calls) != 0 {
		t.Errorf("calls made: %v", h.calls)
	}
}

// The conversion to the SDK's type loses nothing: every ASFF field written
// arrives in the SDK struct with the same value.
func TestToSDKIsLossless(t *testing.T) {
	docs, err := asff.Findings(fixture.Org())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		sdk, _, err := toSDK(d)
		if err != nil {
			t.Fatal(err)
		}
		checkSame(t, d.Id, reflect.ValueOf(d), reflect.ValueOf(sdk))
	}
}

// checkSame compares an ASFF struct with the SDK struct field by field, by
// name, following pointers; every non-empty field of want must be in got.
func checkSame(t *testing.T, path string, want, got reflect.Value) {
	t.Helper()
	for got.Kind() == reflect.Pointer {
		if got.IsNil() {
			t.Errorf("%s: missing in the SDK struct", path)
			return
		}
		got = got.Elem()
	}
	switch want.Kind() {
	case reflect.Struct:
		for i := range want.NumField() {
			name := want.Type().Field(i).Name
			wf := want.Field(i)
			if wf.IsZero() {
				continue
			}
			gf := got.FieldByName(name)
			if !gf.IsValid() {
				t.Errorf("%s.%s: no such SDK field", path, name)
				continue
			}
			checkSame(t, path+"."+name, wf, gf)
		}
	case reflect.Slice:
		if want.Len() != got.Len() {
			t.Errorf("%s: %d items, SDK has %d", path, want.Len(), got.Len())
			return
		}
		for i := range want.Len() {
			checkSame(t, fmt.Sprintf("%s[%d]", path, i), want.Index(i), got.Index(i))
		}
	case reflect.Map:
		if !reflect.DeepEqual(want.Interface(), got.Interface()) {
			t.Errorf("%s: %v, SDK has %v", path, want, got)
		}
	default:
		if fmt.Sprint(want.Interface()) != fmt.Sprint(got.Interface()) {
			t.Errorf("%s: %v, SDK has %v", path, want, got)
		}
	}
}
