// Package iampolicy is the minimal IAM policy each trailwatch mode needs,
// printed by `trailwatch iam-policy --for audit|fix|verify`.
//
// The actions live in one table, Actions. Tests in internal/hardening run
// each mode against moto through a recording proxy and compare the
// operations actually called with this table (nothing missing, nothing
// extra), then run with exactly this policy under moto's IAM enforcement.
package iampolicy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Modes a policy can be printed for.
const (
	ModeAudit  = "audit"
	ModeFix    = "fix"
	ModeVerify = "verify"
)

// auditActions are the reads `trailwatch audit` makes.
var auditActions = []string{
	"sts:GetCallerIdentity",
	"cloudtrail:DescribeTrails",
	"cloudtrail:GetTrailStatus",
	"cloudtrail:GetEventSelectors",
	"logs:DescribeMetricFilters",
	"cloudwatch:DescribeAlarms",
	// A region with more than a page of alarms: the alarms on the
	// filters' metrics, without listing every one.
	"cloudwatch:DescribeAlarmsForMetric",
	"cloudwatch:ListTagsForResource",
	"sns:GetTopicAttributes",
	"sns:ListSubscriptionsByTopic",
	"sns:ListTagsForResource",
	// A topic encrypted with a customer managed key: its manager, state
	// and policy.
	"kms:DescribeKey",
	"kms:GetKeyPolicy",
	// CIS 4.16 (audit --control 4.16 or all): is Security Hub enabled.
	"securityhub:DescribeHub",
}

// fixActions are the calls `trailwatch fix` and `apply` make beyond the
// audit's reads: the remediate package's writes, and the reads it makes to
// re-check a resource just before writing (remediate/clients.go lists them).
// The kms reads of the audit (an encrypted topic) also check --kms-key.
var fixActions = []string{
	// fix --control 4.16 only: enable Security Hub, with no standard.
	"securityhub:EnableSecurityHub",
	"cloudtrail:StartLogging",
	"cloudtrail:PutEventSelectors",
	"cloudtrail:UpdateTrail",
	"logs:DescribeLogGroups",
	"logs:ListTagsForResource",
	"logs:CreateLogGroup",
	"logs:PutRetentionPolicy",
	"logs:PutMetricFilter",
	"iam:GetRole",
	"iam:GetRolePolicy",
	"iam:CreateRole",
	"iam:UpdateAssumeRolePolicy",
	"iam:PutRolePolicy",
	"sns:CreateTopic",
	"sns:SetTopicAttributes",
	"sns:Subscribe",
	"cloudwatch:PutMetricAlarm",
	// Bootstrap (no multi-region trail): the trail's bucket and the trail.
	// HeadBucket is authorized as s3:ListBucket, ListBuckets as
	// s3:ListAllMyBuckets, and the encryption calls as *EncryptionConfiguration.
	"cloudtrail:GetTrail",
	"cloudtrail:ListTags",
	"cloudtrail:CreateTrail",
	"s3:ListBucket",
	"s3:ListAllMyBuckets",
	"s3:GetBucketTagging",
	"s3:CreateBucket",
	"s3:PutBucketTagging",
	"s3:GetBucketPublicAccessBlock",
	"s3:PutBucketPublicAccessBlock",
	"s3:GetEncryptionConfiguration",
	"s3:PutEncryptionConfiguration",
	"s3:GetBucketOwnershipControls",
	"s3:PutBucketOwnershipControls",
	"s3:GetBucketPolicy",
	"s3:PutBucketPolicy",
}

// verifyActions are the calls `trailwatch verify` makes beyond the audit's
// reads (it audits first to find the chain): the verify package's checks,
// and cloudwatch:SetAlarmState, its only write, made with --fire alone.
var verifyActions = []string{
	"logs:TestMetricFilter",
	"cloudwatch:DescribeAlarmHistory",
	"cloudwatch:GetMetricData",
	"cloudwatch:SetAlarmState",
}

// implied are actions AWS authorizes inside another call rather than as
// calls of their own: tags given at creation need the service's tagging
// action, and UpdateTrail with CloudWatchLogsRoleArn needs iam:PassRole on
// that role. A recording proxy cannot see them; Implied names them.
var implied = map[string][]string{
	"logs:CreateLogGroup":       {"logs:TagResource"},
	"iam:CreateRole":            {"iam:TagRole"},
	"sns:CreateTopic":           {"sns:TagResource"},
	"cloudwatch:PutMetricAlarm": {"cloudwatch:TagResource"},
	"cloudtrail:UpdateTrail":    {passRole},
	"cloudtrail:CreateTrail":    {"cloudtrail:AddTags", passRole},
}

