package orgcmd_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/google/go-cmp/cmp"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	"github.com/trailwatch/trailwatch/internal/faultproxy"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/prompt"
	"github.com/trailwatch/trailwatch/internal/term"
	"github.com/trailwatch/trailwatch/internal/testaccount"
	"github.com/trailwatch/trailwatch/plan"
)

func TestMain(m *testing.M) { motoserver.Main(m) }

const region = "us-east-1"

// estate is an organization in moto: the management account (moto's
// default account) and members created with organizations:CreateAccount,
// behind a proxy that records every operation and refuses AssumeRole into
// the roles in deny, as AWS does when a role's trust policy does not name
// the caller.
type estate struct {
	t     *testing.T
	ctx   context.Context
	srv   *motoserver.Server
	base  *awsx.Factory // the management account, straight to moto
	proxy string

	mu   sync.Mutex
	ops  []string
	deny map[string]bool // account ids whose role cannot be assumed
	fail map[string]bool // operations answered with a 500, after retries
	// throttle answers the first n calls of an operation with Throttling.
	throttle  map[string]int
	throttled int
}

func newEstate(t *testing.T) *estate {
	t.Helper()
	srv := motoserver.Shared(t)
	srv.SetEnv(t, region)
	e := &estate{t: t, ctx: context.Background(), srv: srv, base: awsx.FromConfig(srv.Config(t, region)), deny: map[string]bool{}, fail: map[string]bool{}, throttle: map[string]int{}}
	e.proxy = e.startProxy()
	orgs := organizations.NewFromConfig(e.base.Config())
	if _, err := orgs.CreateOrganization(e.ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatalf("CreateOrganization: %v", err)
	}
	return e
}

// member creates an account in the organization and returns its id.
func (e *estate) member(name string) string {
	e.t.Helper()
	orgs := organizations.NewFromConfig(e.base.Config())
	out, err := orgs.CreateAccount(e.ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(name + "@example.com")})
	if err != nil {
		e.t.Fatalf("CreateAccount %s: %v", name, err)
	}
	return aws.ToString(out.CreateAccountStatus.AccountId)
}

// as builds state in account id through its OrganizationAccountAccessRole.
func (e *estate) as(id string) *testaccount.Account {
	e.t.Helper()
	if id == motoserver.Account {
		return testaccount.New(e.t, e.base)
	}
	f, err := e.base.Assume(e.ctx, chain.RoleARN("aws", id, "OrganizationAccountAccessRole"), "", "")
	if err != nil {
		e.t.Fatal(err)
	}
	return testaccount.New(e.t, f)
}

var (
	targetOp = regexp.MustCompile(`\.([A-Za-z]+)$`)
	actionOp = regexp.MustCompile(`(?:^|&)Action=([A-Za-z]+)`)
	roleArn  = regexp.MustCompile(`(?:^|&)RoleArn=([^&]+)`)
)

func (e *estate) startProxy() string {
	u, _ := url.Parse(e.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(u)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		op := r.Method + " " + r.URL.Path
		if m := targetOp.FindStringSubmatch(r.Header.Get("X-Amz-Target")); m != nil {
			op = m[1]
		} else if m := actionOp.FindStringSubmatch(string(body)); m != nil {
			op = m[1]
		}
		e.mu.Lock()
		e.ops = append(e.ops, op)
		denied := false
		if op == "AssumeRole" {
			if m := roleArn.FindStringSubmatch(string(body)); m != nil {
				arn, _ := url.QueryUnescape(m[1])
				denied = e.deny[strings.Split(arn, ":")[4]]
			}
		}
		broken := e.fail[op]
		slow := e.throttle[op] > 0
		if slow {
			e.throttle[op]--
			e.throttled++
		}
		e.mu.Unlock()
		if slow {
			if r.Header.Get("X-Amz-Target") != "" {
				w.Header().Set("Content-Type", "application/x-amz-json-1.1")
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"__type":"ThrottlingException","message":"Rate exceeded"}`)
				return
			}
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>`)
			return
		}
		if broken {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"__type":"InternalFailure","message":"injected by the test"}`)
			return
		}
		if denied {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/moto is not authorized to perform: sts:AssumeRole on resource</Message></Error></ErrorResponse>`)
			return
		}
		rp.ServeHTTP(w, r)
	})
	s := httptest.NewServer(h)
	e.t.Cleanup(s.Close)
	return s.URL
}

func (e *estate) resetOps() {
	e.mu.Lock()
	e.ops = nil
	e.mu.Unlock()
}

