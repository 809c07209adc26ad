package orgcmd_test

import (
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/cliflags"
	"github.com/trailwatch/trailwatch/internal/exitcode"
	fa "github.com/trailwatch/trailwatch/internal/fakeaws"
	"github.com/trailwatch/trailwatch/internal/fixcmd"
	goldenfile "github.com/trailwatch/trailwatch/internal/golden"
	"github.com/trailwatch/trailwatch/internal/org"
	"github.com/trailwatch/trailwatch/internal/orgcmd"
	"github.com/trailwatch/trailwatch/internal/term"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const mgmt = "111111111111"

// chainFor is a compliant account id (fakeaws.Compliant, for any id): its
// own logging multi-region trail, the CIS filter, an alarm, and a topic with
// a confirmed subscription.
func chainFor(id string) *fa.Account {
	topic := fa.TopicARN(fa.Home, id, fa.TopicName)
	tr := fa.NewTrail(fa.Home, id, fa.TrailName, fa.LogGroup)
	attrs := fa.TopicAttrs(topic)
	attrs["Owner"] = id
	sub := fa.Confirmed(topic, "security@example.com")
	sub.Owner = aws.String(id)
	return &fa.Account{
		ID: id, HomeRegion: fa.Home,
		Trails: []cttypes.Trail{tr},
		Status: map[string]*cloudtrail.GetTrailStatusOutput{*tr.TrailARN: {IsLogging: aws.Bool(true)}},
		Filters: map[string][]cwltypes.MetricFilter{
			fa.LogKey(fa.Home, fa.LogGroup): {fa.NewFilter(fa.LogGroup, fa.FilterName, fa.CIS, fa.Namespace, fa.MetricName)},
		},
		Alarms: map[string][]cwtypes.MetricAlarm{fa.Home: {fa.NewAlarm(fa.Home, id, fa.AlarmName, fa.Namespace, fa.MetricName, topic)}},
		Topics: map[string]map[string]string{topic: attrs},
		Subs:   map[string][]snstypes.Subscription{topic: {sub}},
		Errors: map[string]error{},
	}
}

// orgLogGroup is the organization trail's log group in the management
// account.
const orgLogGroup = "aws-controltower/CloudTrailLogs-x1"

// addOrgChain gives the management account a the organization trail and a
// complete chain on its log group, notifying a's topic.
func addOrgChain(a *fa.Account) {
	tr := fa.NewTrail(fa.Home, a.ID, "org-trail", orgLogGroup)
	tr.IsOrganizationTrail = aws.Bool(true)
	a.Trails = append(a.Trails, tr)
	a.Status[*tr.TrailARN] = &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true)}
	a.Filters[fa.LogKey(fa.Home, orgLogGroup)] = []cwltypes.MetricFilter{fa.NewFilter(orgLogGroup, "CIS-4.5", fa.CIS, "LogMetrics", "CloudTrailChanges")}
	a.Alarms[fa.Home] = append(a.Alarms[fa.Home], fa.NewAlarm(fa.Home, a.ID, "CIS-4.5-CloudTrailChanges", "LogMetrics", "CloudTrailChanges", fa.TopicARN(fa.Home, a.ID, fa.TopicName)))
}

// fakeEstate is an organization of fake accounts: build makes an account's
// fake afresh each time it is reached (as assuming a role gives new
// clients), and the ids in denied cannot be reached.
func fakeEstate(accounts []org.Account, build func(id string) *fa.Account, denied map[string]bool, reachDelay time.Duration) *orgcmd.Estate {
	return &orgcmd.Estate{
		Caller: mgmt, Region: fa.Home, Accounts: accounts,
		Reach: func(ctx context.Context, id string) (*fixcmd.Env, error) {
			if reachDelay > 0 { // sts:AssumeRole's round trip
				t := time.NewTimer(reachDelay)
				select {
				case <-ctx.Done():
					t.Stop()
					return nil, ctx.Err()
				case <-t.C:
				}
			}
			if denied[id] {
				return nil, &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:iam::" + mgmt + ":user/ci is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole"}
			}
			return &fixcmd.Env{Audit: build(id)}, nil
		},
		RoleARN: func(id string) string { return "arn:aws:iam::" + id + ":role/OrganizationAccountAccessRole" },
	}
}

// states: a compliant management account, a compliant member, one whose log
// group has no filter, one with no trail, and one that cannot be reached.
func states() ([]org.Account, func(string) *fa.Account, map[string]bool) {
	accounts := []org.Account{
		{ID: mgmt, Name: "management"}, {ID: "222222222222", Name: "prod"}, {ID: "333333333333", Name: "dev"},
		{ID: "444444444444", Name: "sandbox"}, {ID: "555555555555", Name: "legacy"},
		{ID: "666666666666", Name: "member"},
	}
	build := func(id string) *fa.Account {
		a := chainFor(id)
		switch id {
		case mgmt:
			// The organization trail too, with its chain on Control
			// Tower's log group (suffixed, as from landing zone 4.0).
			addOrgChain(a)
		case "333333333333":
			a.Filters[fa.LogKey(fa.Home, fa.LogGroup)] = nil
		case "444444444444":
			a.Trails = nil
		case "666666666666":
			// Only the management account's organization trail, as a
			// member sees it (DescribeTrails includes shadow trails).
			tr := fa.NewTrail(fa.Home, mgmt, "org-trail", orgLogGroup)
			tr.IsOrganizationTrail = aws.Bool(true)
			a.Trails = []cttypes.Trail{tr}
			a.Status = map[string]*cloudtrail.GetTrailStatusOutput{*tr.TrailARN: {IsLogging: aws.Bool(true)}}
			a.Filters, a.Alarms, a.Topics, a.Subs = nil, nil, nil, nil
		}
		return a
	}
	return accounts, build, map[string]bool{"555555555555": true}
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenfile.File(t, filepath.Join("testdata", name), []byte(got), *update)
}

