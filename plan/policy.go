package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/trailwatch/trailwatch/chain"
	"github.com/trailwatch/trailwatch/internal/policydoc"
)

// RolePolicyName is the inline policy trailwatch puts on the delivery role.
const RolePolicyName = "trailwatch-cloudtrail-to-cloudwatch-logs"

// TopicStatementSid identifies the statement trailwatch merges into a topic
// policy; a statement with this Sid is trailwatch's to rewrite.
const TopicStatementSid = "TrailwatchCloudWatchAlarmsPublish"

func mustJSON(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only static shapes are marshalled here
	}
	return string(b)
}

// RoleTrustPolicy lets CloudTrail assume the role for this trail only.
func RoleTrustPolicy(account, trailARN string) string {
	return mustJSON(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":       "CloudTrailAssumeRole",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"},
			"Action":    "sts:AssumeRole",
			"Condition": map[string]any{
				"StringEquals": map[string]any{
					"aws:SourceArn":     trailARN,
					"aws:SourceAccount": account,
				},
			},
		}},
	})
}

// RolePolicy allows only creating streams in and putting events to the
// group's streams.
func RolePolicy(partition, region, account, logGroup string) string {
	return mustJSON(map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Sid":      "CloudTrailDeliverToLogGroup",
			"Effect":   "Allow",
			"Action":   []string{"logs:CreateLogStream", "logs:PutLogEvents"},
			"Resource": fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:log-stream:*", partition, region, account, logGroup),
		}},
	})
}

// TopicStatement lets this account's CloudWatch alarms in the topic's region
// publish to the topic.
func TopicStatement(topicARN string) (json.RawMessage, error) {
	a, err := chain.ParseARN(topicARN)
	if err != nil || a.Service != "sns" {
		return nil, fmt.Errorf("topic ARN %q: want arn:aws:sns:REGION:ACCOUNT:TOPIC", topicARN)
	}
	b, err := json.Marshal(map[string]any{
		"Sid":       TopicStatementSid,
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudwatch.amazonaws.com"},
		"Action":    "sns:Publish",
		"Resource":  topicARN,
		"Condition": map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": a.Account},
			"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:*", a.Partition, a.Region, a.Account)},
		},
	})
	return b, err
}

// MergeTopicPolicy adds (or refreshes) trailwatch's statement in an existing
// topic policy and keeps every other statement. changed is false when the
// policy already holds the statement as trailwatch would write it. An empty
// existing policy starts a new document.
func MergeTopicPolicy(existing, topicARN string) (merged string, changed bool, err error) {
	stmt, err := TopicStatement(topicARN)
	if err != nil {
		return "", false, err
	}
	merged, changed, err = MergeStatements(existing, []json.RawMessage{stmt})
	if err != nil {
		return "", false, fmt.Errorf("topic %s: %w", topicARN, err)
	}
	return merged, changed, nil
}

// MergeStatements adds each of stmts to the policy document existing, by
// Sid: a statement whose Sid is not there is appended; one whose Sid is
// there but differs replaces it (the Sids are trailwatch's own); every other
// byte of the document, Version and Id included, is kept as it is (see
// policydoc.Merge). changed is false (and merged is existing) when the
// document already holds every statement as given. An empty existing policy
// starts a new document.
func MergeStatements(existing string, stmts []json.RawMessage) (merged string, changed bool, err error) {
	return policydoc.Merge(existing, stmts)
}

// SamePolicy reports whether two policy documents are equal as JSON,
// accepting the URL-encoded form IAM returns (policydoc.Equal).
func SamePolicy(a, b string) bool { return policydoc.Equal(a, b) }

// The Sids of the statements trailwatch puts in a trail bucket's policy. The
// two CloudTrail statements are per trail (see bucketSid), so trails that
// share a bucket keep their own; the TLS deny is one per bucket.
const (
	BucketAclCheckSidPrefix = "TrailwatchCloudTrailAclCheck"
	BucketWriteSidPrefix    = "TrailwatchCloudTrailWrite"
	BucketDenyInsecureSid   = "TrailwatchDenyInsecureTransport"
)

