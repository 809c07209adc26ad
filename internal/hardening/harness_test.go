package hardening

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// home is the region every test works in.
const home = "us-east-1"

// TestMain points the SDK's default chain at nothing but moto's test
// credentials for the whole binary (so parallel tests need no t.Setenv),
// and stops the shared moto server at the end.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trailwatch-hardening")
	if err != nil {
		panic(err)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		os.Unsetenv(k)
	}
	os.Setenv("AWS_ACCESS_KEY_ID", motoserver.AccessKeyID)
	os.Setenv("AWS_SECRET_ACCESS_KEY", motoserver.SecretAccessKey)
	os.Setenv("AWS_REGION", home)
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	defer os.RemoveAll(dir)
	motoserver.Main(m)
}

// result is one in-process run of the command line.
type result struct {
	code           int
	stdout, stderr string
}

// run runs trailwatch in process with args (without the program name).
func run(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	code, stdout, stderr := testaccount.Run(ctx, 3*time.Minute, false, args...)
	return result{code: code, stdout: stdout, stderr: stderr}
}

// report is the documented part of `audit --output json`.
type report struct {
	Compliant *bool `json:"compliant"`
	Gaps      []struct {
		Code string `json:"code"`
	} `json:"gaps"`
	Warnings []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"warnings"`
	Unknown []struct {
		Link     string `json:"link"`
		API      string `json:"api"`
		Action   string `json:"action"`
		Resource string `json:"resource"`
		Message  string `json:"message"`
	} `json:"unknown"`
}

// runAudit runs `trailwatch audit --output json` against endpoint.
func runAudit(t *testing.T, endpoint string, extra ...string) (result, report) {
	t.Helper()
	args := append([]string{"audit", "--output", "json", "--endpoint-url", endpoint}, extra...)
	res := run(t, context.Background(), args...)
	var r report
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("audit: exit %d, output is not the JSON report: %v\nstdout:\n%s\nstderr:\n%s", res.code, err, res.stdout, res.stderr)
	}
	return res, r
}

func verdict(r report) string {
	switch {
	case r.Compliant == nil:
		return "unknown"
	case *r.Compliant:
		return "compliant"
	}
	return "gaps"
}
