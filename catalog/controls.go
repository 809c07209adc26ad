package catalog

import "github.com/trailwatch/trailwatch/audit/pattern"

// Source names used in the table (see the package comment).
const (
	srcSH    = "AWS Security Hub user guide, CloudWatch controls"
	srcPCIS  = "CIS benchmark text as Prowler transcribes it"
	srcSCIS  = "CIS benchmark text as Steampipe transcribes it"
	srcCTCW  = "AWS CloudTrail user guide, \"Creating CloudWatch alarms for CloudTrail events: examples\""
	srcPchk  = "Prowler's check"
	srcSchk  = "Steampipe's check"
	srcBoto  = "botocore service models (audit/pattern/testdata/operations.json)"
	srcFPS   = "CloudWatch Logs filter pattern syntax: && binds tighter than ||"
	srcFacts = "audit/pattern facts: != is false on an absent field"
)

// names builds ($.eventName = A) || ($.eventName = B) ... as CIS prints it.
func names(quoted bool, ns ...string) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += " || "
		}
		if quoted {
			n = `"` + n + `"`
		}
		s += "($.eventName = " + n + ")"
	}
	return s
}

func scoped(source string, ns ...string) string {
	return "{ ($.eventSource = " + source + ") && (" + names(false, ns...) + ") }"
}

func defaults(metric, slug string) Defaults {
	return Defaults{MetricName: metric, Namespace: "CISBenchmark", FilterName: "trailwatch-" + slug, AlarmName: "trailwatch-" + slug}
}

func shExact(id string, text string) ToolCheck {
	return ToolCheck{Tool: "Security Hub " + id, Kind: ExactText, Texts: []string{text},
		Why: "Security Hub passes the control only when the filter is its published text (" + srcSH + ")"}
}

func needNames(tool string, why string, ns ...string) ToolCheck {
	var cs []pattern.Condition
	for _, n := range ns {
		cs = append(cs, pattern.Condition{Selector: "$.eventName", Op: "=", Value: n})
	}
	return ToolCheck{Tool: tool, Kind: RequiresConditions, Conditions: cs, Why: why}
}

