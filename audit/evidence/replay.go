package evidence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trailwatch/trailwatch/audit"
	"github.com/trailwatch/trailwatch/internal/localfile"
)

// MissingError is returned by replayed clients for a call the evidence file
// has no response for. The audit reports it as an unknown read.
type MissingError struct {
	Path string
	Call string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("evidence file has no response for %s", e.Call)
}

type replayed struct {
	spec   *opSpec
	region string
	ident  map[string]string
	out    any
	err    *CallError
	// truncated: the file holds the listing's first pages only.
	truncated bool
}

// Replay answers audit reads from an evidence file.
type Replay struct {
	path    string
	file    *File
	entries []*replayed
	reached map[string]*Replay // by account
}

// Reacher is Reach when the file holds reads in other accounts, else nil
// (audit.Options.Reach left unset: nothing else is reached).
func (r *Replay) Reacher() func(context.Context, string) (audit.Clients, error) {
	if len(r.reached) == 0 {
		return nil
	}
	return r.Reach
}

// Reach answers audit.Options.Reach from the file's "reached" list: the
// reads recorded in account, or an error when the file has none (the
// audit then reports that account's links unknown).
func (r *Replay) Reach(_ context.Context, account string) (audit.Clients, error) {
	if c, ok := r.reached[account]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("evidence file %s has no reads in account %s", r.path, account)
}

// Load reads and validates the evidence file at path and returns clients
// that answer from it, with no AWS access. Errors name the file, the call's
// index and what is wrong.
func Load(path string) (*Replay, error) {
	b, err := localfile.Read(path, localfile.EvidenceLimit)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return Parse(path, b)
}

// Parse is Load for data already read; path is used in messages only.
func Parse(path string, data []byte) (*Replay, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("evidence file %s: %s", path, fmt.Sprintf(format, a...))
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	// Unknown keys in the file's own structure are typos ("cals",
	// "respnse") that would silently turn every read into unknown; members
	// inside a response stay free, as the CLI may print more than we read.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := position(data, se.Offset)
			return nil, fail("malformed JSON at line %d, column %d: %v", line, col, err)
		case errors.As(err, &te):
			line, col := position(data, te.Offset)
			return nil, fail("line %d, column %d: %s must be %s, not a JSON %s", line, col, te.Field, te.Type, te.Value)
		}
		if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return nil, fail("unknown key %s: the file has format, account, region, recorded_at, calls and reached; each call has service, operation, region, params, and response or error", f)
		}
		return nil, fail("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		// Two files joined by cat, or trailing garbage, must not pass as the first.
		return nil, fail("unexpected data after the JSON object at offset %d: one evidence file holds one object", dec.InputOffset())
	}
	if f.Format != Format {
		return nil, fail("format is %q, want %q", f.Format, Format)
	}
	if f.Region == "" {
		return nil, fail("no \"region\": name the region the audit ran in")
	}
	r, err := parseFile(path, &f, fail)
	if err != nil {
		return nil, err
	}
	for i := range f.Reached {
		c := &f.Reached[i]
		at := fmt.Sprintf("reached[%d]", i)
		switch {
		case c.Format != Format:
			return nil, fail("%s: format is %q, want %q", at, c.Format, Format)
		case c.Region == "":
			return nil, fail("%s: no \"region\"", at)
		case c.Account == "":
			return nil, fail("%s: no \"account\": name the account these reads were made in", at)
		case len(c.Reached) > 0:
			return nil, fail("%s: a reached account lists no further ones (they belong in the top-level list)", at)
		case r.reached[c.Account] != nil || c.Account == f.Account:
			return nil, fail("%s: account %s appears twice", at, c.Account)
		}
		sub, err := parseFile(path, c, func(format string, a ...any) error { return fail(at+": "+format, a...) })
		if err != nil {
			return nil, err
		}
		if r.reached == nil {
			r.reached = map[string]*Replay{}
		}
		r.reached[c.Account] = sub
	}
	return r, nil
}

