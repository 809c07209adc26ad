package policydoc

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	keyARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

	// The policy SNS gives a new topic ("Example cases for Amazon SNS access
	// control"; the console's default uses AWS:SourceOwner).
	defaultTopicPolicy = `{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],` +
		`"Resource":"` + topic + `","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}`

	// The statement AWS's troubleshooting article has you add.
	knowledgeCenter = `{"Sid":"Allow_Publish_Alarms","Effect":"Allow","Principal":{"Service":["cloudwatch.amazonaws.com"]},"Action":"sns:Publish","Resource":"` + topic + `"}`

	// trailwatch's own statement (plan.TopicStatement).
	trailwatchTopic = `{"Sid":"TrailwatchCloudWatchAlarmsPublish","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:Publish","Resource":"` + topic + `",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}}}`

	// The default key policy's statement for the account
	// ("Default key policy", AWS KMS developer guide).
	keyRoot = `{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}`

	// The statement "Enable compatibility between event sources from AWS
	// services and encrypted topics" asks for.
	keyCloudWatch = `{"Sid":"CW","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*"}`
)

func TestTopicAllowsCloudWatch(t *testing.T) {
	tests := []struct {
		name, why, policy string
		want              outcome
	}{
		{"the default topic policy", `{"AWS":"*"} includes CloudWatch, and CloudWatch sets AWS:SourceOwner to the alarm's account`,
			defaultTopicPolicy, outcome{Decision: Allowed, Statement: `"__default_statement_ID"`}},
		{"the default policy of another account's topic", "AWS:SourceOwner is the alarm's account, not the topic owner's",
			strings.ReplaceAll(defaultTopicPolicy, `"AWS:SourceOwner":"123456789012"`, `"AWS:SourceOwner":"111122223333"`), outcome{Decision: Denied}},
		{"the knowledge-center statement", "the statement AWS says to add for CloudWatch alarms",
			doc("2012-10-17", knowledgeCenter), outcome{Decision: Allowed, Statement: `"Allow_Publish_Alarms"`}},
		{"trailwatch's statement", "aws:SourceAccount and aws:SourceArn are the alarm's",
			doc("2012-10-17", trailwatchTopic), outcome{Decision: Allowed, Statement: `"TrailwatchCloudWatchAlarmsPublish"`}},
		{"trailwatch's statement for another region's alarms", "the alarm ARN's region does not match",
			doc("2012-10-17", strings.Replace(trailwatchTopic, "cloudwatch:us-east-1", "cloudwatch:eu-west-1", 1)), outcome{Decision: Denied}},
		{"only the account allowed", "CloudWatch publishes as its service principal, not as the account",
			doc("2012-10-17", `{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"SNS:Publish","Resource":"`+topic+`"}`), outcome{Decision: Denied}},
		{"a deny of everyone", "an explicit deny that matches everyone overrides the default allow",
			`{"Version":"2008-10-17","Statement":[` + strings.TrimSuffix(strings.SplitN(defaultTopicPolicy, `"Statement":[`, 2)[1], "]}") +
				`,{"Sid":"Freeze","Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"` + topic + `"}]}`,
			outcome{Decision: Denied, Explicit: true, Statement: `"Freeze"`}},
		{"a deny of CloudWatch", "an explicit deny naming the service",
			doc("2012-10-17", knowledgeCenter, `{"Sid":"NoCW","Effect":"Deny","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"sns:*","Resource":"*"}`),
			outcome{Decision: Denied, Explicit: true, Statement: `"NoCW"`}},
		{"a TLS-only deny", "aws:SecureTransport's value for CloudWatch's own publish is not documented",
			doc("2012-10-17", knowledgeCenter, `{"Sid":"TLS","Effect":"Deny","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}`),
			outcome{Decision: Undecided, Statement: `"TLS"`, Key: "aws:SecureTransport", Operator: "Bool"}},
		{"an organization-only allow", "aws:PrincipalOrgID is not documented for a service principal",
			doc("2012-10-17", `{"Sid":"Org","Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}`),
			outcome{Decision: Undecided, Statement: `"Org"`, Key: "aws:PrincipalOrgID", Operator: "StringEquals"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := TopicAllowsCloudWatch(tc.policy, topic, alarm, acct)
			got := outcome{r.Decision, r.Explicit, r.Statement, r.Key, r.Operator}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nreason: %s\n(-want +got):\n%s", tc.why, r.Reason, diff)
			}
		})
	}
}