// bucketSid is prefix, the letters and digits of the trail's name (for
// people reading the policy), and the first 8 hex digits of the SHA-256 of
// the exact name. A Sid may hold only letters and digits, so the name alone
// would collide ("a-b", "a.b" and "ab" all keep "ab") and one trail's
// statements would replace another's in a shared bucket; the hash keeps
// them apart.
func bucketSid(prefix, trailName string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, r := range trailName {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	sum := sha256.Sum256([]byte(trailName))
	b.WriteString(hex.EncodeToString(sum[:4]))
	return b.String()
}

// BucketStatements are the statements a trail's bucket needs, in the shape
// AWS documents for CloudTrail ("Amazon S3 bucket policy for CloudTrail"):
// the CloudTrail service may read the bucket ACL and write objects under
// AWSLogs/ACCOUNT/ with the bucket-owner-full-control ACL, both only for
// this trail (aws:SourceArn). They are all a bucket named with
// --trail-bucket gets: its other rules are its owner's business.
func BucketStatements(bucket, account, trailARN string) ([]json.RawMessage, error) {
	a, err := chain.ParseARN(trailARN)
	if err != nil || a.Service != "cloudtrail" || !strings.HasPrefix(a.Resource, "trail/") {
		return nil, fmt.Errorf("trail ARN %q: want arn:aws:cloudtrail:REGION:ACCOUNT:trail/NAME", trailARN)
	}
	name := strings.TrimPrefix(a.Resource, "trail/")
	bucketARN := chain.BucketARN(a.Partition, bucket)
	principal := map[string]any{"Service": "cloudtrail.amazonaws.com"}
	stmts := []any{
		map[string]any{
			"Sid":       bucketSid(BucketAclCheckSidPrefix, name),
			"Effect":    "Allow",
			"Principal": principal,
			"Action":    "s3:GetBucketAcl",
			"Resource":  bucketARN,
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailARN}},
		},
		map[string]any{
			"Sid":       bucketSid(BucketWriteSidPrefix, name),
			"Effect":    "Allow",
			"Principal": principal,
			"Action":    "s3:PutObject",
			"Resource":  bucketARN + "/AWSLogs/" + account + "/*",
			"Condition": map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl":  "bucket-owner-full-control",
				"aws:SourceArn": trailARN,
			}},
		},
	}
	out := make([]json.RawMessage, len(stmts))
	for i, s := range stmts {
		b, err := json.Marshal(s)
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// DenyInsecureTransport denies every request to the bucket made without
// TLS. It goes only into buckets trailwatch creates: on a bucket the user
// names it could cut off that bucket's existing non-TLS clients.
func DenyInsecureTransport(partition, bucket string) json.RawMessage {
	bucketARN := chain.BucketARN(partition, bucket)
	b, _ := json.Marshal(map[string]any{
		"Sid":       BucketDenyInsecureSid,
		"Effect":    "Deny",
		"Principal": "*",
		"Action":    "s3:*",
		"Resource":  []string{bucketARN, bucketARN + "/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	})
	return b
}

// NewBucketStatements are the statements of a bucket trailwatch creates:
// the trail's, and the TLS deny.
func NewBucketStatements(bucket, account, trailARN string) ([]json.RawMessage, error) {
	stmts, err := BucketStatements(bucket, account, trailARN)
	if err != nil {
		return nil, err
	}
	return append(stmts, DenyInsecureTransport(chain.PartitionOf(trailARN), bucket)), nil
}

// BucketPolicy is the whole policy of a bucket trailwatch creates.
func BucketPolicy(bucket, account, trailARN string) (string, error) {
	stmts, err := NewBucketStatements(bucket, account, trailARN)
	if err != nil {
		return "", err
	}
	merged, _, err := MergeStatements("", stmts)
	return merged, err
}
