package chain

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// The notification and subscription links: the alarm's actions are enabled
// and name an SNS topic CloudWatch can publish to, and the topic has a
// confirmed subscriber.

// Topic is an SNS topic as read and judged.
type Topic struct {
	ARN    string `json:"arn"`
	Region string `json:"region"`
	Owner  string `json:"owner_account,omitempty"`
	// Gone: GetTopicAttributes says it does not exist.
	Gone     bool   `json:"gone,omitempty"`
	KMSKeyID string `json:"kms_key_id,omitempty"`
	// Ours: it carries trailwatch's tag. TagsUnread says why the tags
	// could not be read.
	Ours               bool     `json:"trailwatch_managed"`
	TagsUnread         string   `json:"tags_unread,omitempty"`
	ConfirmedEndpoints []string `json:"confirmed,omitempty"` // protocol:endpoint
	PendingEndpoints   []string `json:"pending,omitempty"`
	// Usable: CloudWatch can publish to it; Reason says why not.
	Usable bool     `json:"usable"`
	Reason string   `json:"reason,omitempty"`
	Doubts []string `json:"doubts,omitempty"`
}

// NewTopic starts the judgement of topic arn.
func NewTopic(arn string) Topic {
	t := Topic{ARN: arn}
	if a, err := ParseARN(arn); err == nil {
		t.Region, t.Owner = a.Region, a.Account
	}
	return t
}

// IsAWSManagedSNSKey reports whether a topic's KmsMasterKeyId names the
// AWS managed key for SNS, which CloudWatch cannot use to publish alarms
// (re:Post, "Why didn't I receive an SNS notification for my CloudWatch
// alarm trigger?"). Only the alias forms are recognised without KMS reads.
func IsAWSManagedSNSKey(id string) bool {
	if id == "alias/aws/sns" {
		return true
	}
	a, err := ParseARN(id)
	return err == nil && a.Service == "kms" && a.Resource == "alias/aws/sns"
}

// JudgeTopic decides whether CloudWatch can publish to the topic, from
// its attributes (nil when they were not read). alarmRegion is where the
// alarm lives: CloudWatch alarms publish only to topics in their own
// region (PutMetricAlarm refuses others).
func JudgeTopic(t Topic, attrs map[string]string, alarmRegion string) Topic {
	t.Usable = false
	switch {
	case alarmRegion != "" && t.Region != "" && t.Region != alarmRegion:
		t.Reason = fmt.Sprintf("topic %s is in %s, and CloudWatch alarms publish only to topics in their own region (%s)", t.ARN, t.Region, alarmRegion)
		return t
	case t.Gone:
		t.Reason = fmt.Sprintf("topic %s does not exist", t.ARN)
		return t
	case attrs == nil:
		t.Reason = "its attributes could not be read"
		return t
	}
	t.KMSKeyID = attrs["KmsMasterKeyId"]
	if IsAWSManagedSNSKey(t.KMSKeyID) {
		t.Reason = fmt.Sprintf("topic is encrypted with the AWS managed key %s, which CloudWatch cannot use to publish", t.KMSKeyID)
		return t
	}
	t.Usable = true
	return t
}

// ReadSubscriptions records a topic's confirmed and pending endpoints
// (protocol:endpoint). A confirmed subscription's SubscriptionArn is an
// ARN; "PendingConfirmation" is waiting for its link to be clicked;
// deleted ones count as neither.
func (t *Topic) ReadSubscriptions(subs []snstypes.Subscription) {
	t.ConfirmedEndpoints, t.PendingEndpoints = nil, nil
	for _, s := range subs {
		ep := aws.ToString(s.Protocol) + ":" + aws.ToString(s.Endpoint)
		switch arn := aws.ToString(s.SubscriptionArn); {
		case strings.HasPrefix(arn, "arn:"):
			if _, err := ParseARN(arn); err == nil && !slices.Contains(t.ConfirmedEndpoints, ep) {
				t.ConfirmedEndpoints = append(t.ConfirmedEndpoints, ep)
			}
		case arn == "PendingConfirmation":
			if !slices.Contains(t.PendingEndpoints, ep) {
				t.PendingEndpoints = append(t.PendingEndpoints, ep)
			}
		}
	}
	sort.Strings(t.ConfirmedEndpoints)
	sort.Strings(t.PendingEndpoints)
}

// IsPendingARN reports whether a SubscriptionArn says the subscription
// waits for confirmation.
func IsPendingARN(arn string) bool {
	a := strings.ToLower(arn)
	return a == "" || a == "pending confirmation" || a == "pendingconfirmation"
}

// JudgeNotification judges alarm → topic for the chosen alarm and topic
// (topic may be nil when the alarm names no SNS topic).
func JudgeNotification(a Alarm, t *Topic) Verdict {
	switch {
	case !a.ActionsEnabled:
		return fail(fmt.Sprintf("alarm %s has its actions disabled", a.Name))
	case t == nil:
		d := fmt.Sprintf("alarm %s names no SNS topic among its alarm actions", a.Name)
		if len(a.AlarmActions) > 0 {
			d += " (" + strings.Join(a.AlarmActions, ", ") + ")"
		}
		if n := len(SNSTopics(a.OKActions)) + len(SNSTopics(a.InsufficientData)); n > 0 {
			d += "; topics in its OK or insufficient-data actions are not told when it goes to ALARM"
		}
		return fail(d)
	case !t.Usable:
		return fail(t.Reason)
	}
	return pass(fmt.Sprintf("alarm %s notifies topic %s", a.Name, t.ARN))
}

// JudgeSubscription judges the topic's subscriptions.
func JudgeSubscription(t Topic) Verdict {
	switch {
	case len(t.ConfirmedEndpoints) > 0:
		return pass("confirmed: " + strings.Join(t.ConfirmedEndpoints, ", "))
	case len(t.PendingEndpoints) > 0:
		return fail("only pending confirmation: " + strings.Join(t.PendingEndpoints, ", "))
	}
	return missing("no subscriptions")
}
