package pattern

import (
	"maps"
	"strings"
	"sync"
)

// Shape is what a record member always holds, as a fact states it.
type Shape int

const (
	// Unconstrained: no fact; the member may be absent or hold any JSON value.
	Unconstrained Shape = iota
	// PresentString: always present, a JSON string.
	PresentString
	// OptionalString: absent or a JSON string.
	OptionalString
	// PresentObject: always present, a JSON object.
	PresentObject
	// ObjectOrNull: always present, a JSON object or null.
	ObjectOrNull
	// OptionalBool: absent, true or false.
	OptionalBool
	// Fixed: always present with the fact's Value.
	Fixed
	// MatchingRule: not about records but about how CloudWatch Logs
	// evaluates a pattern; Match implements it and the prover evaluates
	// with the same code.
	MatchingRule
)

// A Fact is one thing the prover assumes about CloudTrail records (or about
// how CloudWatch Logs evaluates a pattern on them). A fact narrows the
// records the prover considers, so a wrong one makes it claim coverage that
// does not exist: each fact names its source and is tested
// (facts_test.go). Facts is the only place they are stated.
type Fact struct {
	ID string
	// Events limits the fact to the records of these event names; nil
	// means every record.
	Events []string
	// Field is the member, as a dotted path from the record's top
	// ("userIdentity.type"); "" for the record itself or a matching rule.
	Field  string
	Shape  Shape
	Value  any // Fixed: a string or a bool
	Claim  string
	Source string
}

// Sources cited by the facts.
const (
	srcRecordContents = "AWS CloudTrail User Guide, \"CloudTrail record contents for management, data, and network activity events\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html): Optional False means present whatever the service, API or event type"
	srcUserIdentity   = "AWS CloudTrail User Guide, \"CloudTrail userIdentity element\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html)"
	srcSignIn         = "AWS CloudTrail User Guide, \"AWS Management Console sign-in events\" and \"Non-API events captured by CloudTrail\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-non-api-events.html): sign-in records have eventSource signin.amazonaws.com and eventType AwsConsoleSignIn"
	srcBotocore       = "botocore's service models (the AWS API definitions the AWS CLI and SDKs are generated from; snapshot in testdata/operations.json): the operation exists in this service's API and in no other; CloudTrail names the service by its endpoint as eventSource (record contents, eventSource)"
	srcManagement     = "AWS CloudTrail User Guide, \"Logging management events\" (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-management-events-with-cloudtrail.html): control-plane operations such as creating trails, attaching IAM policies, configuring security groups and routing are management events; record contents: eventType AwsApiCall for an API call, readOnly false for a write (its example is DeleteTrail), managementEvent true, eventCategory Management"
	srcFPS            = "FILTER-PATTERNS.md (the AWS page \"Filter pattern syntax for metric filters, subscription filters, filter log events and Live Tail\" and its predecessor)"
)

// serviceEvents lists, per service, the catalog's event names that are an
// operation of that service's API only (botocore). Names that several
// services define (CreatePolicy is IAM, Organizations, IoT, ...) are in
// AmbiguousEvents instead: their event source is not determined by the name.
func serviceEvents() []struct {
	Source string
	Names  []string
} {
	return []struct {
		Source string
		Names  []string
	}{
		{"cloudtrail.amazonaws.com", []string{"CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"}},
		{"iam.amazonaws.com", []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy",
			"AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}},
		{"kms.amazonaws.com", []string{"DisableKey", "ScheduleKeyDeletion"}},
		{"s3.amazonaws.com", []string{"PutBucketAcl", "PutBucketCors", "PutBucketLifecycle", "DeleteBucketCors", "DeleteBucketLifecycle"}},
		{"config.amazonaws.com", []string{"StopConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel", "PutConfigurationRecorder"}},
		{"ec2.amazonaws.com", []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
			"ModifySecurityGroupRules", "CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry",
			"ReplaceNetworkAclAssociation", "CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway",
			"DeleteInternetGateway", "DetachInternetGateway", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable",
			"DisassociateRouteTable", "CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "RejectVpcPeeringConnection",
			"AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"}},
		{"organizations.amazonaws.com", []string{"AcceptHandshake", "CreateOrganizationalUnit", "DeclineHandshake", "DeleteOrganizationalUnit",
			"DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization", "MoveAccount", "RemoveAccountFromOrganization",
			"UpdateOrganizationalUnit", "CancelHandshake", "EnableAllFeatures"}},
	}
}

