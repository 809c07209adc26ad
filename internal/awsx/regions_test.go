package awsx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// regions_gen.go is the region list of the SDK this module builds with:
// run `go generate ./internal/awsx` after updating the SDK.
func TestKnownRegionsMatchSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}} {{.Version}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dir, version, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	if version != sdkVersion {
		t.Fatalf("regions_gen.go comes from SDK %s, the module uses %s: run go generate ./internal/awsx", sdkVersion, version)
	}
	b, err := os.ReadFile(filepath.Join(dir, "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Partitions []struct {
			ID      string         `json:"id"`
			Regions map[string]any `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{}
	for _, p := range doc.Partitions {
		for r := range p.Regions {
			if !strings.HasSuffix(r, "-global") {
				want[p.ID] = append(want[p.ID], r)
			}
		}
		slices.Sort(want[p.ID])
	}
	if diff := cmp.Diff(want, knownRegions); diff != "" {
		t.Errorf("regions_gen.go differs from the SDK (-sdk +generated):\n%s", diff)
	}
}

func TestClosestRegion(t *testing.T) {
	got := map[string]string{}
	for _, r := range []string{"eu-wset-1", "us-est-1", "eu-west-7", "ap-southeast-8", "us-gov-wset-1"} {
		got[r] = ClosestRegion(r)
	}
	want := map[string]string{"eu-wset-1": "eu-west-1", "us-est-1": "us-east-1", "eu-west-7": "eu-west-1",
		"ap-southeast-8": "ap-southeast-1", "us-gov-wset-1": "us-gov-west-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ClosestRegion (-want +got):\n%s", diff)
	}
	if !KnownRegion("eu-west-1") || KnownRegion("eu-wset-1") || KnownRegion("aws-global") {
		t.Error("KnownRegion")
	}
}

// A first call that fails in a region the SDK does not know is reported as
// an unknown region with the closest known one; in a known region the same
// failure is the failure itself.
func TestConnectUnknownRegion(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
	closed := "http://127.0.0.1:1" // nothing listens: the call fails at once
	_, err := Connect(context.Background(), Settings{Region: "eu-wset-1", EndpointURL: closed})
	var ue *UnknownRegionError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want an UnknownRegionError", err)
	}
	if diff := cmp.Diff(UnknownRegionError{Region: "eu-wset-1", From: "--region", Closest: "eu-west-1"}, *ue,
		cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Err" }, cmp.Ignore())); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if msg := err.Error(); !strings.Contains(msg, `unknown AWS region "eu-wset-1" (from --region): did you mean eu-west-1?`) {
		t.Errorf("message %q", msg)
	}

	t.Setenv("AWS_REGION", "eu-wset-1")
	if _, err := Connect(context.Background(), Settings{EndpointURL: closed}); !errors.As(err, &ue) || ue.From != "AWS_REGION" {
		t.Errorf("from AWS_REGION: %v", err)
	}
	_, err = Connect(context.Background(), Settings{Region: "eu-west-1", EndpointURL: closed})
	if err == nil || errors.As(err, &ue) {
		t.Errorf("known region: err = %v, want the connection failure itself", err)
	}

	// Behind a proxy that refuses hosts it does not know, the typo comes
	// back as a denial: still the region, not a missing permission.
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<ErrorResponse><Error><Code>AccessDenied</Code><Message>host not allowed</Message></Error></ErrorResponse>`)
	}))
	defer proxy.Close()
	_, err = Connect(context.Background(), Settings{Region: "eu-wset-1", EndpointURL: proxy.URL})
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "did you mean eu-west-1? (the first call to it failed: sts:GetCallerIdentity: AccessDenied: host not allowed)") {
		t.Errorf("denied: %v", err)
	}
	if f, err := Connect(context.Background(), Settings{Region: "eu-west-1", EndpointURL: proxy.URL}); err != nil || f == nil {
		t.Errorf("a denial in a known region is the audit's to report: %v", err)
	}
}
