package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// Field is one key parameter as printed.
type Field struct {
	Key, Value string
}

// Fields are the step's key parameters for display, in a fixed order.
func (s Step) Fields() []Field {
	var f []Field
	add := func(k, v string) {
		if v != "" {
			f = append(f, Field{k, v})
		}
	}
	p := s.Params
	switch {
	case p.Bucket != nil:
		bk := p.Bucket
		policy := "CloudTrail may s3:GetBucketAcl and s3:PutObject AWSLogs/" + bk.Account + "/* (bucket-owner-full-control) for " + bk.TrailARN + " only"
		if bk.Existing {
			add("bucket", bk.Name)
			add("policy", "merge: "+policy+"; other statements kept")
			break
		}
		policy += "; deny without TLS"
		add("name", bk.Name+" (another suffix if the name is taken)")
		add("block_public_access", "all four settings on")
		if bk.KMSKeyID != "" {
			add("encryption", "SSE-KMS with "+bk.KMSKeyID)
		} else {
			add("encryption", "SSE-S3 (AES256)")
		}
		add("object_ownership", "BucketOwnerEnforced")
		add("policy", policy)
		add("tags", ManagedTagKey+"="+ManagedTagValue)
	case p.Trail != nil:
		t := p.Trail
		add("arn", t.ARN)
		add("s3_bucket_name", t.BucketName)
		add("is_multi_region_trail", strconv.FormatBool(t.IsMultiRegion))
		add("include_global_service_events", strconv.FormatBool(t.IncludeGlobalServiceEvents))
		add("enable_log_file_validation", strconv.FormatBool(t.EnableLogFileValidation))
		add("cloudwatch_logs_log_group_arn", t.LogGroupARN)
		add("cloudwatch_logs_role_arn", t.RoleARN)
		add("tags", ManagedTagKey+"="+ManagedTagValue)
	case p.TrailLogging != nil:
		add("trail", p.TrailLogging.Trail.ARN)
		add("is_logging", "false → true")
	case p.EventSelectors != nil:
		e := p.EventSelectors
		add("trail", e.Trail.ARN)
		add("change", e.ChangeSummary)
		kind := "event_selectors"
		if len(e.Advanced) > 0 {
			kind = "advanced_event_selectors"
		}
		add(kind, fmt.Sprintf("%d kept, %d after", e.KeptSelectors, e.TotalSelectors))
		for i, sel := range e.Selectors {
			add(fmt.Sprintf("  [%d]", i+1), describeSelector(sel))
		}
		for i, sel := range e.Advanced {
			add(fmt.Sprintf("  [%d]", i+1), describeAdvanced(sel))
		}
	case p.LogGroup != nil:
		add("name", p.LogGroup.Name)
		add("retention_days", strconv.Itoa(int(p.LogGroup.RetentionDays)))
		add("tags", ManagedTagKey+"="+ManagedTagValue)
	case p.LogsRole != nil:
		r := p.LogsRole
		add("name", r.Name)
		add("trust", "cloudtrail.amazonaws.com, only for "+r.TrailARN)
		add("inline_policy", r.PolicyName+": logs:CreateLogStream, logs:PutLogEvents on log group "+r.LogGroupName+" streams")
		add("tags", ManagedTagKey+"="+ManagedTagValue)
	case p.TrailCloudWatch != nil:
		t := p.TrailCloudWatch
		add("trail", t.Trail.ARN)
		add("cloudwatch_logs_log_group_arn", t.LogGroupARN)
		add("cloudwatch_logs_role_arn", t.RoleARN)
	case p.MetricFilter != nil:
		m := p.MetricFilter
		add("log_group", m.LogGroupName)
		if m.Was != "" {
			add("pattern", m.Was+" → "+m.Pattern)
		} else {
			add("pattern", m.Pattern)
		}
		add("metric", m.Namespace+"/"+m.MetricName)
		add("metric_value", m.MetricValue)
	case p.Topic != nil:
		t := p.Topic
		add("arn", t.ARN)
		add("policy", "merge: cloudwatch.amazonaws.com may sns:Publish for this account's alarms")
		add("kms_key", t.KMSKeyID)
		add("tags", ManagedTagKey+"="+ManagedTagValue)
	case p.TopicPolicy != nil:
		add("topic", p.TopicPolicy.TopicARN)
		add("policy", "merge: cloudwatch.amazonaws.com may sns:Publish for this account's alarms; other statements kept")
	case p.Subscription != nil:
		sp := p.Subscription
		add("topic", sp.TopicARN)
		if sp.Protocol == "" {
			add("endpoint", "(required: --email ADDR or --subscribe PROTOCOL:ENDPOINT)")
		} else {
			add("protocol", sp.Protocol)
			add("endpoint", sp.Endpoint)
		}
	case p.Alarm != nil:
		a := p.Alarm
		add("metric", a.Namespace+"/"+a.MetricName)
		if s.Action == Create {
			add("condition", fmt.Sprintf("%s %s %g over %d×%ds", a.Statistic, a.ComparisonOperator, a.Threshold, a.EvaluationPeriods, a.PeriodSeconds))
			add("treat_missing_data", a.TreatMissingData)
			add("alarm_actions", a.TopicARN)
			add("tags", ManagedTagKey+"="+ManagedTagValue)
			break
		}
		for _, r := range a.Repair {
			add("repair "+r, repairValue(a, r))
		}
		add("alarm_actions", "+ "+a.TopicARN+" (other actions kept)")
		if a.EnableActions {
			add("actions_enabled", "false → true")
		}
	case p.SecurityHub != nil:
		add("standards", "none enabled (choose them in Security Hub)")
	}
	return f
}

