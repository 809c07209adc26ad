package chain

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
)

// ARN is a parsed Amazon Resource Name. It is the one ARN parser every stage
// uses, so "which region is this topic in" has one answer.
type ARN struct {
	Partition, Service, Region, Account, Resource string
}

// ParseARN splits s with the SDK's parser and checks that it names a
// partition, a service and a resource; it does not check the service.
func ParseARN(s string) (ARN, error) {
	a, err := awsarn.Parse(s)
	if err != nil {
		return ARN{}, fmt.Errorf("ARN %q: %w", s, err)
	}
	if a.Partition == "" || a.Service == "" || a.Resource == "" {
		return ARN{}, fmt.Errorf("ARN %q: want arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE", s)
	}
	return ARN{Partition: a.Partition, Service: a.Service, Region: a.Region, Account: a.AccountID, Resource: a.Resource}, nil
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// RegionOf is the region an ARN names, "" when it names none or does not
// parse.
func RegionOf(s string) string {
	a, err := ParseARN(s)
	if err != nil {
		return ""
	}
	return a.Region
}

// AccountOf is the account an ARN names, "" when it names none or does not
// parse.
func AccountOf(s string) string {
	a, err := ParseARN(s)
	if err != nil {
		return ""
	}
	return a.Account
}

// PartitionOf is the partition of an ARN, "aws" when it does not parse.
func PartitionOf(s string) string {
	if a, err := ParseARN(s); err == nil {
		return a.Partition
	}
	return "aws"
}

// RegionPartition is the partition a region belongs to.
func RegionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(region, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(region, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// KnownPartition reports whether p is one of AWS's partitions, the ones
// RegionPartition names.
func KnownPartition(p string) bool {
	switch p {
	case "aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc":
		return true
	}
	return false
}

// IsSNSTopic reports whether s is an SNS topic ARN (not a subscription or
// platform endpoint, whose resource has more parts).
func IsSNSTopic(s string) bool {
	a, err := ParseARN(s)
	return err == nil && a.Service == "sns" && !strings.Contains(a.Resource, ":") && !strings.Contains(a.Resource, "/")
}

// SNSTopics returns the SNS topic ARNs among an alarm's actions, in order,
// each once.
func SNSTopics(actions []string) []string {
	var out []string
	for _, a := range actions {
		if IsSNSTopic(a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// LogGroup identifies a CloudWatch Logs log group by the parts of its ARN.
type LogGroup struct {
	Name    string `json:"name"`
	Region  string `json:"region"`
	Account string `json:"account"`
	ARN     string `json:"arn"`
}

// ParseLogGroupARN reads a log group ARN such as
// arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:* (the trailing
// ":*" is optional), the form CloudTrail's CloudWatchLogsLogGroupArn takes.
// The name must come from here, never from a fixed name: Control Tower's
// log group carries a random suffix from landing zone 4.0.
func ParseLogGroupARN(s string) (LogGroup, error) {
	a, err := ParseARN(s)
	if err != nil {
		return LogGroup{}, fmt.Errorf("log group %w", err)
	}
	if a.Service != "logs" {
		return LogGroup{}, fmt.Errorf("log group ARN %q: service is %q, want \"logs\"", s, a.Service)
	}
	name, ok := strings.CutPrefix(a.Resource, "log-group:")
	if !ok {
		return LogGroup{}, fmt.Errorf("log group ARN %q: resource %q is not a log-group", s, a.Resource)
	}
	name = strings.TrimSuffix(name, ":*")
	switch {
	case name == "":
		return LogGroup{}, fmt.Errorf("log group ARN %q: %w", s, errors.New("empty log group name"))
	case strings.Contains(name, ":"):
		return LogGroup{}, fmt.Errorf("log group ARN %q: log group name %q contains ':'", s, name)
	case a.Region == "":
		return LogGroup{}, fmt.Errorf("log group ARN %q: no region", s)
	case a.Account == "":
		return LogGroup{}, fmt.Errorf("log group ARN %q: no account", s)
	}
	return LogGroup{Name: name, Region: a.Region, Account: a.Account, ARN: s}, nil
}

// Builders for the ARNs trailwatch writes into requests and policies.

// LogGroupARN is the form UpdateTrail and CreateTrail want: ...:log-group:NAME:*.
func LogGroupARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", partition, region, account, name)
}

// LogGroupTagARN is a log group's ARN without ":*", the form
// ListTagsForResource wants.
func LogGroupTagARN(partition, region, account, name string) string {
	return strings.TrimSuffix(LogGroupARN(partition, region, account, name), ":*")
}

// RoleARN of a role in the account.
func RoleARN(partition, account, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition, account, name)
}

// TrailARN of a trail in the account and its home region.
func TrailARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", partition, region, account, name)
}

// TrailName is the name in a trail ARN (the ARN itself when it is not one).
func TrailName(arn string) string {
	if i := strings.LastIndex(arn, ":trail/"); i >= 0 {
		return arn[i+len(":trail/"):]
	}
	return arn
}

// BucketARN of an S3 bucket.
func BucketARN(partition, bucket string) string {
	return fmt.Sprintf("arn:%s:s3:::%s", partition, bucket)
}

// TopicARN of a topic in the account and region.
func TopicARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", partition, region, account, name)
}

// AlarmARN of a CloudWatch alarm.
func AlarmARN(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", partition, region, account, name)
}
