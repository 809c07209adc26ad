package pattern

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
)

// ExampleRecords returns realistic CloudTrail records of eventName, as
// CloudTrail writes them to CloudWatch Logs (compact JSON, CloudTrail's key
// order): a successful and a failed call by an IAM user, an assumed role and
// the root user (for ConsoleLogin, sign-ins that succeed and fail). An event
// name that several services define gives the records of each service the
// catalog means by it (CreatePolicy: IAM and Organizations). An event name
// trailwatch does not know gives nil: its event source cannot be guessed.
//
// The shape follows the CloudTrail User Guide ("CloudTrail record
// contents", "CloudTrail userIdentity element", "AWS Management Console
// sign-in events"); identifiers are the documentation's example values. The
// records are fit for TestMetricFilter.
func ExampleRecords(eventName string) []string {
	if v, ok := exampleTexts.Load(eventName); ok {
		return slices.Clone(v.([]string))
	}
	var out []string
	for _, r := range exampleMaps(eventName) {
		out = append(out, recordText(r))
	}
	exampleTexts.Store(eventName, out)
	return slices.Clone(out)
}

// exampleTexts memoises ExampleRecords by event name: the prover asks for
// the same records for every filter it judges, and they never change.
var exampleTexts sync.Map

// exampleSources lists the event sources of eventName's example records.
func exampleSources(eventName string) []string {
	if s, ok := EventSource(eventName); ok {
		return []string{s}
	}
	if ss, ok := AmbiguousEvents()[eventName]; ok {
		return ss
	}
	if eventName == "ConsoleLogin" {
		return []string{"signin.amazonaws.com"}
	}
	return extraExamples()[eventName]
}

// extraExamples are a few calls outside the catalog: records a control's
// filter need not catch, and bases for witnesses of other event names.
func extraExamples() map[string][]string {
	return map[string][]string{
		"DescribeTrails": {"cloudtrail.amazonaws.com"},
		"GetTrail":       {"cloudtrail.amazonaws.com"},
		"RunInstances":   {"ec2.amazonaws.com"},
		"GetBucketAcl":   {"s3.amazonaws.com"},
	}
}

func readOnlyCall(event string) bool {
	for _, p := range []string{"Describe", "Get", "Head", "List"} {
		if strings.HasPrefix(event, p) {
			return true
		}
	}
	return false
}

const exampleAccount = "123456789012"

// exampleIdentity is the userIdentity of a caller of the given type, as the
// CloudTrail userIdentity page shows it.
func exampleIdentity(typ string, console bool) map[string]any {
	switch typ {
	case "Root":
		id := map[string]any{"type": "Root", "principalId": exampleAccount, "arn": "arn:aws:iam::" + exampleAccount + ":root", "accountId": exampleAccount}
		if !console {
			id["accessKeyId"] = "ASIAIOSFODNN7EXAMPLE"
		}
		return id
	case "AssumedRole":
		return map[string]any{"type": "AssumedRole", "principalId": "AROAIDPPEZS35WEXAMPLE:alice", "arn": "arn:aws:sts::" + exampleAccount + ":assumed-role/Admin/alice",
			"accountId": exampleAccount, "accessKeyId": "ASIAI44QH8DHBEXAMPLE",
			"sessionContext": map[string]any{
				"sessionIssuer":       map[string]any{"type": "Role", "principalId": "AROAIDPPEZS35WEXAMPLE", "arn": "arn:aws:iam::" + exampleAccount + ":role/Admin", "accountId": exampleAccount, "userName": "Admin"},
				"webIdFederationData": map[string]any{},
				"attributes":          map[string]any{"creationDate": "2024-05-01T11:58:02Z", "mfaAuthenticated": "false"},
			}}
	}
	id := map[string]any{"type": "IAMUser", "principalId": "AIDAJ45Q7YFFAREXAMPLE", "arn": "arn:aws:iam::" + exampleAccount + ":user/alice", "accountId": exampleAccount, "userName": "alice"}
	if !console {
		id["accessKeyId"] = "AKIAIOSFODNN7EXAMPLE"
	}
	return id
}