func describeSelector(s cttypes.EventSelector) string {
	inc := s.IncludeManagementEvents == nil || *s.IncludeManagementEvents
	rw := string(s.ReadWriteType)
	if rw == "" {
		rw = "All"
	}
	out := fmt.Sprintf("management=%t read_write=%s", inc, rw)
	if len(s.DataResources) > 0 {
		var d []string
		for _, r := range s.DataResources {
			d = append(d, fmt.Sprintf("%s(%d)", aws.ToString(r.Type), len(r.Values)))
		}
		out += " data=" + strings.Join(d, ",")
	}
	if len(s.ExcludeManagementEventSources) > 0 {
		out += " exclude=" + strings.Join(s.ExcludeManagementEventSources, ",")
	}
	return out
}

func describeAdvanced(s cttypes.AdvancedEventSelector) string {
	var parts []string
	for _, f := range s.FieldSelectors {
		cond := func(op string, vs []string) {
			if len(vs) > 0 {
				parts = append(parts, fmt.Sprintf("%s %s [%s]", aws.ToString(f.Field), op, strings.Join(vs, ",")))
			}
		}
		cond("=", f.Equals)
		cond("!=", f.NotEquals)
		cond("starts", f.StartsWith)
		cond("!starts", f.NotStartsWith)
		cond("ends", f.EndsWith)
		cond("!ends", f.NotEndsWith)
	}
	return fmt.Sprintf("%q: %s", aws.ToString(s.Name), strings.Join(parts, "; "))
}

const (
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
	ansiReset  = "\x1b[0m"
)

// WriteText prints the plan the way Terraform does: each step with its
// reason, its symbol, verb and address, and key parameters indented; then a
// summary line. Colour only when color is true.
func WriteText(w io.Writer, p *Plan, color bool) error {
	ew := &errWriter{w: w}
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	if p.Empty() {
		if len(p.Remaining) == 0 {
			ew.printf("No changes: every link of the chain is in place.\n")
		} else {
			ew.printf("No changes trailwatch can make now.\n")
		}
	} else {
		ew.printf("trailwatch will make these changes in account %s, in this order:\n", p.Account)
		for _, s := range p.Steps {
			sym := string(s.Action)
			col := ansiGreen
			if s.Action == Update {
				col = ansiYellow
			}
			ew.printf("\n  # %s: %s\n", s.Reason.Code, s.Reason.Message)
			ew.printf("  %s %s %s\n", paint(col, sym), paint(ansiBold, s.Action.Verb()), s.Address)
			fields := s.Fields()
			width := 0
			for _, f := range fields {
				if len(f.Key) > width {
					width = len(f.Key)
				}
			}
			for _, f := range fields {
				ew.printf("      %-*s = %s\n", width, f.Key, f.Value)
			}
			if len(s.DependsOn) > 0 {
				ew.printf("      %-*s = %s\n", width, "after", strings.Join(s.DependsOn, ", "))
			}
		}
		c, u := p.Counts()
		ew.printf("\n%s %d to create, %d to change.\n", paint(ansiBold, "Plan:"), c, u)
	}
	for _, k := range p.Kept {
		ew.printf("Kept: %s\n", k)
	}
	for _, n := range p.Notes {
		ew.printf("Note: %s\n", n)
	}
	for _, code := range p.Remaining {
		ew.printf("Remaining after apply: %s (no step can close it now)\n", code)
	}
	for _, m := range p.Missing() {
		ew.printf("Missing: %s\n", m)
	}
	return ew.err
}

// WriteJSON writes the plan as indented JSON: the plan's own keys and, when
// a choice is still needed, "missing" with what the text prints as
// "Missing:" (decoding into a Plan ignores it).
func WriteJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONView(p))
}

// JSONView is the plan as --output json shows it: the plan's fields, with
// "steps" always an array (so `jq '.steps[]'` works on an empty plan) and
// the choices still "missing".
func JSONView(p *Plan) any {
	view := *p
	if view.Steps == nil {
		view.Steps = []Step{}
	}
	return struct {
		*Plan
		Missing []string `json:"missing,omitempty"`
	}{&view, p.Missing()}
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// repairValue is what a repair sets a setting to.
func repairValue(a *AlarmParams, setting string) string {
	switch setting {
	case "Dimensions":
		return "(none), as the filter publishes"
	case "Unit":
		return "(none), as the filter publishes"
	case "Statistic":
		return a.Statistic
	case "ComparisonOperator", "Threshold":
		return fmt.Sprintf("%s %g", a.ComparisonOperator, a.Threshold)
	case "DatapointsToAlarm":
		return "1"
	case "TreatMissingData":
		return a.TreatMissingData
	}
	return "as trailwatch wants it"
}