// passRole lets fix hand the log-delivery role to CloudTrail. It gets its own
// statement, limited to passing roles to CloudTrail.
const passRole = "iam:PassRole"

// Calls returns the API calls mode makes, as IAM actions, sorted: the
// policy's actions minus the implied ones.
func Calls(mode string) ([]string, error) {
	var out []string
	switch mode {
	case ModeAudit:
		out = slices.Clone(auditActions)
	case ModeFix:
		out = slices.Concat(auditActions, fixActions)
	case ModeVerify:
		// verify checks the chain of 4.5, never Security Hub's 4.16.
		out = slices.Concat(slices.DeleteFunc(slices.Clone(auditActions), func(a string) bool { return a == "securityhub:DescribeHub" }), verifyActions)
	default:
		return nil, modeError(mode)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Implied returns the actions AWS also checks when action is called (see
// implied), or nil.
func Implied(action string) []string { return slices.Clone(implied[action]) }

// Actions returns every IAM action mode needs, sorted: its calls and the
// actions they imply. It is the single list the policy and the tests use.
func Actions(mode string) ([]string, error) {
	calls, err := Calls(mode)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(calls)
	for _, c := range calls {
		out = append(out, implied[c]...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func modeError(mode string) error {
	return fmt.Errorf("invalid mode %q: expected audit|fix|verify", mode)
}

// Policy is an IAM policy document.
type Policy struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of a Policy.
type Statement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Action    []string                     `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

// For returns the minimal policy for mode ("audit", "fix" or "verify"): one Allow
// statement per service, and for fix a separate iam:PassRole statement that
// only allows passing a role to CloudTrail.
//
// The resources are "*": trailwatch reads whatever trails, log groups, alarms
// and topics the account has, and the names it creates are chosen by flags.
func For(mode string) (Policy, error) {
	actions, err := Actions(mode)
	if err != nil {
		return Policy{}, err
	}
	byService := map[string][]string{}
	var services []string
	needPassRole := false
	for _, a := range actions {
		if a == passRole {
			needPassRole = true
			continue
		}
		svc, _, _ := strings.Cut(a, ":")
		if _, ok := byService[svc]; !ok {
			services = append(services, svc)
		}
		byService[svc] = append(byService[svc], a)
	}
	slices.Sort(services)

	p := Policy{Version: "2012-10-17"}
	for _, svc := range services {
		p.Statement = append(p.Statement, Statement{
			Sid:      "Trailwatch" + titleMode(mode) + sidName(svc),
			Effect:   "Allow",
			Action:   byService[svc],
			Resource: "*",
		})
	}
	if needPassRole {
		p.Statement = append(p.Statement, Statement{
			Sid:      "TrailwatchFixPassRoleToCloudTrail",
			Effect:   "Allow",
			Action:   []string{passRole},
			Resource: "*",
			Condition: map[string]map[string]string{
				"StringEquals": {"iam:PassedToService": "cloudtrail.amazonaws.com"},
			},
		})
	}
	return p, nil
}

// Actions lists every action the policy allows, sorted.
func (p Policy) Actions() []string {
	var out []string
	for _, s := range p.Statement {
		out = append(out, s.Action...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Without returns a copy of p that no longer allows action; a statement left
// with no action is dropped.
func (p Policy) Without(action string) Policy {
	out := Policy{Version: p.Version}
	for _, s := range p.Statement {
		s.Action = slices.DeleteFunc(slices.Clone(s.Action), func(a string) bool { return a == action })
		if len(s.Action) > 0 {
			out.Statement = append(out.Statement, s)
		}
	}
	return out
}

// JSON renders the policy as indented JSON with a trailing newline, ready to
// paste into the IAM console or `aws iam create-policy`.
func (p Policy) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

func titleMode(mode string) string {
	return strings.ToUpper(mode[:1]) + mode[1:]
}

var sidNames = map[string]string{
	"cloudtrail": "CloudTrail",
	"cloudwatch": "CloudWatch",
	"logs":       "Logs",
	"sns":        "SNS",
	"sts":        "STS",
	"iam":        "IAM",
	"kms":        "KMS",
	"s3":         "S3",
}

func sidName(svc string) string {
	if n, ok := sidNames[svc]; ok {
		return n
	}
	return titleMode(svc)
}