// parseFile checks one account's calls and indexes them.
func parseFile(path string, f *File, fail func(string, ...any) error) (*Replay, error) {
	r := &Replay{path: path, file: f}
	seen := map[string]int{}
	for i, c := range f.Calls {
		at := fmt.Sprintf("calls[%d]", i)
		spec := findOp(c.Service, c.Operation)
		if spec == nil {
			return nil, fail("%s: unknown operation %q %q (known: %s)", at, c.Service, c.Operation, knownOps())
		}
		at += " (" + c.Service + " " + c.Operation + ")"
		ident := map[string]string{}
		for _, k := range spec.ident {
			v, ok := c.Params[k]
			if !ok && spec.optional[k] {
				ident[k] = ""
				continue
			}
			if !ok {
				return nil, fail("%s: params has no %q", at, k)
			}
			s, ok := v.(string)
			if !ok || s == "" {
				return nil, fail("%s: params.%s must be a non-empty string", at, k)
			}
			ident[k] = s
		}
		k := key(c.Service, c.Operation, c.Region, ident)
		if j, dup := seen[k]; dup {
			return nil, fail("%s: the same call as calls[%d]", at, j)
		}
		seen[k] = i
		e := &replayed{spec: spec, region: c.Region, ident: ident, truncated: c.Truncated}
		hasResp := len(c.Response) > 0 && string(c.Response) != "null"
		switch {
		case c.Truncated && (spec.list == "" || !hasResp):
			return nil, fail("%s: \"truncated\" marks a listing's response that stops before its last page; this call has none", at)
		case hasResp && c.Error != nil:
			return nil, fail("%s: has both a response and an error", at)
		case !hasResp && c.Error == nil:
			return nil, fail("%s: missing response (or error)", at)
		case c.Error != nil:
			if c.Error.Code == "" && c.Error.Message == "" && c.Error.Status == 0 {
				return nil, fail("%s: error needs a code, a message or a status", at)
			}
			e.err = c.Error
		default:
			var raw any
			d := json.NewDecoder(bytes.NewReader(c.Response))
			d.UseNumber()
			if err := d.Decode(&raw); err != nil {
				return nil, fail("%s: response: %v", at, err)
			}
			if _, ok := raw.(map[string]any); !ok {
				return nil, fail("%s: response must be a JSON object, as the AWS CLI prints it", at)
			}
			out := spec.newOut()
			if err := decode(raw, out, spec.name, "response"); err != nil {
				return nil, fail("%s: %v", at, err)
			}
			e.out = out
		}
		r.entries = append(r.entries, e)
	}
	return r, nil
}