var (
	secGroup6 = []string{"AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress", "CreateSecurityGroup", "DeleteSecurityGroup"}
	nacl      = []string{"CreateNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAcl", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"}
	gateways  = []string{"CreateCustomerGateway", "DeleteCustomerGateway", "AttachInternetGateway", "CreateInternetGateway", "DeleteInternetGateway", "DetachInternetGateway"}
	routes    = []string{"CreateRoute", "CreateRouteTable", "ReplaceRoute", "ReplaceRouteTableAssociation", "DeleteRouteTable", "DeleteRoute", "DisassociateRouteTable"}
	vpcs      = []string{"CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "AcceptVpcPeeringConnection", "CreateVpcPeeringConnection", "DeleteVpcPeeringConnection",
		"RejectVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "DisableVpcClassicLink", "EnableVpcClassicLink"}
	orgs = []string{"AcceptHandshake", "AttachPolicy", "CreateAccount", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
		"DeleteOrganizationalUnit", "DeletePolicy", "DetachPolicy", "DisablePolicyType", "EnablePolicyType", "InviteAccountToOrganization", "LeaveOrganization",
		"MoveAccount", "RemoveAccountFromOrganization", "UpdatePolicy", "UpdateOrganizationalUnit"}
	iamPolicy = []string{"DeleteGroupPolicy", "DeleteRolePolicy", "DeleteUserPolicy", "PutGroupPolicy", "PutRolePolicy", "PutUserPolicy", "CreatePolicy", "DeletePolicy",
		"CreatePolicyVersion", "DeletePolicyVersion", "AttachRolePolicy", "DetachRolePolicy", "AttachUserPolicy", "DetachUserPolicy", "AttachGroupPolicy", "DetachGroupPolicy"}
)

// The 4.1 texts (CATALOG.md §2.1).
const (
	unauth2      = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }`
	unauth4Or    = `{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }`
	unauth4Trap  = `{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }`
	unauthIntent = `{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }`
	mfaBasic     = `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }`
	mfaSSO       = `{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }`
	rootUsage    = `{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }`
	signinFail   = `{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }`
	cmk          = `{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }`
	s3Policy     = `{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }`
	configCh     = `{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }`
	iamText      = `{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}`
)

// An UnauthorizedOperation error from log delivery: the 4.1 exclusions are
// written to leave it out, and the v4+ text does not.
const deliveryUnauthorized = `{"eventVersion":"1.09","userIdentity":{"type":"AWSService","invokedBy":"delivery.logs.amazonaws.com"},"eventTime":"2024-05-01T12:00:00Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeFlowLogs","awsRegion":"us-east-1","sourceIPAddress":"delivery.logs.amazonaws.com","userAgent":"delivery.logs.amazonaws.com","errorCode":"Client.UnauthorizedOperation","errorMessage":"You are not authorized to perform this operation.","requestParameters":null,"responseElements":null,"requestID":"0f9a3c5e-0000-4000-8000-000000000041","eventID":"7d2b1e44-0000-4000-8000-000000000041","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}`

func controls() []Control {
	return []Control{
		{
			CIS: "4.1", CISv12: "3.1", CISv6: "5.1", SecurityHub: "CloudWatch.2", Title: "unauthorized API calls",
			Published: []Text{
				{"CIS v1.2 3.1, Security Hub CloudWatch.2, " + srcCTCW, unauth2},
				{"CIS v1.3–v1.5 remediation (P-CIS also v2.0, v3.0)", unauth4Or},
				{"CIS v4.0+ (P-CIS), v2.0+ (S-CIS)", unauth4Trap},
			},
			MustCatch: unauthIntent,
			MustCatchWhy: "every *UnauthorizedOperation and AccessDenied* error, except records from delivery.logs.amazonaws.com and HeadBucket calls, " +
				"which CIS's later texts exclude; every published text catches at least these",
			ToolChecks: []ToolCheck{
				shExact("CloudWatch.2", unauth2),
				{Tool: "Steampipe", Kind: RequiresConditions, Conditions: []pattern.Condition{
					{Selector: "$.errorCode", Op: "=", Value: "*UnauthorizedOperation"}, {Selector: "$.errorCode", Op: "=", Value: "AccessDenied*"},
					{Selector: "$.sourceIPAddress", Op: "!=", Value: "delivery.logs.amazonaws.com"}, {Selector: "$.eventName", Op: "!=", Value: "HeadBucket"}},
					Why: "Steampipe's check looks for all four conditions of the v1.3+ texts, for every CIS version (" + srcSchk + ")"},
			},
			Traps: []Trap{{
				Conditions: []pattern.Condition{{Selector: "$.sourceIPAddress", Op: "!=", Value: "delivery.logs.amazonaws.com"}},
				Record:     deliveryUnauthorized,
				Warning: "the filter writes the delivery.logs.amazonaws.com exclusion but still matches an UnauthorizedOperation error from log delivery: " +
					"&& binds tighter than ||, so in CIS's v4+ text the exclusions apply to AccessDenied* only, and in the v1.3–v1.5 text they are || terms " +
					"that exclude nothing; the intended form is ((errorCode conditions) && exclusions)",
			}},
			Readings: []Reading{
				{Topic: "which records must be caught", Enforced: "the errors, minus the two CIS exclusions (the intended reading)",
					Why:     "the 2-clause, all-|| and v4+ texts all catch this set, so each passes; the all-|| text also matches nearly every record (broader than needed)",
					Sources: []string{srcSH, srcPCIS, srcSCIS, srcCTCW}},
				{Topic: "the v4+ text's precedence", Enforced: "passes, with a warning",
					Why:     "it parses as A1 || (A2 && S && H): the exclusions apply to AccessDenied* only, so it catches more than intended, never less",
					Sources: []string{srcFPS, srcPCIS, srcSCIS}},
				{Topic: "v2.0 and v3.0 text", Enforced: "either form passes",
					Why: "Prowler transcribes the all-|| text, Steampipe the v4+ text; both catch the intended set", Sources: []string{srcPCIS, srcSCIS}},
				{Topic: "other tools' text checks", Enforced: "warn, never fail",
					Why: "Security Hub requires the 2-clause text exactly, Steampipe the four conditions: no single text satisfies both", Sources: []string{srcSH, srcSchk, srcPchk}},
			},
			Defaults: defaults("UnauthorizedAPICalls", "unauthorized-api-calls"),
		},
		{
			CIS: "4.2", CISv12: "3.2", CISv6: "5.2", SecurityHub: "CloudWatch.3", Title: "console sign-in without MFA",
			Published: []Text{
				{"CIS v1.2–v7", mfaBasic},
				{"CIS v1.4+ (\"to reduce false positives in case SSO is used\"), Security Hub CloudWatch.3", mfaSSO},
			},
			MustCatch:    mfaSSO,
			MustCatchWhy: "successful IAM-user sign-ins without MFA: the narrower form CIS accepts (its SSO variant), which every CIS form catches",
			Broader: &Broader{Pattern: mfaBasic,
				Misses: "root sign-ins without MFA, failed sign-ins, and federated or assumed-role sign-ins, which CIS's basic form also catches"},
			Neighbours: []string{"ConsoleLogin"},
			ToolChecks: []ToolCheck{shExact("CloudWatch.3", mfaSSO)},
			Readings: []Reading{
				{Topic: "basic or SSO form", Enforced: "both pass; a filter that misses what the basic form catches gets a note",
					Why: "CIS prints both as acceptable; Security Hub prints the narrower one", Sources: []string{srcPCIS, srcSCIS, srcSH}},
				{Topic: "records without MFAUsed", Enforced: "not required",
					Why: "!= is false on an absent field, so neither CIS form matches a sign-in record without MFAUsed", Sources: []string{srcFacts}},
			},
			Defaults: defaults("ConsoleSigninWithoutMFA", "console-signin-without-mfa"),
		},
		{
			CIS: "4.3", CISv12: "3.3", CISv6: "5.3", SecurityHub: "CloudWatch.1", Title: "root account usage",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.1, " + srcCTCW, rootUsage}},
			MustCatch:    rootUsage,
			MustCatchWhy: "every call by the root user that is not made by an AWS service on its behalf; all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.1", rootUsage)},
			Defaults:     defaults("RootAccountUsage", "root-account-usage"),
		},
		{
			CIS: "4.4", CISv12: "3.4", CISv6: "5.4", SecurityHub: "CloudWatch.4", Title: "IAM policy changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.4", iamText}},
			MustCatch:    scoped("iam.amazonaws.com", iamPolicy...),
			MustCatchWhy: "IAM's sixteen policy calls; CreatePolicy, DeletePolicy and the policy-version calls are also Organizations and IoT calls, which the control is not about",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.4", iamText)},
			Readings: []Reading{{Topic: "event source", Enforced: "IAM's calls; the unscoped text passes, and so does a filter scoped to iam.amazonaws.com",
				Why:     "the published text names no event source, so it also catches Organizations' and IoT's calls of the same names",
				Sources: []string{srcBoto, srcSH}}},
			Defaults: defaults("IAMPolicyChanges", "iam-policy-changes"),
		},
		{
			CIS: "4.5", CISv12: "3.5", CISv6: "5.5", SecurityHub: "CloudWatch.5", Title: "CloudTrail configuration changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.5", pattern.CIS}},
			MustCatch:    pattern.CIS,
			MustCatchWhy: "every CreateTrail, UpdateTrail, DeleteTrail, StartLogging and StopLogging record, whoever calls and whether it succeeds; only CloudTrail has these calls",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.5", pattern.CIS)},
			Defaults:     Defaults{MetricName: "CloudTrailConfigChanges", Namespace: "CISBenchmark", FilterName: "trailwatch-cloudtrail-config-changes", AlarmName: "trailwatch-cloudtrail-config-changes"},
		},
		{
			CIS: "4.6", CISv12: "3.6", CISv6: "5.6", SecurityHub: "CloudWatch.6", Title: "console authentication failures",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.6", signinFail}},
			MustCatch:    signinFail,
			MustCatchWhy: "every failed console sign-in; all sources agree",
			Neighbours:   []string{"ConsoleLogin"},
			ToolChecks:   []ToolCheck{shExact("CloudWatch.6", signinFail)},
			Defaults:     defaults("ConsoleAuthenticationFailures", "console-auth-failures"),
		},
		{
			CIS: "4.7", CISv12: "3.7", CISv6: "5.7", SecurityHub: "CloudWatch.7", Title: "disabling or scheduled deletion of customer managed keys",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.7", cmk}},
			MustCatch:    cmk,
			MustCatchWhy: "KMS DisableKey and ScheduleKeyDeletion; all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.7", cmk)},
			Defaults:     defaults("DisableOrDeleteCMK", "cmk-disable-or-deletion"),
		},
		{
			CIS: "4.8", CISv12: "3.8", CISv6: "5.8", SecurityHub: "CloudWatch.8", Title: "S3 bucket policy changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.8", s3Policy}},
			MustCatch:    s3Policy,
			MustCatchWhy: "S3's nine bucket ACL, policy, CORS, lifecycle and replication calls; all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.8", s3Policy)},
			Defaults:     defaults("S3BucketPolicyChanges", "s3-bucket-policy-changes"),
		},
		{
			CIS: "4.9", CISv12: "3.9", CISv6: "5.9", SecurityHub: "CloudWatch.9", Title: "AWS Config changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.9", configCh}},
			MustCatch:    configCh,
			MustCatchWhy: "Config's recorder and delivery channel calls; all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.9", configCh)},
			Defaults:     defaults("AWSConfigChanges", "aws-config-changes"),
		},
		{
			CIS: "4.10", CISv12: "3.10", CISv6: "5.10", SecurityHub: "CloudWatch.10", Title: "security group changes",
			Published: []Text{
				{"CIS up to v4.0, Security Hub CloudWatch.10", "{ " + names(false, secGroup6...) + " }"},
				{"CIS v5.0+", "{ " + names(false, append(append([]string(nil), secGroup6...), "ModifySecurityGroupRules")...) + " }"},
			},
			MustCatch: scoped("ec2.amazonaws.com", append(append([]string(nil), secGroup6...), "ModifySecurityGroupRules")...),
			MustCatchWhy: "EC2's security group calls including ModifySecurityGroupRules, which changes rules as surely as the others (required from CIS v5); " +
				"CreateSecurityGroup and DeleteSecurityGroup are also AWS Wickr calls, which the control is not about",
			ToolChecks: []ToolCheck{
				shExact("CloudWatch.10", "{ "+names(false, secGroup6...)+" }"),
				needNames("Steampipe", "Steampipe's check requires all seven calls, ModifySecurityGroupRules included ("+srcSchk+")", append(append([]string(nil), secGroup6...), "ModifySecurityGroupRules")...),
			},
			Readings: []Reading{{Topic: "ModifySecurityGroupRules", Enforced: "required: the pre-v5 and Security Hub texts fail, with a ModifySecurityGroupRules record as witness",
				Why:     "it is a real way to change a group's rules; CIS v5 added it; a filter without it lets such a change pass unseen",
				Sources: []string{srcPCIS, srcSCIS, srcSchk, srcSH}}},
			Defaults: defaults("SecurityGroupChanges", "security-group-changes"),
		},
		{
			CIS: "4.11", CISv12: "3.11", CISv6: "5.11", SecurityHub: "CloudWatch.11", Title: "network ACL changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.11", "{ " + names(false, nacl...) + " }"}},
			MustCatch:    scoped("ec2.amazonaws.com", nacl...),
			MustCatchWhy: "EC2's network ACL calls (only EC2 has them); all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.11", "{ "+names(false, nacl...)+" }")},
			Defaults:     defaults("NACLChanges", "nacl-changes"),
		},
		{
			CIS: "4.12", CISv12: "3.12", CISv6: "5.12", SecurityHub: "CloudWatch.12", Title: "network gateway changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.12", "{ " + names(false, gateways...) + " }"}},
			MustCatch:    scoped("ec2.amazonaws.com", gateways...),
			MustCatchWhy: "EC2's customer and internet gateway calls (only EC2 has them); all sources agree",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.12", "{ "+names(false, gateways...)+" }")},
			Defaults:     defaults("NetworkGatewayChanges", "network-gateway-changes"),
		},
		{
			CIS: "4.13", CISv12: "3.13", CISv6: "5.13", SecurityHub: "CloudWatch.13", Title: "route table changes",
			Published: []Text{
				{"CIS v1.2–v7 remediation, Security Hub CloudWatch.13", "{ " + names(false, routes...) + " }"},
				{"CIS v3.0+ audit text (P-CIS)", "{ ($.eventSource = ec2.amazonaws.com) && " + names(false, routes...) + " }"},
			},
			MustCatch:    scoped("ec2.amazonaws.com", routes...),
			MustCatchWhy: "EC2's route table calls; CreateRoute and DeleteRoute are also API Gateway, App Mesh and Refactor Spaces calls, which are not route tables",
			ToolChecks: []ToolCheck{
				shExact("CloudWatch.13", "{ "+names(false, routes...)+" }"),
				{Tool: "Prowler", Kind: RequiresConditions, Conditions: []pattern.Condition{{Selector: "$.eventSource", Op: "=", Value: "ec2.amazonaws.com"}},
					Why: "Prowler's check requires $.eventSource = ec2.amazonaws.com, which Security Hub's text lacks (" + srcPchk + ")"},
			},
			Readings: []Reading{{Topic: "event source", Enforced: "EC2's calls: a filter scoped to ec2.amazonaws.com passes, and so does the unscoped Security Hub text",
				Why:     "those calls are route-table changes only when EC2 receives them; the unscoped text catches them and more",
				Sources: []string{srcBoto, srcSH, srcPchk}},
				{Topic: "the v3+ audit text's precedence", Enforced: "passes",
					Why:     "its eventSource condition binds to CreateRoute only, so it catches at least EC2's calls",
					Sources: []string{srcPCIS, srcFPS}}},
			Defaults: defaults("RouteTableChanges", "route-table-changes"),
		},
		{
			CIS: "4.14", CISv12: "3.14", CISv6: "5.14", SecurityHub: "CloudWatch.14", Title: "VPC changes",
			Published:    []Text{{"CIS v1.2–v7, Security Hub CloudWatch.14", "{ " + names(false, vpcs...) + " }"}},
			MustCatch:    scoped("ec2.amazonaws.com", vpcs...),
			MustCatchWhy: "EC2's VPC and peering calls (ClassicLink calls retired in 2022 but still listed); the peering calls are also GameLift calls, which are not VPCs of this account",
			ToolChecks:   []ToolCheck{shExact("CloudWatch.14", "{ "+names(false, vpcs...)+" }")},
			Defaults:     defaults("VPCChanges", "vpc-changes"),
		},
		{
			CIS: "4.15", CISv6: "5.15", Title: "AWS Organizations changes",
			Published:    []Text{{"CIS v1.3–v7", "{ ($.eventSource = organizations.amazonaws.com) && (" + names(true, orgs...) + ") }"}},
			MustCatch:    "{ ($.eventSource = organizations.amazonaws.com) && (" + names(true, orgs...) + ") }",
			MustCatchWhy: "the eighteen Organizations calls CIS lists",
			Neighbours:   []string{"CancelHandshake", "CreateOrganization", "EnableAllFeatures"},
			ToolChecks: []ToolCheck{needNames("Prowler", "Prowler also demands CancelHandshake, CreateOrganization and EnableAllFeatures, which the CIS text lacks ("+srcPchk+")",
				"CancelHandshake", "CreateOrganization", "EnableAllFeatures")},
			Readings: []Reading{{Topic: "Prowler's three extra calls", Enforced: "the CIS eighteen; a filter without the three passes with a warning",
				Why:     "CIS, Steampipe and the Terraform modules list eighteen; only Prowler's check requires twenty-one",
				Sources: []string{srcPCIS, srcSCIS, srcPchk, srcSchk}}},
			Defaults: defaults("OrganizationsChanges", "organizations-changes"),
		},
		{
			CIS: "4.16", CISv6: "5.16", Title: "AWS Security Hub enabled",
			MustCatchWhy: "no metric filter: checked with securityhub:DescribeHub",
		},
	}
}