func TestKeyAllowsCloudWatch(t *testing.T) {
	managed := `{"Version":"2012-10-17","Id":"auto-sns-1","Statement":[{"Sid":"Allow access through SNS for all principals in the account that are authorized to use SNS","Effect":"Allow","Principal":{"AWS":"*"},` +
		`"Action":["kms:Decrypt","kms:GenerateDataKey*","kms:CreateGrant","kms:ListGrants","kms:DescribeKey"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"kms:ViaService":"sns.us-east-1.amazonaws.com","kms:CallerAccount":"123456789012"}}}]}`
	withSource := `{"Sid":"CWAlarms","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"}}}`
	tests := []struct {
		name, why, policy string
		alarm             string
		want              outcome
	}{
		{"the default key policy", "its root statement lets the account's IAM policies grant use; a service principal is not in the account",
			doc("2012-10-17", keyRoot), "", outcome{Decision: Denied}},
		{"default plus CloudWatch", "the statement AWS documents for event sources of encrypted topics",
			doc("2012-10-17", keyRoot, keyCloudWatch), "", outcome{Decision: Allowed, Statement: `"CW"`}},
		{"only kms:Decrypt", "CloudWatch also needs kms:GenerateDataKey*",
			doc("2012-10-17", keyRoot, strings.Replace(keyCloudWatch, `"kms:GenerateDataKey*",`, "", 1)), "", outcome{Decision: Denied}},
		{"kms:* for CloudWatch", "a wildcard action covers both",
			doc("2012-10-17", `{"Sid":"All","Effect":"Allow","Principal":{"Service":"cloudwatch.amazonaws.com"},"Action":"kms:*","Resource":"*"}`), "", outcome{Decision: Allowed, Statement: `"All"`}},
		{"an explicit deny of Decrypt", "a deny overrides the allow",
			doc("2012-10-17", keyCloudWatch, `{"Sid":"NoDecrypt","Effect":"Deny","Principal":"*","Action":"kms:Decrypt","Resource":"*"}`), "", outcome{Decision: Denied, Explicit: true, Statement: `"NoDecrypt"`}},
		{"aws:SourceArn without an alarm", "the alarm is not known, so its ARN is not",
			doc("2012-10-17", keyRoot, withSource), "", outcome{Decision: Undecided, Statement: `"CWAlarms"`, Key: "aws:SourceArn", Operator: "ArnLike"}},
		{"aws:SourceArn for an alarm", "the alarm's ARN matches the pattern AWS recommends",
			doc("2012-10-17", keyRoot, withSource), alarm, outcome{Decision: Allowed, Statement: `"CWAlarms"`}},
		{"an AWS managed key's policy", "kms:ViaService and kms:CallerAccount are not documented for CloudWatch's own calls: undecided here; the audit refuses AWS managed keys by their key manager",
			managed, "", outcome{Decision: Undecided, Statement: `"Allow access through SNS for all principals in the account that are authorized to use SNS"`, Key: "kms:ViaService", Operator: "StringEquals"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r Result
			if tc.alarm == "" {
				r = KeyAllowsCloudWatch(tc.policy, keyARN, acct)
			} else {
				r = KeyAllowsCloudWatchAlarm(tc.policy, keyARN, tc.alarm, acct)
			}
			got := outcome{r.Decision, r.Explicit, r.Statement, r.Key, r.Operator}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s\nreason: %s\n(-want +got):\n%s", tc.why, r.Reason, diff)
			}
			if r.Reason == "" {
				t.Error("no reason")
			}
		})
	}
}
