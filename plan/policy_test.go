package plan

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/internal/policydoc"
)

// Issue 16: a topic policy with no Version (read as 2008-10-17, where
// ${aws:username} is literal) and with & < > in a statement. Merging
// trailwatch's statement adds no Version and re-encodes nothing: the
// existing text is a prefix of the result, up to where the list closes.
func TestMergeTopicPolicyKeepsForeignText(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	existing := `{"Id":"ops&<sec>","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},` +
		`"Action":"SNS:Publish","Resource":"` + topic + `","Condition":{"StringLike":{"aws:username":"${aws:username}&<x>"}}}]}`
	merged, changed, err := MergeTopicPolicy(existing, topic)
	if err != nil || !changed {
		t.Fatalf("merge: changed %v, %v", changed, err)
	}
	if !strings.HasPrefix(merged, strings.TrimSuffix(existing, "]}")+",") || !strings.HasSuffix(merged, "]}") {
		t.Errorf("the existing text changed:\n%s", merged)
	}
	if strings.Contains(merged, "Version") || strings.Contains(merged, `\u0026`) {
		t.Errorf("merge added a Version or escaped HTML:\n%s", merged)
	}
	if !strings.Contains(merged, TopicStatementSid) {
		t.Errorf("trailwatch's statement missing:\n%s", merged)
	}
	if _, changed, err := MergeTopicPolicy(merged, topic); err != nil || changed {
		t.Errorf("second merge: changed %v, %v", changed, err)
	}
}

// What trailwatch writes passes trailwatch's own judge: a new topic policy
// and the SNS default policy merged with trailwatch's statement both let
// CloudWatch publish for an alarm of the account in the topic's region.
func TestTopicPolicyLetsCloudWatchPublish(t *testing.T) {
	const topic = "arn:aws:sns:us-east-1:123456789012:alerts"
	const alarm = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:trailwatch-cloudtrail-config-changes"
	def := `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:Publish"],"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"111122223333"}}}]}`
	for _, existing := range []string{"", def} {
		merged, _, err := MergeTopicPolicy(existing, topic)
		if err != nil {
			t.Fatal(err)
		}
		r := policydoc.TopicAllowsCloudWatch(merged, topic, alarm, "123456789012")
		if r.Decision != policydoc.Allowed || r.Statement != `"`+TopicStatementSid+`"` {
			t.Errorf("%s\n%v", merged, r)
		}
	}
}
