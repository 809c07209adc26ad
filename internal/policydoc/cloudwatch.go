package policydoc

import "strings"

// CloudWatchPrincipal is the service principal CloudWatch alarms act as
// when they publish to SNS and use the topic's KMS key.
const CloudWatchPrincipal = "cloudwatch.amazonaws.com"

// cloudWatchContext is what AWS documents about the request CloudWatch
// makes when an alarm acts, as far as it is documented:
//   - aws:SourceArn is the alarm and aws:SourceAccount its account: AWS's
//     troubleshooting article restricts the publish with aws:SourceArn =
//     the alarm ARN, and the SNS guide lists CloudWatch among the services
//     that set aws:SourceAccount when they publish.
//   - aws:SourceOwner is the account too: the SNS guide lists CloudWatch
//     among the services that set it, and the default topic policy
//     ({"AWS": "*"} with AWS:SourceOwner = the owner) lets alarms publish.
//   - aws:PrincipalServiceName is the service principal and
//     aws:PrincipalIsAWSService is true: both are set when a service
//     principal acts directly on a resource.
//   - aws:ViaAWSService is false: it is true only when a service forwards
//     an IAM principal's credentials, which a service principal does not.
//   - aws:CalledVia, aws:CalledViaFirst and aws:CalledViaLast are absent
//     for the same reason.
//
// Everything else (aws:SecureTransport, aws:SourceIp, aws:PrincipalArn,
// aws:PrincipalOrgID, kms:CallerAccount, kms:ViaService, encryption
// context...) is not documented for this request, so a condition on it is
// undecided rather than guessed.
//
// https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
func cloudWatchContext(alarmARN, account string) (map[string][]string, []string) {
	ctx := map[string][]string{
		"aws:SourceAccount":         {account},
		"aws:SourceOwner":           {account},
		"aws:PrincipalServiceName":  {CloudWatchPrincipal},
		"aws:PrincipalIsAWSService": {"true"},
		"aws:ViaAWSService":         {"false"},
	}
	if alarmARN != "" {
		ctx["aws:SourceArn"] = []string{alarmARN}
	}
	return ctx, []string{"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast"}
}

// TopicAllowsCloudWatch judges whether the topic policy lets CloudWatch
// publish (sns:Publish) to topicARN for the alarm alarmARN of account.
// The default topic policy allows it; an explicit Deny that matches
// CloudWatch (or everyone) denies it; a policy that allows neither
// CloudWatch nor everyone denies it implicitly (allowing only the account,
// {"AWS": "ACCOUNT"}, is not enough: CloudWatch publishes as its service
// principal, not as the account, which is why AWS's troubleshooting
// article has you add {"Service": "cloudwatch.amazonaws.com"}).
// https://repost.aws/knowledge-center/cloudwatch-receive-sns-for-alarm-trigger
// https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-evaluation-logic.html
func TopicAllowsCloudWatch(policy, topicARN, alarmARN, account string) Result {
	ctx, absent := cloudWatchContext(alarmARN, account)
	return Evaluate(policy, Request{
		Principal: CloudWatchPrincipal,
		Action:    "sns:Publish",
		Resource:  topicARN,
		Context:   ctx,
		Absent:    absent,
	})
}

// KeyAllowsCloudWatch judges whether the key policy of the customer
// managed key keyARN (its ARN, not an id or alias) lets CloudWatch use it
// for a topic it encrypts, as an alarm of account publishing there must:
// kms:GenerateDataKey and kms:Decrypt, which AWS asks for as
// "kms:GenerateDataKey*" and "kms:Decrypt" for the service principal. The
// default key policy does not allow it: its statement for the account's
// root (arn:aws:iam::ACCOUNT:root) lets the account's IAM policies grant
// use of the key, and a service principal is not in the account.
//
// The alarm is not known here, so a condition on aws:SourceArn is
// undecided; KeyAllowsCloudWatchAlarm judges it for one alarm.
// https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html
func KeyAllowsCloudWatch(keyPolicy, keyARN, account string) Result {
	return KeyAllowsCloudWatchAlarm(keyPolicy, keyARN, "", account)
}

// KeyAllowsCloudWatchAlarm is KeyAllowsCloudWatch for the alarm alarmARN,
// which lets conditions on aws:SourceArn be decided (AWS recommends them
// in the key policy against the confused deputy problem).
func KeyAllowsCloudWatchAlarm(keyPolicy, keyARN, alarmARN, account string) Result {
	ctx, absent := cloudWatchContext(alarmARN, account)
	var results []Result
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		results = append(results, Evaluate(keyPolicy, Request{
			Principal: CloudWatchPrincipal,
			Action:    action,
			Resource:  keyARN,
			Context:   ctx,
			Absent:    absent,
		}))
	}
	// Both must be allowed: a denial of either is a denial, and otherwise
	// an undecided one leaves the whole undecided.
	for _, want := range []Decision{Denied, Undecided} {
		for _, r := range results {
			if r.Decision == want {
				return r
			}
		}
	}
	labels := []string{}
	for _, r := range results {
		labels = append(labels, r.Reason)
	}
	return Result{Decision: Allowed, Statement: results[0].Statement, Reason: strings.Join(labels, "; ")}
}