// exampleParams returns a call's requestParameters and, on success, its
// responseElements.
func exampleParams(source, event string) (req, resp any) {
	svc := strings.TrimSuffix(source, ".amazonaws.com")
	switch svc {
	case "cloudtrail":
		trail := "arn:aws:cloudtrail:us-east-1:" + exampleAccount + ":trail/management-trail"
		switch event {
		case "CreateTrail", "UpdateTrail":
			return map[string]any{"name": "management-trail", "s3BucketName": "aws-cloudtrail-logs-" + exampleAccount, "isMultiRegionTrail": true},
				map[string]any{"name": "management-trail", "s3BucketName": "aws-cloudtrail-logs-" + exampleAccount, "isMultiRegionTrail": true, "trailARN": trail, "logFileValidationEnabled": true}
		case "DescribeTrails":
			return map[string]any{"includeShadowTrails": true}, nil
		}
		return map[string]any{"name": trail}, nil
	case "iam":
		policyArn := "arn:aws:iam::" + exampleAccount + ":policy/app-policy"
		who := "roleName"
		name := "app-role"
		switch {
		case strings.Contains(event, "User"):
			who, name = "userName", "alice"
		case strings.Contains(event, "Group"):
			who, name = "groupName", "developers"
		}
		switch {
		case strings.HasPrefix(event, "Attach") || strings.HasPrefix(event, "Detach"):
			return map[string]any{who: name, "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, nil
		case strings.HasPrefix(event, "Put"):
			return map[string]any{who: name, "policyName": "inline-s3-read", "policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}, nil
		case strings.HasPrefix(event, "Delete") && strings.HasSuffix(event, "Policy") && event != "DeletePolicy":
			return map[string]any{who: name, "policyName": "inline-s3-read"}, nil
		case event == "CreatePolicy":
			return map[string]any{"policyName": "app-policy", "policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`},
				map[string]any{"policy": map[string]any{"policyName": "app-policy", "policyId": "ANPAJ2UCCR6DPCEXAMPLE", "arn": policyArn, "path": "/", "defaultVersionId": "v1", "attachmentCount": json.Number("0"), "isAttachable": true, "createDate": "May 1, 2024 12:00:00 PM"}}
		case event == "CreatePolicyVersion":
			return map[string]any{"policyArn": policyArn, "policyDocument": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`, "setAsDefault": true},
				map[string]any{"policyVersion": map[string]any{"versionId": "v2", "isDefaultVersion": true, "createDate": "May 1, 2024 12:00:00 PM"}}
		case event == "DeletePolicyVersion":
			return map[string]any{"policyArn": policyArn, "versionId": "v1"}, nil
		}
		return map[string]any{"policyArn": policyArn}, nil
	case "organizations":
		switch {
		case strings.Contains(event, "Handshake"):
			return map[string]any{"handshakeId": "h-examplehandshakeid111"}, nil
		case strings.Contains(event, "OrganizationalUnit"):
			return map[string]any{"parentId": "r-examplerootid111", "name": "Workloads"}, nil
		case strings.Contains(event, "PolicyType"):
			return map[string]any{"rootId": "r-examplerootid111", "policyType": "SERVICE_CONTROL_POLICY"}, nil
		case strings.Contains(event, "Policy"):
			return map[string]any{"policyId": "p-examplepolicyid111", "targetId": "ou-examplerootid111-exampleouid111"}, nil
		case event == "CreateAccount":
			return map[string]any{"email": "workload@example.com", "accountName": "workload"}, nil
		case event == "InviteAccountToOrganization":
			return map[string]any{"target": map[string]any{"id": "111122223333", "type": "ACCOUNT"}}, nil
		case event == "MoveAccount":
			return map[string]any{"accountId": "111122223333", "sourceParentId": "r-examplerootid111", "destinationParentId": "ou-examplerootid111-exampleouid111"}, nil
		case event == "RemoveAccountFromOrganization":
			return map[string]any{"accountId": "111122223333"}, nil
		case event == "CreateOrganization":
			return map[string]any{"featureSet": "ALL"}, nil
		}
		return nil, nil
	case "ec2":
		id := map[string]string{"SecurityGroup": "groupId", "NetworkAcl": "networkAclId", "RouteTable": "routeTableId", "Route": "routeTableId",
			"InternetGateway": "internetGatewayId", "CustomerGateway": "customerGatewayId", "VpcPeering": "vpcPeeringConnectionId", "Vpc": "vpcId", "Instances": "instanceType"}
		val := map[string]string{"groupId": "sg-0123456789abcdef0", "networkAclId": "acl-0123456789abcdef0", "routeTableId": "rtb-0123456789abcdef0",
			"internetGatewayId": "igw-0123456789abcdef0", "customerGatewayId": "cgw-0123456789abcdef0", "vpcPeeringConnectionId": "pcx-0123456789abcdef0",
			"vpcId": "vpc-0123456789abcdef0", "instanceType": "t3.micro"}
		for _, noun := range []string{"SecurityGroup", "NetworkAcl", "RouteTable", "Route", "InternetGateway", "CustomerGateway", "VpcPeering", "Vpc", "Instances"} {
			if strings.Contains(event, noun) {
				k := id[noun]
				return map[string]any{k: val[k]}, map[string]any{"requestId": "c8d2e8a1-0000-4000-8000-0000000000ec", "_return": true}
			}
		}
		return map[string]any{}, map[string]any{"requestId": "c8d2e8a1-0000-4000-8000-0000000000ec", "_return": true}
	case "s3":
		req := map[string]any{"bucketName": "amzn-s3-demo-bucket", "Host": "amzn-s3-demo-bucket.s3.us-east-1.amazonaws.com"}
		suffix := strings.TrimPrefix(strings.TrimPrefix(event, "Put"), "Delete")
		if suffix != event && strings.HasPrefix(suffix, "Bucket") {
			req[strings.ToLower(strings.TrimPrefix(suffix, "Bucket"))] = ""
		}
		return req, nil
	case "kms":
		req := map[string]any{"keyId": "1234abcd-12ab-34cd-56ef-1234567890ab"}
		if event == "ScheduleKeyDeletion" {
			req["pendingWindowInDays"] = json.Number("30")
			return req, map[string]any{"keyId": "arn:aws:kms:us-east-1:" + exampleAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab",
				"deletionDate": "May 31, 2024, 12:00:00 AM", "keyState": "PendingDeletion", "pendingWindowInDays": json.Number("30")}
		}
		return req, nil
	case "config":
		if strings.Contains(event, "DeliveryChannel") {
			return map[string]any{"deliveryChannelName": "default"}, nil
		}
		return map[string]any{"configurationRecorderName": "default"}, nil
	}
	return map[string]any{}, nil
}

// exampleError is how a service reports an authorization failure.
func exampleError(source, event, arn string) (code, msg string) {
	svc := strings.TrimSuffix(source, ".amazonaws.com")
	action := svc + ":" + event
	switch svc {
	case "ec2":
		return "Client.UnauthorizedOperation", "You are not authorized to perform this operation. User: " + arn + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
	case "kms", "config", "organizations":
		return "AccessDeniedException", "User: " + arn + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
	}
	return "AccessDenied", "User: " + arn + " is not authorized to perform: " + action + " because no identity-based policy allows the " + action + " action"
}

// exampleID is a stable, UUID-shaped identifier for one example record.
func exampleID(parts ...string) string {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	v := h.Sum64()
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", uint32(v>>32), uint16(v>>16), uint16(v)&0xfff, uint16(v>>4)&0xfff, v&0xffffffffffff)
}

// exampleMaps builds ExampleRecords' records as maps.
func exampleMaps(event string) []map[string]any {
	var out []map[string]any
	for _, source := range exampleSources(event) {
		for _, typ := range []string{"IAMUser", "AssumedRole", "Root"} {
			for _, failed := range []bool{false, true} {
				out = append(out, exampleRecord(source, event, typ, failed))
			}
		}
	}
	return out
}

// exampleRecord is one call of event to source by a caller of type typ.
func exampleRecord(source, event, typ string, failed bool) map[string]any {
	if source == "signin.amazonaws.com" {
		return exampleSignIn(typ, failed)
	}
	id := exampleIdentity(typ, false)
	outcome := "ok"
	if failed {
		outcome = "failed"
	}
	r := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       id,
		"eventTime":          "2024-05-01T12:00:00Z",
		"eventSource":        source,
		"eventName":          event,
		"awsRegion":          "us-east-1",
		"sourceIPAddress":    "203.0.113.10",
		"userAgent":          "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.84 exe/x86_64.amzn.2023 prompt/off",
		"requestID":          exampleID("request", source, event, typ, outcome),
		"eventID":            exampleID("event", source, event, typ, outcome),
		"readOnly":           readOnlyCall(event),
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": exampleAccount,
		"eventCategory":      "Management",
		"tlsDetails":         map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": strings.TrimSuffix(source, ".amazonaws.com") + ".us-east-1.amazonaws.com"},
	}
	req, resp := exampleParams(source, event)
	r["requestParameters"] = req
	r["responseElements"] = resp
	if failed {
		arn, _ := id["arn"].(string)
		r["errorCode"], r["errorMessage"] = exampleError(source, event, arn)
		r["responseElements"] = nil
	}
	return r
}

// exampleSignIn is a console sign-in record (CloudTrail User Guide, "AWS
// Management Console sign-in events"): no requestID, requestParameters
// null, the outcome in responseElements.ConsoleLogin, MFA use in
// additionalEventData.MFAUsed, and a failure only as errorMessage.
func exampleSignIn(typ string, failed bool) map[string]any {
	id := exampleIdentity(typ, true)
	mfa := "No"
	if typ == "Root" {
		mfa = "Yes"
	}
	result := "Success"
	if failed {
		result, mfa = "Failure", "No"
	}
	r := map[string]any{
		"eventVersion":      "1.09",
		"userIdentity":      id,
		"eventTime":         "2024-05-01T12:00:00Z",
		"eventSource":       "signin.amazonaws.com",
		"eventName":         "ConsoleLogin",
		"awsRegion":         "us-east-1",
		"sourceIPAddress":   "203.0.113.10",
		"userAgent":         "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
		"requestParameters": nil,
		"responseElements":  map[string]any{"ConsoleLogin": result},
		"additionalEventData": map[string]any{"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
			"MobileVersion": "No", "MFAUsed": mfa},
		"eventID":            exampleID("event", "signin", typ, result),
		"readOnly":           false,
		"eventType":          "AwsConsoleSignIn",
		"managementEvent":    true,
		"recipientAccountId": exampleAccount,
		"eventCategory":      "Management",
		"tlsDetails":         map[string]any{"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256", "clientProvidedHostHeader": "signin.aws.amazon.com"},
	}
	if failed {
		r["errorMessage"] = "Failed authentication"
		if typ == "IAMUser" {
			// A mistyped user name is not recorded (userIdentity page).
			id["userName"] = "HIDDEN_DUE_TO_SECURITY_REASONS"
			delete(id, "arn")
			delete(id, "principalId")
		}
	}
	return r
}