func knownOps() string {
	var s []string
	for _, o := range ops {
		s = append(s, o.service+" "+o.op)
	}
	return strings.Join(s, ", ")
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// File is the parsed evidence file.
func (r *Replay) File() *File { return r.file }

// sameTrail matches a trail named by ARN or by name.
func sameTrail(a, b string) bool {
	if a == b {
		return true
	}
	tail := func(s string) string {
		if i := strings.LastIndex(s, ":trail/"); i >= 0 {
			return s[i+len(":trail/"):]
		}
		return s
	}
	// Only a name may match an ARN's tail; two different ARNs never match.
	if strings.HasPrefix(a, "arn:") && strings.HasPrefix(b, "arn:") {
		return false
	}
	return tail(a) == tail(b)
}

// answer finds the response for a call, or returns the recorded error or a
// MissingError.
func (r *Replay) answer(service, op, region string, ident map[string]string) (any, error) {
	_, out, err := r.answerFrom(service, op, region, ident)
	return out, err
}

// answerFrom is answer, also returning the entry that answered (nil when
// none did).
func (r *Replay) answerFrom(service, op, region string, ident map[string]string) (*replayed, any, error) {
	match := r.find(service, op, region, ident)
	if match == nil {
		if service == "sts" && op == "GetCallerIdentity" && r.file.Account != "" {
			return nil, &sts.GetCallerIdentityOutput{Account: aws.String(r.file.Account)}, nil
		}
		return nil, nil, &MissingError{Path: r.path, Call: describe(service, op, region, ident)}
	}
	if match.err != nil {
		return match, nil, match.err.asError()
	}
	return match, clone(match.out), nil
}

// find is the entry that answers a call, nil when there is none: one for
// the call's region before one for every region.
func (r *Replay) find(service, op, region string, ident map[string]string) *replayed {
	var match *replayed
	for _, e := range r.entries {
		if e.spec.service != service || e.spec.op != op {
			continue
		}
		if e.region != "" && e.region != region {
			continue
		}
		ok := true
		for k, v := range ident {
			w := e.ident[k]
			if k == "Name" || k == "TrailName" {
				ok = ok && sameTrail(v, w)
			} else {
				ok = ok && v == w
			}
		}
		if !ok {
			continue
		}
		if match == nil || (match.region == "" && e.region != "") {
			match = e
		}
	}
	return match
}

// asError rebuilds the error as the SDK returns it: an API error with the
// code, inside an HTTP response error carrying the status.
func (c *CallError) asError() error {
	var err error
	if c.Code != "" {
		err = &smithy.GenericAPIError{Code: c.Code, Message: c.Message}
	} else {
		err = errors.New(c.Message)
	}
	if c.Status != 0 {
		err = &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: c.Status}}, Err: err}
	}
	return err
}

// audit.Clients

func (r *Replay) Region() string { return r.file.Region }

func (r *Replay) STS() audit.STSAPI { return &repSTS{r, r.file.Region} }

func (r *Replay) CloudTrail(region string) audit.CloudTrailAPI { return &repCloudTrail{r, region} }

func (r *Replay) Logs(region string) audit.LogsAPI { return &repLogs{r, region} }

func (r *Replay) CloudWatch(region string) audit.CloudWatchAPI { return &repCloudWatch{r, region} }

func (r *Replay) SNS(region string) audit.SNSAPI { return &repSNS{r, region} }

func (r *Replay) KMS(region string) audit.KMSAPI { return &repKMS{r, region} }

// SecurityHub answers CIS 4.16's read from the file; a file recorded
// without it leaves 4.16 unknown.
func (r *Replay) SecurityHub(region string) audit.SecurityHubAPI { return &repHub{r, region} }

type repHub struct {
	r      *Replay
	region string
}

func (s *repHub) DescribeHub(ctx context.Context, in *securityhub.DescribeHubInput, _ ...func(*securityhub.Options)) (*securityhub.DescribeHubOutput, error) {
	return get[securityhub.DescribeHubOutput](s.r, "securityhub", "DescribeHub", s.region, nil)
}

type repKMS struct {
	r      *Replay
	region string
}

func (s *repKMS) DescribeKey(ctx context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	return get[kms.DescribeKeyOutput](s.r, "kms", "DescribeKey", s.region, map[string]string{"KeyId": aws.ToString(in.KeyId)})
}

func (s *repKMS) GetKeyPolicy(ctx context.Context, in *kms.GetKeyPolicyInput, _ ...func(*kms.Options)) (*kms.GetKeyPolicyOutput, error) {
	return get[kms.GetKeyPolicyOutput](s.r, "kms", "GetKeyPolicy", s.region, map[string]string{"KeyId": aws.ToString(in.KeyId)})
}

func get[T any](r *Replay, service, op, region string, ident map[string]string) (*T, error) {
	out, err := r.answer(service, op, region, ident)
	if err != nil {
		return nil, err
	}
	return out.(*T), nil
}

type repSTS struct {
	r      *Replay
	region string
}

func (s *repSTS) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	return get[sts.GetCallerIdentityOutput](s.r, "sts", "GetCallerIdentity", s.region, nil)
}

type repCloudTrail struct {
	r      *Replay
	region string
}

