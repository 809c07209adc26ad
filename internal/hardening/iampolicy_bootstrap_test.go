package hardening

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/iampolicy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/plan"
)

// s3Actions records the IAM action of each S3 (REST) request that passes
// through it. The fault proxy names REST calls only by method and path; S3
// says which bucket setting it means in the query.
type s3Actions struct {
	mu      sync.Mutex
	actions []string
}

var s3Subresources = map[string][2]string{ // query key → GET action, PUT action
	"tagging":           {"s3:GetBucketTagging", "s3:PutBucketTagging"},
	"publicAccessBlock": {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	"encryption":        {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"},
	"ownershipControls": {"s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"},
	"policy":            {"s3:GetBucketPolicy", "s3:PutBucketPolicy"},
}

func s3Action(r *http.Request) string {
	q := r.URL.Query()
	for key, acts := range s3Subresources {
		if _, ok := q[key]; ok {
			switch r.Method {
			case http.MethodGet:
				return acts[0]
			case http.MethodPut:
				return acts[1]
			}
		}
	}
	bucketOnly := strings.Count(strings.Trim(r.URL.Path, "/"), "/") == 0 && strings.Trim(r.URL.Path, "/") != ""
	switch {
	case r.Method == http.MethodGet && strings.Trim(r.URL.Path, "/") == "":
		return "s3:ListAllMyBuckets"
	case r.Method == http.MethodGet && bucketOnly && q.Get("list-type") == "2":
		return "s3:ListBucket" // ListObjectsV2

	case r.Method == http.MethodHead && bucketOnly:
		return "s3:ListBucket"
	case r.Method == http.MethodPut && bucketOnly && len(q) == 0:
		return "s3:CreateBucket"
	}
	return "s3:UNKNOWN " + r.Method + " " + r.URL.String()
}

// front starts a proxy to backend that records S3 requests' actions.
func (s *s3Actions) front(t *testing.T, backend string) string {
	u, _ := url.Parse(backend)
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Authorization"), "/s3/aws4_request") {
			s.mu.Lock()
			s.actions = append(s.actions, s3Action(r))
			s.mu.Unlock()
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// observedBootstrap runs fix on an account with no trail where the
// deterministic bucket name is held by an untagged bucket of the account
// holding someone's objects (so it is not an interrupted create's) and
// a trail named like trailwatch's appears between the audit and the bucket
// step, so every bootstrap read is made; it returns the IAM actions called
// (with the implied ones).
func observedBootstrap(t *testing.T, srv *motoserver.Server) []string {
	t.Helper()
	ctx := context.Background()
	f := awsx.FromConfig(srv.Config(t, home))
	id, err := f.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{plan.DefaultBucketName(id.Account, home), "other-trail-logs-" + id.Account} {
		if _, err := f.S3(home).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatalf("CreateBucket %s: %v", b, err)
		}
	}
	if _, err := f.S3(home).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(plan.DefaultBucketName(id.Account, home)),
		Key: aws.String("data/report.csv"), Body: strings.NewReader("someone's data")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	p := faultproxy.Start(t, srv.URL)
	p.Add(faultproxy.On("cloudtrail:GetTrail").First(1).Delay(0).Notify(func(faultproxy.Call) {
		_, err := f.CloudTrail(home).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(plan.DefaultTrailName),
			S3BucketName: aws.String("other-trail-logs-" + id.Account)})
		if err != nil {
			t.Errorf("CreateTrail behind trailwatch's back: %v", err)
		}
	}))
	var s3a s3Actions
	res := run(t, t.Context(), "fix", "--yes", "--subscribe", subscribe, "--endpoint-url", s3a.front(t, p.URL))
	if res.code != 0 {
		t.Fatalf("bootstrap fix: exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(res.stdout, plan.DefaultTrailName+"-2") {
		t.Errorf("the trail that appeared was not skipped:\n%s", res.stdout)
	}
	var out []string
	for _, c := range p.Calls() {
		if c.Action() == "" {
			continue // S3: s3a has it
		}
		out = append(out, c.Action())
		out = append(out, iampolicy.Implied(c.Action())...)
	}
	return append(out, s3a.actions...)
}