func (e *estate) writes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, op := range e.ops {
		// The proxy's own classification of writes (faultproxy.Call.IsWrite);
		// query-protocol reads are POST / too.
		c := faultproxy.Call{Operation: op}
		if method, path, rest := strings.Cut(op, " "); rest {
			c = faultproxy.Call{Method: method, Path: path}
		}
		if c.IsWrite() && op != "POST /" {
			out = append(out, op)
		}
	}
	return out
}

// count is how many calls of op the proxy saw since resetOps.
func (e *estate) count(op string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, o := range e.ops {
		if o == op {
			n++
		}
	}
	return n
}

func (e *estate) cli(args ...string) (int, string, string) {
	e.t.Helper()
	return testaccount.Run(e.ctx, 3*time.Minute, false, append(args, "--endpoint-url", e.proxy)...)
}

// doc is the part of `--org --output json` the tests read.
type doc struct {
	Compliant *bool `json:"compliant"`
	Summary   struct {
		Caller                                     string `json:"caller_account"`
		Accounts, Compliant, Gaps, Unknown, Failed int
		Changed                                    *int `json:"changed"`
	} `json:"summary"`
	Accounts []struct {
		Account   string `json:"account"`
		Name      string `json:"name"`
		Verdict   string `json:"verdict"`
		Compliant *bool  `json:"compliant"`
		CoveredBy *struct {
			TrailARN string `json:"trail_arn"`
		} `json:"covered_by"`
		Gaps []struct {
			Code string `json:"code"`
		} `json:"gaps"`
		Unknown []struct {
			Action, Resource, Message string
		} `json:"unknown"`
		Chain []json.RawMessage `json:"chain"`
	} `json:"accounts"`
}

func parse(t *testing.T, out string) doc {
	t.Helper()
	var d doc
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("not one JSON document: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("more than one JSON document:\n%s", out)
	}
	return d
}

// verdicts maps account name to "verdict gap,codes".
func verdicts(d doc) map[string]string {
	out := map[string]string{}
	for _, a := range d.Accounts {
		var codes []string
		for _, g := range a.Gaps {
			codes = append(codes, g.Code)
		}
		sort.Strings(codes)
		out[a.Name] = strings.TrimSpace(a.Verdict + " " + strings.Join(codes, ","))
	}
	return out
}

// mixed builds the organization of the tests: the management account with
// its own compliant chain, a member with its own compliant chain, one with a
// broken chain (no metric filter), one with no trail, and one whose role
// cannot be assumed.
func mixed(t *testing.T) (*estate, map[string]string) {
	e := newEstate(t)
	ids := map[string]string{"management": motoserver.Account}
	for _, n := range []string{"prod", "dev", "sandbox", "legacy"} {
		ids[n] = e.member(n)
	}
	e.as(ids["management"]).Chain(testaccount.Chain{Prefix: "mgmt"})
	e.as(ids["prod"]).Chain(testaccount.Chain{Prefix: "prod"})
	e.as(ids["dev"]).Chain(testaccount.Chain{Prefix: "dev", NoFilter: true})
	e.deny[ids["legacy"]] = true
	return e, ids
}