func (s *repCloudTrail) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.DescribeTrailsOutput, error) {
	return get[cloudtrail.DescribeTrailsOutput](s.r, "cloudtrail", "DescribeTrails", s.region, nil)
}

func (s *repCloudTrail) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	return get[cloudtrail.GetTrailStatusOutput](s.r, "cloudtrail", "GetTrailStatus", s.region, map[string]string{"Name": aws.ToString(in.Name)})
}

func (s *repCloudTrail) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetEventSelectorsOutput, error) {
	return get[cloudtrail.GetEventSelectorsOutput](s.r, "cloudtrail", "GetEventSelectors", s.region, map[string]string{"TrailName": aws.ToString(in.TrailName)})
}

type repLogs struct {
	r      *Replay
	region string
}

func (s *repLogs) DescribeMetricFilters(ctx context.Context, in *cloudwatchlogs.DescribeMetricFiltersInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeMetricFiltersOutput, error) {
	return get[cloudwatchlogs.DescribeMetricFiltersOutput](s.r, "logs", "DescribeMetricFilters", s.region, map[string]string{"logGroupName": aws.ToString(in.LogGroupName)})
}

type repCloudWatch struct {
	r      *Replay
	region string
}

// restToken is the page token replay answers a truncated listing with; the
// page it asks for is not in the file.
const restToken = "trailwatch-evidence:not-recorded"

func (s *repCloudWatch) DescribeAlarms(ctx context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	if aws.ToString(in.NextToken) == restToken {
		return nil, &MissingError{Path: s.r.path, Call: describe("cloudwatch", "DescribeAlarms", s.region, nil) + " after the pages recorded"}
	}
	e, out, err := s.r.answerFrom("cloudwatch", "DescribeAlarms", s.region, nil)
	if err != nil {
		return nil, err
	}
	page := out.(*cloudwatch.DescribeAlarmsOutput)
	if e.truncated {
		page.NextToken = aws.String(restToken)
	}
	return page, nil
}

func (s *repCloudWatch) DescribeAlarmsForMetric(ctx context.Context, in *cloudwatch.DescribeAlarmsForMetricInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsForMetricOutput, error) {
	return get[cloudwatch.DescribeAlarmsForMetricOutput](s.r, "cloudwatch", "DescribeAlarmsForMetric", s.region, map[string]string{"Namespace": aws.ToString(in.Namespace), "MetricName": aws.ToString(in.MetricName)})
}

type repSNS struct {
	r      *Replay
	region string
}

func (s *repSNS) GetTopicAttributes(ctx context.Context, in *sns.GetTopicAttributesInput, _ ...func(*sns.Options)) (*sns.GetTopicAttributesOutput, error) {
	return get[sns.GetTopicAttributesOutput](s.r, "sns", "GetTopicAttributes", s.region, map[string]string{"TopicArn": aws.ToString(in.TopicArn)})
}

func (s *repSNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	return get[sns.ListSubscriptionsByTopicOutput](s.r, "sns", "ListSubscriptionsByTopic", s.region, map[string]string{"TopicArn": aws.ToString(in.TopicArn)})
}

func (s *repCloudWatch) ListTagsForResource(ctx context.Context, in *cloudwatch.ListTagsForResourceInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.ListTagsForResourceOutput, error) {
	return get[cloudwatch.ListTagsForResourceOutput](s.r, "cloudwatch", "ListTagsForResource", s.region, map[string]string{"ResourceARN": aws.ToString(in.ResourceARN)})
}

func (s *repSNS) ListTagsForResource(ctx context.Context, in *sns.ListTagsForResourceInput, _ ...func(*sns.Options)) (*sns.ListTagsForResourceOutput, error) {
	return get[sns.ListTagsForResourceOutput](s.r, "sns", "ListTagsForResource", s.region, map[string]string{"ResourceArn": aws.ToString(in.ResourceArn)})
}
