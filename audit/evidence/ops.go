package evidence

import (
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// opSpec describes one operation the audit calls.
type opSpec struct {
	service, op string
	// ident lists the parameters that identify a call (file names);
	// optional ones may be absent (an empty value in the identity).
	ident    []string
	optional map[string]bool
	// newOut returns a pointer to a zero SDK output.
	newOut func() any
	name   naming
	// list is the Go field holding a paginated operation's items, merged
	// across pages; "" when not paginated.
	list string
}

func cloudTrailNames(n string) string {
	if n == "TrailList" {
		return "trailList"
	}
	return n
}

var ops = []*opSpec{
	{service: "cloudtrail", op: "DescribeTrails", newOut: func() any { return &cloudtrail.DescribeTrailsOutput{} }, name: cloudTrailNames},
	{service: "cloudtrail", op: "GetTrailStatus", ident: []string{"Name"}, newOut: func() any { return &cloudtrail.GetTrailStatusOutput{} }, name: cloudTrailNames},
	{service: "cloudtrail", op: "GetEventSelectors", ident: []string{"TrailName"}, newOut: func() any { return &cloudtrail.GetEventSelectorsOutput{} }, name: cloudTrailNames},
	// Without logGroupName: every filter of the region (the audit asks for
	// that when a trail delivers nowhere, to find the chain it was cut from).
	{service: "logs", op: "DescribeMetricFilters", ident: []string{"logGroupName"}, optional: map[string]bool{"logGroupName": true}, newOut: func() any { return &cloudwatchlogs.DescribeMetricFiltersOutput{} }, name: lowerCamel, list: "MetricFilters"},
	{service: "cloudwatch", op: "DescribeAlarms", newOut: func() any { return &cloudwatch.DescribeAlarmsOutput{} }, name: pascal, list: "MetricAlarms"},
	// The audit asks for a filter's metric without dimensions, statistic,
	// period or unit, so namespace and name identify the call.
	{service: "cloudwatch", op: "DescribeAlarmsForMetric", ident: []string{"Namespace", "MetricName"}, newOut: func() any { return &cloudwatch.DescribeAlarmsForMetricOutput{} }, name: pascal},
	{service: "cloudwatch", op: "ListTagsForResource", ident: []string{"ResourceARN"}, newOut: func() any { return &cloudwatch.ListTagsForResourceOutput{} }, name: pascal},
	{service: "sns", op: "ListTagsForResource", ident: []string{"ResourceArn"}, newOut: func() any { return &sns.ListTagsForResourceOutput{} }, name: pascal},
	{service: "sns", op: "GetTopicAttributes", ident: []string{"TopicArn"}, newOut: func() any { return &sns.GetTopicAttributesOutput{} }, name: pascal},
	{service: "sns", op: "ListSubscriptionsByTopic", ident: []string{"TopicArn"}, newOut: func() any { return &sns.ListSubscriptionsByTopicOutput{} }, name: pascal, list: "Subscriptions"},
	{service: "kms", op: "DescribeKey", ident: []string{"KeyId"}, newOut: func() any { return &kms.DescribeKeyOutput{} }, name: pascal},
	{service: "kms", op: "GetKeyPolicy", ident: []string{"KeyId"}, newOut: func() any { return &kms.GetKeyPolicyOutput{} }, name: pascal},
	// CIS 4.16: is Security Hub enabled in the region.
	{service: "securityhub", op: "DescribeHub", newOut: func() any { return &securityhub.DescribeHubOutput{} }, name: pascal},
	{service: "sts", op: "GetCallerIdentity", newOut: func() any { return &sts.GetCallerIdentityOutput{} }, name: pascal},
}

func findOp(service, op string) *opSpec {
	for _, s := range ops {
		if s.service == service && s.op == op {
			return s
		}
	}
	return nil
}

// appendPage adds page's items to merged (both pointers to the op's output).
func (s *opSpec) appendPage(merged, page any) {
	if s.list == "" {
		return
	}
	m := reflect.ValueOf(merged).Elem().FieldByName(s.list)
	p := reflect.ValueOf(page).Elem().FieldByName(s.list)
	n := reflect.MakeSlice(m.Type(), 0, m.Len()+p.Len())
	m.Set(reflect.AppendSlice(reflect.AppendSlice(n, m), p))
}

// hasMore reports whether a page says another follows (a non-empty
// NextToken).
func hasMore(page any) bool {
	v := reflect.ValueOf(page)
	if !v.IsValid() || v.IsNil() {
		return false
	}
	f := v.Elem().FieldByName("NextToken")
	return f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().String() != ""
}

// clone returns a shallow copy of an output pointer, so appending pages
// never writes into the caller's value.
func clone(out any) any {
	v := reflect.ValueOf(out).Elem()
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	return c.Interface()
}