func TestAuditOrgMixed(t *testing.T) {
	e, ids := mixed(t)
	code, out, errOut := e.cli("audit", "--org", "--output", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (an account is unknown)\n%s\n%s", code, out, errOut)
	}
	d := parse(t, out)
	want := map[string]string{
		"master":  "compliant", // moto names the management account "master"
		"prod":    "compliant",
		"dev":     "gaps NO_METRIC_FILTER",
		"sandbox": "gaps NO_MULTI_REGION_TRAIL",
		"legacy":  "unknown",
	}
	got := verdicts(d)
	// moto's name for the management account is its own; key it by id.
	for _, a := range d.Accounts {
		if a.Account == ids["management"] {
			got["master"] = got[a.Name]
			if a.Name != "master" {
				delete(got, a.Name)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if d.Compliant == nil || *d.Compliant {
		t.Errorf("compliant = %v, want false (an account has gaps)", d.Compliant)
	}
	if d.Summary.Accounts != 5 || d.Summary.Compliant != 2 || d.Summary.Gaps != 2 || d.Summary.Unknown != 1 || d.Summary.Caller != motoserver.Account {
		t.Errorf("summary %+v", d.Summary)
	}
	for _, a := range d.Accounts {
		if a.Name == "legacy" {
			if len(a.Unknown) != 1 || a.Unknown[0].Action != "sts:AssumeRole" || !strings.Contains(a.Unknown[0].Resource, ids["legacy"]+":role/OrganizationAccountAccessRole") || !strings.Contains(a.Unknown[0].Message, "AccessDenied") {
				t.Errorf("legacy unknown = %+v, want sts:AssumeRole on its role with AWS's reason", a.Unknown)
			}
			if a.Compliant != nil {
				t.Errorf("legacy compliant = %v, want null", *a.Compliant)
			}
		}
		if a.Name == "prod" && len(a.Chain) == 0 {
			t.Errorf("prod: the per-account report lacks its chain")
		}
	}
	if strings.Contains(errOut, "done,") {
		t.Errorf("progress shown although stderr is not a terminal:\n%s", errOut)
	}

	// Text: one line per account, the problems, the summary.
	code, text, _ := e.cli("audit", "--org", "--exclude-accounts", ids["legacy"])
	if code != 2 {
		t.Errorf("text, legacy excluded: exit %d, want 2 (gaps)", code)
	}
	for _, want := range []string{
		"ACCOUNT       NAME", ids["dev"] + "  dev", "NO_METRIC_FILTER", "own trail prod-trail",
		"4 account(s): 2 compliant, 2 with gaps, 0 unknown, 0 failed.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "legacy") {
		t.Errorf("excluded account shown:\n%s", text)
	}
	if e.writes() != nil {
		t.Errorf("audit wrote: %v", e.writes())
	}
}

func TestFixOrgEndsCompliantAndRerunWritesNothing(t *testing.T) {
	e, ids := mixed(t)
	fix := []string{"fix", "--org", "--yes", "--subscribe", "https://hooks.example.com/org", "--output", "json"}
	e.resetOps()
	code, out, errOut := e.cli(fix...)
	if code != 1 {
		t.Fatalf("fix: exit %d, want 1 (legacy cannot be reached)\n%s\n%s", code, out, errOut)
	}
	d := parse(t, out)
	got := verdicts(d)
	for _, n := range []string{"prod", "dev", "sandbox"} {
		if got[n] != "compliant" {
			t.Errorf("%s after fix: %q, want compliant", n, got[n])
		}
	}
	if got["legacy"] != "unknown" {
		t.Errorf("legacy after fix: %q, want unknown", got["legacy"])
	}
	if d.Summary.Changed == nil || *d.Summary.Changed != 2 {
		t.Errorf("changed = %v, want 2 (dev and sandbox)", d.Summary.Changed)
	}
	if !strings.Contains(errOut, "Need their own chain") || !strings.Contains(errOut, ids["sandbox"]+" sandbox") {
		t.Errorf("the grouped plans (stderr with --output json) lack sandbox's own chain:\n%s", errOut)
	}
	if len(e.writes()) == 0 {
		t.Fatal("fix wrote nothing")
	}

	// The account that could not be reached now can; the run finishes the
	// job there (it has no trail), and the others need nothing.
	delete(e.deny, ids["legacy"])
	code, out, errOut = e.cli(fix...)
	if code != 0 {
		t.Fatalf("second fix: exit %d\n%s\n%s", code, out, errOut)
	}
	if d := parse(t, out); d.Summary.Changed == nil || *d.Summary.Changed != 1 || d.Compliant == nil || !*d.Compliant {
		t.Errorf("second fix: changed %v, compliant %v; want 1 and true", d.Summary.Changed, d.Compliant)
	}

	// A rerun writes nothing and says so.
	e.resetOps()
	code, text, errOut := e.cli("fix", "--org", "--yes", "--subscribe", "https://hooks.example.com/org")
	if code != 0 || len(e.writes()) != 0 {
		t.Errorf("rerun: exit %d, writes %v\n%s\n%s", code, e.writes(), text, errOut)
	}
	if !strings.Contains(text, "Nothing to do in any account.") || !strings.Contains(text, "Need nothing: 5") {
		t.Errorf("rerun text:\n%s", text)
	}
}

func TestFixOrgRefusesWithoutTerminalAndYes(t *testing.T) {
	e, _ := mixed(t)
	e.resetOps()
	code, out, errOut := e.cli("fix", "--org", "--subscribe", "https://hooks.example.com/org")
	if code != 1 || !strings.Contains(errOut, "pass --yes") || len(e.writes()) != 0 {
		t.Errorf("exit %d, writes %v\n%s\n%s", code, e.writes(), out, errOut)
	}
	// Without where notifications go, sandbox's plan misses a choice: no
	// account is touched, and the message names the account.
	code, _, errOut = e.cli("fix", "--org", "--yes")
	if code != 1 || !strings.Contains(errOut, "missing a choice") || len(e.writes()) != 0 {
		t.Errorf("missing choice: exit %d, writes %v\n%s", code, e.writes(), errOut)
	}
}

func TestPlanOrg(t *testing.T) {
	e, ids := mixed(t)
	code, out, errOut := e.cli("plan", "--org", "--subscribe", "https://hooks.example.com/org", "--accounts", ids["dev"]+","+ids["sandbox"]+","+ids["prod"])
	if code != 2 {
		t.Fatalf("exit %d, want 2 (steps pending)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"Need their own chain", "  " + ids["sandbox"] + " sandbox",
		"Need repairs to their chain", "  " + ids["dev"] + " dev",
		"Need nothing: 1", "  " + ids["prod"] + " prod",
		"== account " + ids["dev"] + " (dev) ==", "logs_metric_filter",
		"3 account(s): 1 compliant, 2 with gaps",
		"2 account(s) with changes to make.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("plan text lacks %q:\n%s", want, out)
		}
	}
	if e.writes() != nil {
		t.Errorf("plan wrote: %v", e.writes())
	}
}

func TestOrgFlagErrors(t *testing.T) {
	e, _ := mixed(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"audit", "--org-role", "X"}, "--org-role only work with --org"},
		{[]string{"audit", "--org", "--concurrency", "0"}, "--concurrency 0: expected 1 to 256"},
		{[]string{"audit", "--org", "--org-role", "arn:aws:iam::123456789012:role/x"}, "not an ARN"},
		{[]string{"audit", "--org", "--accounts", "12"}, "--accounts: invalid account id"},
		{[]string{"audit", "--org", "--accounts", "999999999999"}, "--accounts 999999999999: no account of the organization has this id"},
		{[]string{"audit", "--org", "--evidence-out", "x.json"}, "--evidence-out works on one account"},
		{[]string{"plan", "--org", "--out", "p.json"}, "--out works on one account"},
	} {
		code, _, errOut := e.cli(tc.args...)
		if code != 1 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// A failure in one account is reported and does not stop the others; the
// next run finishes the job.
func TestFixOrgFailureInOneAccount(t *testing.T) {
	e, ids := mixed(t)
	e.fail["CreateTrail"] = true // only sandbox (no trail) creates one
	fix := []string{"fix", "--org", "--yes", "--subscribe", "https://hooks.example.com/org", "--exclude-accounts", ids["legacy"]}
	code, out, errOut := e.cli(fix...)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (sandbox failed)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		ids["sandbox"] + "  sandbox  FAILED", ids["dev"] + "  dev      COMPLIANT",
		"Unknown or failed:", "CreateTrail", "Run fix --org again to finish",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	delete(e.fail, "CreateTrail")
	code, out, errOut = e.cli(append(fix, "--output", "json")...)
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errOut)
	}
	if d := parse(t, out); d.Summary.Changed == nil || *d.Summary.Changed != 1 || verdicts(d)["sandbox"] != "compliant" {
		t.Errorf("second run: changed %v, sandbox %q", d.Summary.Changed, verdicts(d)["sandbox"])
	}
}

// confirmer is a prompt.Prompter that answers the confirmation with ok and
// records the question.
type confirmer struct {
	ok           bool
	title, descr string
	asked        int
}

func (c *confirmer) AskChoices(context.Context, prompt.Request) (plan.Choices, error) {
	return plan.Choices{}, errors.New("--org never asks for choices")
}

func (c *confirmer) Confirm(_ context.Context, title, descr string) (bool, error) {
	c.asked++
	c.title, c.descr = title, descr
	return c.ok, nil
}

// On a terminal, fix --org asks once for every account; no is nothing
// written, yes applies every plan.
func TestFixOrgConfirmsOnce(t *testing.T) {
	e, ids := mixed(t)
	for _, ok := range []bool{false, true} {
		io, _, out, _ := term.Test(true)
		c := &confirmer{ok: ok}
		ch := plan.Choices{Subscribe: "https://hooks.example.com/org"}
		o := orgcmd.Options{IO: io, Format: cliflags.Text, Concurrency: 4, Choices: ch, Prompter: c,
			Connect: orgcmd.Connect(orgcmd.Target{
				Settings: awsx.Settings{Region: region, EndpointURL: e.proxy}, RoleName: org.DefaultRole,
				Selection: org.Selection{Exclude: []string{ids["legacy"]}},
			})}
		e.resetOps()
		err := orgcmd.RunFix(context.Background(), o)
		if c.asked != 1 || c.title != "Apply these changes to 2 account(s)?" || !strings.Contains(c.descr, "across 2 account(s). Nothing is deleted.") {
			t.Errorf("asked %d times: %q %q", c.asked, c.title, c.descr)
		}
		if !ok {
			if exitcode.Of(err) != exitcode.Error || len(e.writes()) != 0 {
				t.Errorf("declined: exit %d, writes %v", exitcode.Of(err), e.writes())
			}
			continue
		}
		if err != nil || len(e.writes()) == 0 || !strings.Contains(out.String(), "Changed 2 account(s); 2 needed nothing.") {
			t.Errorf("confirmed: err %v, writes %d\n%s", err, len(e.writes()), out.String())
		}
	}
}

// Throttling is absorbed by the SDK's retryer, with backoff: every account
// keeps the verdict it has without it.
func TestAuditOrgAbsorbsThrottling(t *testing.T) {
	e, ids := mixed(t)
	e.throttle["AssumeRole"] = 3
	e.throttle["DescribeTrails"] = 3
	e.throttle["ListAccounts"] = 1
	code, out, errOut := e.cli("audit", "--org", "--output", "json", "--exclude-accounts", ids["legacy"])
	if code != 2 {
		t.Fatalf("exit %d, want 2 (gaps, nothing unknown)\n%s\n%s", code, out, errOut)
	}
	got := verdicts(parse(t, out))
	for n, want := range map[string]string{"prod": "compliant", "dev": "gaps NO_METRIC_FILTER", "sandbox": "gaps NO_MULTI_REGION_TRAIL"} {
		if got[n] != want {
			t.Errorf("%s: %q, want %q", n, got[n], want)
		}
	}
	if e.throttled != 7 {
		t.Errorf("%d calls throttled, want 7: the faults did not fire", e.throttled)
	}
}

// audit --org writes findings for every account (issue 13) and, with
// --security-hub, imports each account's finding into that account's
// Security Hub through its own role (BatchImportFindings takes only the
// caller's account's findings).
func TestAuditOrgFindingsIntoSecurityHub(t *testing.T) {
	e, ids := mixed(t)
	accounts := []string{ids["management"], ids["prod"], ids["dev"], ids["sandbox"]}
	for _, id := range accounts {
		// Security Hub takes findings only once enabled in the account.
		hub := securityhub.NewFromConfig(e.as(id).Factory.Config())
		if _, err := hub.EnableSecurityHub(e.ctx, &securityhub.EnableSecurityHubInput{}); err != nil {
			t.Fatalf("enable Security Hub in %s: %v", id, err)
		}
	}
	e.resetOps()
	code, out, errOut := e.cli("audit", "--org", "--exclude-accounts", ids["legacy"], "--output", "junit", "--security-hub")
	if code != 2 {
		t.Fatalf("exit %d, want 2 (gaps)\n%s\n%s", code, out, errOut)
	}
	// Each member's role is assumed once, for its audit and its import;
	// the management account is worked on with the caller's credentials.
	if n := e.count("AssumeRole"); n != len(accounts)-1 {
		t.Errorf("%d AssumeRole calls for %d members", n, len(accounts)-1)
	}
	var suites struct {
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("junit: %v\n%s", err, out)
	}
	failures := 0
	for _, c := range suites.Cases {
		if c.Failure != nil {
			failures++
		}
	}
	if len(suites.Cases) != 4 || failures != 2 {
		t.Errorf("junit: %d cases, %d failures; want 4 accounts, 2 with gaps\n%s", len(suites.Cases), failures, out)
	}
	if !strings.Contains(errOut, "Security Hub: 4 finding(s) imported") {
		t.Errorf("stderr %q", errOut)
	}
	for _, id := range accounts {
		hub := securityhub.NewFromConfig(e.as(id).Factory.Config())
		got, err := hub.GetFindings(e.ctx, &securityhub.GetFindingsInput{})
		if err != nil {
			t.Fatalf("GetFindings in %s: %v", id, err)
		}
		if len(got.Findings) != 1 || aws.ToString(got.Findings[0].AwsAccountId) != id {
			t.Errorf("account %s holds %d finding(s), want its own one", id, len(got.Findings))
		}
	}
}