// AmbiguousEvents returns the catalog's event names that more than one AWS
// service defines (botocore), with the event sources the catalog means by
// them. The prover assumes nothing about their event source; a control
// that means one service's call says so in its must-catch pattern
// ($.eventSource = ...).
func AmbiguousEvents() map[string][]string {
	iam, org, ec2, s3 := "iam.amazonaws.com", "organizations.amazonaws.com", "ec2.amazonaws.com", "s3.amazonaws.com"
	return map[string][]string{
		"CreatePolicy":               {iam, org}, // also IoT, Verified Permissions, Bedrock AgentCore
		"DeletePolicy":               {iam, org}, // also IoT, FMS, Auto Scaling, ACM PCA, MediaConvert, ...
		"CreatePolicyVersion":        {iam},      // also IoT
		"DeletePolicyVersion":        {iam},      // also IoT
		"PutBucketPolicy":            {s3},       // also S3 Control (S3 on Outposts)
		"DeleteBucketPolicy":         {s3},       // also S3 Control
		"PutBucketReplication":       {s3},       // also S3 Control
		"DeleteBucketReplication":    {s3},       // also S3 Control
		"CreateSecurityGroup":        {ec2},      // also AWS Wickr
		"DeleteSecurityGroup":        {ec2},      // also AWS Wickr
		"CreateRoute":                {ec2},      // also API Gateway v2, App Mesh, Refactor Spaces
		"DeleteRoute":                {ec2},      // also API Gateway v2, App Mesh, Refactor Spaces
		"CreateVpcPeeringConnection": {ec2},      // also GameLift
		"DeleteVpcPeeringConnection": {ec2},      // also GameLift
		"AttachPolicy":               {org},      // also IoT, Cloud Directory
		"DetachPolicy":               {org},      // also IoT, Cloud Directory
		"CreateAccount":              {org},      // also Chime
		"DeleteOrganization":         {org},      // also WorkMail
		"UpdatePolicy":               {org},      // also Verified Permissions, Bedrock AgentCore
		"CreateOrganization":         {org},      // also WorkMail
	}
}

// Facts returns the facts the prover relies on, each with its source.
func Facts() []Fact {
	fs := []Fact{
		{ID: "record-object", Shape: PresentObject,
			Claim:  "every CloudTrail log event in CloudWatch Logs is one record, a JSON object",
			Source: "AWS CloudTrail User Guide, \"Sending events to CloudWatch Logs\": CloudTrail sends each event as one log event; record contents: a record is a JSON object"},
	}
	for _, f := range []string{"eventVersion", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress", "eventID", "eventType", "eventCategory"} {
		fs = append(fs, Fact{ID: "present-" + f, Field: f, Shape: PresentString,
			Claim: f + " is in every record, a string", Source: srcRecordContents})
	}
	fs = append(fs,
		Fact{ID: "present-userIdentity", Field: "userIdentity", Shape: PresentObject,
			Claim: "userIdentity is in every record, an object", Source: srcRecordContents},
		Fact{ID: "present-userIdentity.type", Field: "userIdentity.type", Shape: PresentString,
			Claim: "userIdentity.type is in every record, a string (Root, IAMUser, AssumedRole, ...; the list grows)", Source: srcUserIdentity + ": type is Optional False"},
		Fact{ID: "present-requestParameters", Field: "requestParameters", Shape: ObjectOrNull,
			Claim: "requestParameters is in every record, an object or null (no parameters)", Source: srcRecordContents},
		Fact{ID: "present-responseElements", Field: "responseElements", Shape: ObjectOrNull,
			Claim: "responseElements is in every record, an object or null (read-only calls, calls without response elements)", Source: srcRecordContents},
	)
	for _, f := range []string{"userAgent", "errorCode", "errorMessage", "requestID", "recipientAccountId"} {
		fs = append(fs, Fact{ID: "optional-" + f, Field: f, Shape: OptionalString,
			Claim: f + " is absent or a string", Source: srcRecordContents + " (Optional True)"})
	}
	for _, f := range []string{"invokedBy", "principalId", "arn", "accountId", "accessKeyId", "userName"} {
		fs = append(fs, Fact{ID: "optional-userIdentity." + f, Field: "userIdentity." + f, Shape: OptionalString,
			Claim: "userIdentity." + f + " is absent or a string", Source: srcUserIdentity + " (Optional True)"})
	}
	for _, f := range []string{"readOnly", "managementEvent"} {
		fs = append(fs, Fact{ID: "optional-" + f, Field: f, Shape: OptionalBool,
			Claim: f + " is absent or a boolean", Source: srcRecordContents + " (Optional True)"})
	}
	var writes []string
	for _, g := range serviceEvents() {
		svc := strings.TrimSuffix(g.Source, ".amazonaws.com")
		fs = append(fs, Fact{ID: "source-" + svc, Events: g.Names, Field: "eventSource", Shape: Fixed, Value: g.Source,
			Claim: "the event name determines the event source: " + g.Source, Source: srcBotocore})
		writes = append(writes, g.Names...)
	}
	fs = append(fs,
		Fact{ID: "source-s3-HeadBucket", Events: []string{"HeadBucket"}, Field: "eventSource", Shape: Fixed, Value: "s3.amazonaws.com",
			Claim: "the event name determines the event source: s3.amazonaws.com", Source: srcBotocore},
		Fact{ID: "api-call-eventType", Events: writes, Field: "eventType", Shape: Fixed, Value: "AwsApiCall",
			Claim: "these are API calls: eventType AwsApiCall", Source: srcManagement},
		Fact{ID: "api-call-readOnly", Events: writes, Field: "readOnly", Shape: Fixed, Value: false,
			Claim: "these calls change state: readOnly false", Source: srcManagement},
		Fact{ID: "api-call-managementEvent", Events: writes, Field: "managementEvent", Shape: Fixed, Value: true,
			Claim: "these calls are management events: managementEvent true", Source: srcManagement},
		Fact{ID: "api-call-eventCategory", Events: writes, Field: "eventCategory", Shape: Fixed, Value: "Management",
			Claim: "these calls are management events: eventCategory Management", Source: srcManagement},
		Fact{ID: "signin-source", Events: []string{"ConsoleLogin"}, Field: "eventSource", Shape: Fixed, Value: "signin.amazonaws.com",
			Claim: "console sign-ins come from signin.amazonaws.com", Source: srcSignIn},
		Fact{ID: "signin-eventType", Events: []string{"ConsoleLogin"}, Field: "eventType", Shape: Fixed, Value: "AwsConsoleSignIn",
			Claim: "console sign-ins have eventType AwsConsoleSignIn", Source: srcSignIn},
		Fact{ID: "signin-eventCategory", Events: []string{"ConsoleLogin"}, Field: "eventCategory", Shape: Fixed, Value: "Management",
			Claim: "console sign-ins are management events: eventCategory Management", Source: srcSignIn + "; " + srcRecordContents},
		// How CloudWatch Logs evaluates: the prover calls the same code as
		// Match, so these hold for it exactly when they hold for Match.
		Fact{ID: "rule-ne-absent", Shape: MatchingRule,
			Claim: "!= is false on an absent field (and = too); only NOT EXISTS is true", Source: srcFPS + ", observed on AWS"},
		Fact{ID: "rule-container", Shape: MatchingRule,
			Claim: "= and != never match an object or an array", Source: srcFPS},
		Fact{ID: "rule-boolean", Shape: MatchingRule,
			Claim: "a JSON boolean matches only IS TRUE / IS FALSE, never = true", Source: srcFPS},
		Fact{ID: "rule-case", Shape: MatchingRule,
			Claim: "keys and values compare case-sensitively", Source: srcFPS},
		Fact{ID: "rule-not-json", Shape: MatchingRule,
			Claim: "a message that is not JSON never matches a JSON pattern", Source: srcFPS},
	)
	return fs
}