func TestAuditGolden(t *testing.T) {
	for _, format := range []cliflags.Format{cliflags.Text, cliflags.JSON} {
		t.Run(string(format), func(t *testing.T) {
			accounts, build, denied := states()
			io, _, out, errOut := term.Test(false)
			o := orgcmd.Options{IO: io, Format: format, Concurrency: 3,
				Connect: func(context.Context) (*orgcmd.Estate, error) {
					return fakeEstate(accounts, build, denied, 0), nil
				}}
			err := orgcmd.RunAudit(context.Background(), o)
			if got := exitcode.Of(err); got != exitcode.Error {
				t.Errorf("exit %d, want 1 (legacy is unknown)", got)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr without a terminal: %q", errOut.String())
			}
			golden(t, "audit."+string(format)+".golden", out.String())
		})
	}
}

func TestExitStatus(t *testing.T) {
	accounts, build, _ := states()
	for _, tc := range []struct {
		name string
		ids  []string
		want int
	}{
		{"all compliant", []string{mgmt, "222222222222"}, exitcode.OK},
		{"gaps", []string{mgmt, "333333333333"}, exitcode.Changes},
		{"unknown wins over gaps", []string{"333333333333", "555555555555"}, exitcode.Error},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sel []org.Account
			for _, a := range accounts {
				for _, id := range tc.ids {
					if a.ID == id {
						sel = append(sel, a)
					}
				}
			}
			io, _, _, _ := term.Test(false)
			err := orgcmd.RunAudit(context.Background(), orgcmd.Options{IO: io, Format: cliflags.JSON, Concurrency: 2,
				Connect: func(context.Context) (*orgcmd.Estate, error) {
					return fakeEstate(sel, build, map[string]bool{"555555555555": true}, 0), nil
				}})
			if got := exitcode.Of(err); got != tc.want {
				t.Errorf("exit %d, want %d", got, tc.want)
			}
		})
	}
}

// On a terminal, stderr shows the live count and is left clean; stdout,
// the report, carries no cursor codes.
func TestProgressOnTerminalOnly(t *testing.T) {
	accounts, build, denied := states()
	io, _, out, errOut := term.Test(false)
	io.SetErrTTY(true)
	slow := func(id string) *fa.Account { a := build(id); a.Latency = 20 * time.Millisecond; return a }
	err := orgcmd.RunAudit(context.Background(), orgcmd.Options{IO: io, Format: cliflags.Text, Concurrency: 2,
		Connect: func(context.Context) (*orgcmd.Estate, error) {
			return fakeEstate(accounts, slow, denied, 20*time.Millisecond), nil
		}})
	if exitcode.Of(err) != exitcode.Error {
		t.Errorf("exit %d", exitcode.Of(err))
	}
	e := errOut.String()
	if !strings.Contains(e, "Auditing accounts") || !strings.Contains(e, "/6 done") {
		t.Errorf("stderr has no progress: %q", e)
	}
	if !strings.Contains(e, "\x1b[2K\r") {
		t.Errorf("the progress line is not erased at the end: %q", e[max(0, len(e)-80):])
	}
	if strings.Contains(out.String(), "\x1b") || !strings.Contains(out.String(), "6 account(s)") {
		t.Errorf("stdout carries escape codes or lacks the report:\n%q", out.String())
	}
}

// audit --org --control judges that control in every account (it used to
// judge CIS 4.5 whatever --control said).
func TestAuditOneControl(t *testing.T) {
	accounts, build, denied := states()
	ctl, err := chain.ControlFor("4.3")
	if err != nil {
		t.Fatal(err)
	}
	io, _, out, _ := term.Test(false)
	err = orgcmd.RunAudit(context.Background(), orgcmd.Options{IO: io, Format: cliflags.JSON, Concurrency: 3, Control: ctl,
		Connect: func(context.Context) (*orgcmd.Estate, error) { return fakeEstate(accounts, build, denied, 0), nil }})
	if got := exitcode.Of(err); got != exitcode.Error {
		t.Errorf("exit %d, want 1 (legacy is unknown)", got)
	}
	var doc struct {
		Accounts []struct {
			Control string `json:"control"`
			Gaps    []struct {
				Code string `json:"code"`
			} `json:"gaps"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	gaps, judged := 0, 0
	for _, a := range doc.Accounts {
		switch a.Control {
		case "4.3":
			judged++
		case "": // not reached: no report
		default:
			t.Errorf("an account judged for %q, want 4.3", a.Control)
		}
		for _, g := range a.Gaps {
			gaps += map[bool]int{true: 1}[g.Code == "NO_METRIC_FILTER"]
		}
	}
	// The accounts with a chain have 4.5's filter only: 4.3 has none.
	if gaps == 0 || judged != len(doc.Accounts)-1 {
		t.Errorf("%d accounts judged, %d without 4.3's filter:\n%s", judged, gaps, out.String())
	}
}
