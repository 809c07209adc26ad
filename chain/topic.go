package chain

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/trailwatch/trailwatch/internal/policydoc"
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
	Usable bool   `json:"usable"`
	Reason string `json:"reason,omitempty"`
	// ReasonField is the attribute Reason rests on ("Policy",
	// "KmsMasterKeyId"), for the link's field.
	ReasonField string   `json:"reason_field,omitempty"`
	Doubts      []string `json:"doubts,omitempty"`
	// PolicyRepairable: the only fault is that no statement of its policy
	// lets CloudWatch publish; merging trailwatch's statement repairs it
	// (an explicit deny is never removed).
	PolicyRepairable bool `json:"policy_repairable,omitempty"`
	// KeyUnread says why the key's policy could not be read (the link is
	// then unknown).
	KeyUnread string `json:"key_unread,omitempty"`
}

// Key is what KMS says of a topic's customer managed key.
type Key struct {
	ARN     string
	Manager string // AWS or CUSTOMER
	State   string // Enabled, Disabled, PendingDeletion...
	Policy  string
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

// Publisher is the alarm that publishes to a topic: its region (CloudWatch
// alarms publish only to topics in their own region; PutMetricAlarm
// refuses others), its ARN (the aws:SourceArn of the publish) and account.
type Publisher struct {
	Region, AlarmARN, Account string
}

// JudgeTopic decides whether CloudWatch can publish to the topic for the
// alarm p, from its attributes (nil when they were not read) and, for a
// topic encrypted with a customer managed key, the key as KMS describes it
// (nil when it was not read: keyErr says why).
//
// The topic's policy must let the CloudWatch service principal publish:
// the default policy does (it allows everyone in the owner account's name,
// AWS:SourceOwner); an explicit deny matching CloudWatch, or a custom
// policy that allows neither it nor everyone, does not. The key's policy
// must let cloudwatch.amazonaws.com use it (kms:Decrypt and
// kms:GenerateDataKey*); the AWS managed key alias/aws/sns cannot be used
// (re:Post, "Why didn't I receive an SNS notification for my CloudWatch
// alarm trigger?"; SNS guide, "Encryption at rest"). What the policy
// language leaves undecided here is a doubt, not a verdict.
func JudgeTopic(t Topic, attrs map[string]string, key *Key, keyErr string, p Publisher) Topic {
	alarmRegion := p.Region
	t.Usable = false
	switch {
	case alarmRegion != "" && t.Region != "" && t.Region != alarmRegion:
		t.Reason = fmt.Sprintf("the topic is in %s, and CloudWatch alarms publish only to topics in their own region (%s)", t.Region, alarmRegion)
		t.ReasonField = "AlarmActions"
		return t
	case t.Gone:
		t.Reason = "the topic does not exist"
		t.ReasonField = "AlarmActions"
		return t
	case attrs == nil:
		t.Reason = "its attributes could not be read"
		return t
	}
	t.KMSKeyID = attrs["KmsMasterKeyId"]
	if IsAWSManagedSNSKey(t.KMSKeyID) {
		t.Reason = fmt.Sprintf("the topic is encrypted with the AWS managed key %s, which CloudWatch cannot use", t.KMSKeyID)
		t.ReasonField = "KmsMasterKeyId"
		return t
	}
	if pol := attrs["Policy"]; pol != "" {
		switch r := policydoc.TopicAllowsCloudWatch(pol, t.ARN, p.AlarmARN, p.Account); r.Decision {
		case policydoc.Denied:
			t.Reason = "the topic's access policy does not let CloudWatch publish to it: " + r.Reason
			t.ReasonField = "Policy"
			t.PolicyRepairable = !r.Explicit
			return t
		case policydoc.Undecided:
			t.Doubts = append(t.Doubts, "whether its access policy lets CloudWatch publish cannot be decided: "+r.Reason)
		}
	}
	if t.KMSKeyID != "" {
		switch {
		case key == nil:
			t.KeyUnread = keyErr
			t.Reason = "the topic's KMS key could not be read: " + keyErr
			return t
		case key.Manager == "AWS":
			t.Reason = fmt.Sprintf("the topic is encrypted with the AWS managed key %s, which CloudWatch cannot use", t.KMSKeyID)
			t.ReasonField = "KmsMasterKeyId"
			return t
		case key.State != "" && key.State != "Enabled":
			t.Reason = fmt.Sprintf("the topic's KMS key %s is %s, so nothing can be published to it", t.KMSKeyID, words(key.State))
			t.ReasonField = "KeyState"
			return t
		}
		switch r := policydoc.KeyAllowsCloudWatchAlarm(key.Policy, key.ARN, p.AlarmARN, p.Account); r.Decision {
		case policydoc.Denied:
			t.Reason = fmt.Sprintf("the policy of the topic's KMS key %s does not let CloudWatch use the key (kms:Decrypt and kms:GenerateDataKey*): %s", t.KMSKeyID, r.Reason)
			t.ReasonField = "KeyPolicy"
			return t
		case policydoc.Undecided:
			t.Doubts = append(t.Doubts, fmt.Sprintf("whether the policy of its KMS key %s lets CloudWatch use the key cannot be decided: %s", t.KMSKeyID, r.Reason))
		}
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
		return fail("the alarm's actions are disabled").on("ActionsEnabled")
	case t == nil:
		d := "the alarm's actions on ALARM name no SNS topic"
		if len(a.AlarmActions) > 0 {
			d += " (" + strings.Join(a.AlarmActions, ", ") + ")"
		}
		if n := len(SNSTopics(a.OKActions)) + len(SNSTopics(a.InsufficientData)); n > 0 {
			d += "; topics in its OK or insufficient-data actions are not told when it goes to ALARM"
		}
		return fail(d).on("AlarmActions")
	case !t.Usable:
		return fail(t.Reason).on(t.ReasonField)
	}
	return pass("").on("AlarmActions")
}

// JudgeSubscription judges the topic's subscriptions.
func JudgeSubscription(t Topic) Verdict {
	switch {
	case len(t.ConfirmedEndpoints) > 0:
		return pass("confirmed: " + strings.Join(t.ConfirmedEndpoints, ", ")).on("SubscriptionArn")
	case len(t.PendingEndpoints) > 0:
		return fail("waiting for confirmation, which only the recipient can give: " + strings.Join(t.PendingEndpoints, ", ")).on("SubscriptionArn")
	}
	return missing("nobody is subscribed")
}

// words spells an API enum in plain words: "PendingDeletion" is "pending
// deletion".
func words(enum string) string {
	var b strings.Builder
	for i, r := range enum {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
