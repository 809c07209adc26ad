package audit

import (
	"errors"
	"fmt"
	"strings"

	awsarn "github.com/aws/aws-sdk-go-v2/aws/arn"
)

func parseARN(s string) (awsarn.ARN, error) { return awsarn.Parse(s) }

// ParseLogGroupARN reads a CloudWatch Logs log group ARN such as
// arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:* (the trailing
// ":*" is optional) into its name, region and account.
func ParseLogGroupARN(s string) (*LogGroupFacts, error) {
	a, err := awsarn.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("log group ARN %q: %w", s, err)
	}
	if a.Service != "logs" {
		return nil, fmt.Errorf("log group ARN %q: service is %q, want \"logs\"", s, a.Service)
	}
	name, ok := strings.CutPrefix(a.Resource, "log-group:")
	if !ok {
		return nil, fmt.Errorf("log group ARN %q: resource %q is not a log-group", s, a.Resource)
	}
	name = strings.TrimSuffix(name, ":*")
	switch {
	case name == "":
		return nil, fmt.Errorf("log group ARN %q: %w", s, errors.New("empty log group name"))
	case strings.Contains(name, ":"):
		return nil, fmt.Errorf("log group ARN %q: log group name %q contains ':'", s, name)
	case a.Region == "":
		return nil, fmt.Errorf("log group ARN %q: no region", s)
	case a.AccountID == "":
		return nil, fmt.Errorf("log group ARN %q: no account", s)
	}
	return &LogGroupFacts{Name: name, Region: a.Region, Account: a.AccountID, ARN: s}, nil
}

// snsTopics returns the SNS topic ARNs among an alarm's actions, in order.
func snsTopics(actions []string) []string {
	var out []string
	for _, a := range actions {
		if isSNSTopic(a) {
			out = append(out, a)
		}
	}
	return out
}

func isSNSTopic(s string) bool {
	a, err := awsarn.Parse(s)
	return err == nil && a.Service == "sns" && a.Resource != "" && !strings.Contains(a.Resource, ":")
}

// isAWSManagedSNSKey reports whether a topic's KmsMasterKeyId names the AWS
// managed key for SNS, which CloudWatch cannot use to publish alarms. Only
// the alias forms can be recognised without KMS reads; a bare key ID of the
// aws/sns key is not detected.
func isAWSManagedSNSKey(id string) bool {
	if id == "alias/aws/sns" {
		return true
	}
	a, err := awsarn.Parse(id)
	return err == nil && a.Service == "kms" && a.Resource == "alias/aws/sns"
}

// sameRegion reports whether the topic ARN is in region. CloudWatch alarms
// publish only to SNS topics in their own region (PutMetricAlarm answers
// "Invalid region ... specified. Only ... is supported" for another).
func sameRegion(topic, region string) bool {
	a, err := awsarn.Parse(topic)
	return err != nil || a.Region == "" || region == "" || a.Region == region
}