// factIndex is Facts() keyed for the prover: by event ("" for every
// record), then by field.
type factIndex map[string]map[string]Fact

// facts is built once; it is never changed after, so sharing it is safe.
var facts = sync.OnceValue(func() factIndex {
	idx := factIndex{}
	for _, f := range Facts() {
		if f.Shape == MatchingRule || f.Field == "" {
			continue
		}
		evs := f.Events
		if evs == nil {
			evs = []string{""}
		}
		for _, e := range evs {
			if idx[e] == nil {
				idx[e] = map[string]Fact{}
			}
			idx[e][f.Field] = f
		}
	}
	return idx
})

// shapeOf says what the facts say about field (dotted) in the records of
// event; event "" asks about every record.
func shapeOf(event, field string) (Shape, any) {
	idx := facts()
	if event != "" {
		if f, ok := idx[event][field]; ok {
			return f.Shape, f.Value
		}
	}
	if f, ok := idx[""][field]; ok {
		return f.Shape, f.Value
	}
	return Unconstrained, nil
}

// fixedFor returns the top-level members whose value the facts fix for
// event, as a map of the caller's own.
func fixedFor(event string) map[string]any {
	m := maps.Clone(fixedTop()[event])
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// fixedTop is fixedFor's table, built once and never changed.
var fixedTop = sync.OnceValue(func() map[string]map[string]any {
	out := map[string]map[string]any{}
	for event, fs := range facts() {
		m := map[string]any{}
		for field, f := range fs {
			if f.Shape == Fixed && !strings.Contains(field, ".") {
				m[field] = f.Value
			}
		}
		out[event] = m
	}
	return out
})

// EventSource returns the event source the facts fix for an event name,
// and false when the name does not determine it.
func EventSource(event string) (string, bool) {
	if f, ok := facts()[event]["eventSource"]; ok && f.Shape == Fixed {
		s, _ := f.Value.(string)
		return s, true
	}
	return "", false
}
