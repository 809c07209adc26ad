package awserr_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/internal/awserr"
)

// Real SDK calls that fail in each way an operator meets, and what Explain
// makes of them: the call as an IAM action, where it went, why, what to do;
// the caller's own context kept.
func TestExplain(t *testing.T) {
	denied := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not allowed</Message></Error><RequestId>r1</RequestId></ErrorResponse>`)
	}))
	defer denied.Close()
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	keys := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name     string
		endpoint string
		creds    bool
		ctx      context.Context
		attempts int
		want     string
	}{
		{"connection refused", closedURL, true, context.Background(), 2,
			"identify the caller: sts:GetCallerIdentity: could not reach " + closedURL + ": connection refused (2 attempts); " + awserr.ReachHint},
		{"no such host", "http://nothing.invalid", true, context.Background(), 1,
			"identify the caller: sts:GetCallerIdentity: could not reach http://nothing.invalid: no such host nothing.invalid (DNS); " + awserr.ReachHint},
		{"denied", denied.URL, true, context.Background(), 1,
			"identify the caller: sts:GetCallerIdentity: AccessDenied: not allowed"},
		{"no credentials", closedURL, false, context.Background(), 1,
			"identify the caller: sts:GetCallerIdentity: no usable AWS credentials (no EC2 IMDS role found): set AWS_ACCESS_KEY_ID"},
		{"cancelled", closedURL, true, cancelled, 1,
			"identify the caller: sts:GetCallerIdentity: cancelled before AWS answered"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
			t.Setenv("AWS_ACCESS_KEY_ID", "")
			t.Setenv("AWS_SECRET_ACCESS_KEY", "")
			t.Setenv("AWS_PROFILE", "")
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			opts := []func(*config.LoadOptions) error{config.WithRegion("us-east-1"), config.WithBaseEndpoint(tc.endpoint),
				config.WithRetryMaxAttempts(tc.attempts)}
			if tc.creds {
				opts = append(opts, config.WithCredentialsProvider(keys))
			}
			cfg, err := config.LoadDefaultConfig(context.Background(), opts...)
			if err != nil {
				t.Fatal(err)
			}
			_, err = sts.NewFromConfig(cfg).GetCallerIdentity(tc.ctx, &sts.GetCallerIdentityInput{})
			if err == nil {
				t.Fatal("the call succeeded")
			}
			got := awserr.Explain(fmt.Errorf("identify the caller: %w", err))
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("Explain:\n got %s\nwant %s...\n(SDK: %v)", got, tc.want, err)
			}
			if strings.Contains(got, "StatusCode") || strings.Contains(got, "operation error") {
				t.Errorf("the SDK's chain is still there: %s", got)
			}
		})
	}
}

func TestExplainLeavesOtherErrors(t *testing.T) {
	for _, err := range []error{errors.New("plain"), fmt.Errorf("wrapped: %w", errors.New("inner"))} {
		if diff := cmp.Diff(err.Error(), awserr.Explain(err)); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	}
	if awserr.Explain(nil) != "" {
		t.Error("Explain(nil)")
	}
}
