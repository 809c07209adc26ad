package plan

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// FuzzParseEndpoint: ParseEndpoint never panics. A rejected value gets an
// error that quotes the value, its endpoint or its protocol and says what
// form is wanted; an accepted one has a known protocol and parses back from
// its String form to itself.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{
		"https://hooks.example.com/x", "http://127.0.0.1:8080/a?b=c", "https:", "https:https://x", "HTTPS://x",
		"sqs:arn:aws:sqs:us-east-1:123456789012:alerts", "sqs:not-an-arn", "sqs:arn:aws:sqs:us-east-1:123456789012:a/b",
		"lambda:arn:aws:lambda:us-east-1:123456789012:function:f", "sms:+14155550100", "sms:555",
		"email:secops@example.com", "email-json:a@b.co", "email:not-an-email", "email:<a@b.co>",
		"application:arn:aws:sns:us-east-1:123456789012:endpoint/GCM/app/1",
		"firehose:arn:aws:firehose:us-east-1:123456789012:deliverystream/s", "ftp:x", ":", "", "x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseEndpoint(s)
		if err != nil {
			msg := err.Error()
			proto, ep, _ := strings.Cut(s, ":")
			names := strings.Contains(msg, strconv.Quote(s)) || strings.Contains(msg, strconv.Quote(ep)) ||
				strings.Contains(msg, strconv.Quote(strings.ToLower(proto))) || strings.Contains(msg, strconv.Quote(e.Endpoint))
			if !names || !strings.Contains(msg, "want") {
				t.Fatalf("ParseEndpoint(%q): error %q does not quote the value and say what is wanted", s, msg)
			}
			return
		}
		if !slices.Contains(Protocols, e.Protocol) || e.Endpoint == "" {
			t.Fatalf("ParseEndpoint(%q) accepted %+v", s, e)
		}
		back, err := ParseEndpoint(e.String())
		if err != nil || back != e {
			t.Fatalf("ParseEndpoint(%q) = %+v, but its String %q parses as %+v, %v", s, e, e.String(), back, err)
		}
	})
}

// FuzzChoicesValidate: Choices.Validate never panics, reports every bad
// field (each problem names its flag and quotes the value), and fails
// exactly when one of the fields fails alone. An email is valid as --email
// exactly when it is valid as --subscribe email:ADDR.
func FuzzChoicesValidate(f *testing.F) {
	f.Add("secops@example.com", "https://hooks.example.com/x", "arn:aws:sns:us-east-1:123456789012:alerts", "alias/secops", "name")
	f.Add("not-an-email", "ftp:x", "arn:aws:sqs:us-east-1:123456789012:q", "alias/aws/sns", "bad:name*")
	f.Add("a@b", "https:", "arn:aws:sns:us-east-1::t", "1234", "")
	f.Add("Secops <secops@example.com>", "sqs:not-an-arn", "not-an-arn", "arn:aws:kms:us-east-1:123456789012:key/abc", "x")
	f.Fuzz(func(t *testing.T, email, subscribe, topicARN, kmsKey, name string) {
		one := map[string]Choices{
			"--email":       {Email: email},
			"--subscribe":   {Subscribe: subscribe},
			"--topic-arn":   {TopicARN: topicARN},
			"--kms-key":     {KMSKeyID: kmsKey},
			"--filter-name": {FilterName: name},
			"--alarm-name":  {AlarmName: name},
			"--topic-name":  {TopicName: name},
		}
		all := Choices{Email: email, Subscribe: subscribe, TopicARN: topicARN, KMSKeyID: kmsKey,
			FilterName: name, AlarmName: name, TopicName: name}
		allErr := all.Validate()
		anyBad := false
		for flag, c := range one {
			err := c.Validate()
			if err == nil {
				continue
			}
			anyBad = true
			msg := err.Error()
			if flag != "--subscribe" && !strings.Contains(msg, flag) {
				t.Errorf("%s: error %q does not name the flag", flag, msg)
			}
			if allErr == nil || !strings.Contains(allErr.Error(), msg) {
				t.Errorf("%s is bad alone (%v) but Validate of all choices says %v", flag, err, allErr)
			}
		}
		if !anyBad && allErr != nil {
			t.Errorf("every field is fine alone but Validate of all says %v", allErr)
		}
		if email != "" {
			emailErr := (Choices{Email: email}).Validate()
			_, subErr := ParseEndpoint("email:" + email)
			if (emailErr == nil) != (subErr == nil) {
				t.Errorf("email %q: --email says %v but --subscribe email:... says %v", email, emailErr, subErr)
			}
			if emailErr != nil && !strings.Contains(emailErr.Error(), strconv.Quote(email)) {
				t.Errorf("email %q: error %q does not quote it", email, emailErr)
			}
		}
	})
}
