package pattern

import (
	"bytes"
	"encoding/json"
	"sort"
	"strconv"
	"sync"
	"unicode/utf8"
)

// IdentityTypes are the userIdentity.type values a CloudTrail record can
// carry; a filter must catch the five calls whoever makes them.
func IdentityTypes() []string {
	return []string{"Root", "IAMUser", "AssumedRole", "AWSService", "FederatedUser", "AWSAccount", "IdentityCenterUser", "Unknown"}
}

// recordKeyOrder is the order CloudTrail writes top-level keys in; term
// patterns see the raw text, so the text is written in this order.
func recordKeyOrder() []string {
	return []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
		"sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters", "responseElements",
		"additionalEventData", "requestID", "eventID", "readOnly", "resources", "eventType", "apiVersion",
		"managementEvent", "recipientAccountId", "sharedEventID", "vpcEndpointId", "eventCategory", "tlsDetails",
		"sessionCredentialFromConsole"}
}

// nestedKeyOrder is the order CloudTrail writes the members of userIdentity,
// sessionContext and tlsDetails in (their documentation examples); other
// members follow in name order.
func nestedKeyOrder() map[string]int {
	order := map[string]int{}
	for i, k := range []string{"type", "principalId", "arn", "accountId", "accessKeyId", "userName", "sessionContext",
		"sessionIssuer", "webIdFederationData", "attributes", "creationDate", "mfaAuthenticated", "invokedBy",
		"tlsVersion", "cipherSuite", "clientProvidedHostHeader"} {
		order[k] = i + 1
	}
	return order
}

func identity(typ string) map[string]any {
	id := map[string]any{"type": typ}
	switch typ {
	case "AWSService":
		id["invokedBy"] = "cloudformation.amazonaws.com"
	case "Unknown":
	default:
		id["principalId"] = "AIDAEXAMPLEPRINCIPAL"
		id["arn"] = "arn:aws:iam::123456789012:user/alice"
		id["accountId"] = "123456789012"
		id["accessKeyId"] = "AKIAEXAMPLEKEY"
	}
	return id
}

// baseRecord is a realistic record of a successful call by an IAM user.
func baseRecord(event string) map[string]any {
	r := map[string]any{
		"eventVersion":       "1.09",
		"userIdentity":       identity("IAMUser"),
		"eventTime":          "2024-05-01T12:00:00Z",
		"eventName":          event,
		"awsRegion":          "us-east-1",
		"sourceIPAddress":    "203.0.113.10",
		"userAgent":          "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
		"requestParameters":  map[string]any{"name": "management-trail"},
		"responseElements":   map[string]any{"name": "management-trail", "trailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/management-trail"},
		"requestID":          "6f1c2b7e-0000-4000-8000-000000000001",
		"eventID":            "0c2d3e4f-0000-4000-8000-000000000002",
		"recipientAccountId": "123456789012",
		// The fixed fields, as fixedFields lists them (written out: this is
		// on the hot path of Covers).
		"eventSource":     "cloudtrail.amazonaws.com",
		"readOnly":        false,
		"eventType":       "AwsApiCall",
		"managementEvent": true,
		"eventCategory":   "Management",
	}
	return r
}

// unrelatedRecords are records of other calls: a pattern that matches any of
// them matches more than the control needs (TooBroad).
func unrelatedRecords() []struct {
	Name, Why string
	Rec       map[string]any
} {
	describe := baseRecord("DescribeTrails")
	describe["readOnly"] = true
	describe["responseElements"] = nil
	get := baseRecord("GetTrail")
	get["readOnly"] = true
	run := baseRecord("RunInstances")
	run["eventSource"] = "ec2.amazonaws.com"
	run["requestParameters"] = map[string]any{"instanceType": "t3.micro"}
	run["responseElements"] = nil
	policy := baseRecord("PutRolePolicy")
	policy["eventSource"] = "iam.amazonaws.com"
	policy["requestParameters"] = map[string]any{"roleName": "auditor", "policyName": "trail-admin",
		"policyDocument": `{"Statement":[{"Effect":"Allow","Action":["cloudtrail:CreateTrail","cloudtrail:UpdateTrail","cloudtrail:DeleteTrail","cloudtrail:StartLogging","cloudtrail:StopLogging"],"Resource":"*"}]}`}
	policy["responseElements"] = nil
	return []struct {
		Name, Why string
		Rec       map[string]any
	}{
		{"DescribeTrails", "a read-only CloudTrail call", describe},
		{"GetTrail", "a read-only CloudTrail call", get},
		{"RunInstances", "an EC2 call", run},
		{"PutRolePolicy", "an IAM call whose policy names cloudtrail:StopLogging", policy},
	}
}

// recordText writes r as CloudTrail does: compact JSON, top-level keys in
// CloudTrail's order, no HTML escaping.
func recordText(r map[string]any) string { return paddedText(r, "") }

// paddedText is recordText with an extra member "pad":"pad" before every
// member of every object and after the last. Real records carry members
// the family does not write (tlsDetails after eventCategory, sessionContext
// inside userIdentity, additionalEventData, ...), anywhere; with pad a
// character absent from the pattern, a term or regex that spans two
// members, or an object's end, does not match the padded text.
func paddedText(r map[string]any, pad string) string {
	var b bytes.Buffer
	writeJSON(&b, r, true, pad)
	return b.String()
}

// keyOrder is nestedKeyOrder, built once; it is never changed.
var keyOrder = sync.OnceValue(nestedKeyOrder)

func writeJSON(b *bytes.Buffer, v any, top bool, pad string) {
	switch x := v.(type) {
	case map[string]any:
		var keys []string
		if top {
			seen := map[string]bool{}
			for _, k := range recordKeyOrder() {
				if _, ok := x[k]; ok {
					keys = append(keys, k)
					seen[k] = true
				}
			}
			var rest []string
			for k := range x {
				if !seen[k] {
					rest = append(rest, k)
				}
			}
			sort.Strings(rest)
			keys = append(keys, rest...)
		} else {
			for k := range x {
				keys = append(keys, k)
			}
			order := keyOrder()
			sort.Slice(keys, func(i, j int) bool {
				oi, oj := order[keys[i]], order[keys[j]]
				if (oi == 0) != (oj == 0) {
					return oi != 0 // known members first
				}
				if oi != oj {
					return oi < oj
				}
				return keys[i] < keys[j]
			})
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			if pad != "" {
				writeString(b, pad)
				b.WriteByte(':')
				writeString(b, pad)
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, x[k], false, pad)
		}
		if pad != "" {
			if len(keys) > 0 {
				b.WriteByte(',')
			}
			writeString(b, pad)
			b.WriteByte(':')
			writeString(b, pad)
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, e, false, pad)
		}
		b.WriteByte(']')
	case string:
		writeString(b, x)
	case json.Number:
		b.WriteString(string(x))
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	}
}

// writeString writes s as encoding/json does with HTML escaping off:
// quotes, backslashes and control characters escaped, U+2028 and U+2029
// escaped, invalid UTF-8 replaced.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\r':
				b.WriteString(`\r`)
			case c == '\t':
				b.WriteString(`\t`)
			case c < 0x20:
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&0xf])
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			b.WriteString(`\u202`)
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	b.WriteByte('"')
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneValue(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = cloneValue(e)
		}
		return a
	}
	return v
}
