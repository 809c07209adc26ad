package chain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzParseARN: ParseARN never panics, and an ARN it accepts is rebuilt
// exactly from its parts.
func FuzzParseARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:sns:us-east-1:123456789012:alerts",
		"arn:aws:logs:eu-west-1:123456789012:log-group:trail-logs:*",
		"arn:aws:iam::123456789012:role/trailwatch-cloudtrail-logs",
		"arn:aws-us-gov:cloudtrail:us-gov-west-1:123456789012:trail/org",
		"arn:aws:sqs:us-east-1:123456789012:queue:extra:colons",
		"arn::::", "arn:aws", "", "not an arn", "arn:aws:sns:us-east-1:12345678901:x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseARN(s)
		if err != nil {
			if a != (ARN{}) {
				t.Errorf("ParseARN(%q) rejected it but returned %+v", s, a)
			}
			return
		}
		if back := a.String(); back != s {
			t.Errorf("ParseARN(%q) = %+v, which rebuilds as %q", s, a, back)
		}
	})
}

func TestParseLogGroupARN(t *testing.T) {
	tests := []struct {
		in   string
		want LogGroup
		err  bool
	}{
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*", want: LogGroup{Name: "NewGroup", Region: "us-east-1", Account: "123456789012", ARN: "arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*"}},
		{in: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/main", want: LogGroup{Name: "/aws/cloudtrail/main", Region: "eu-west-1", Account: "123456789012", ARN: "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/cloudtrail/main"}},
		// Control Tower's group from landing zone 4.0 carries a random suffix.
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:aws-controltower/CloudTrailLogs-a1b2c3:*", want: LogGroup{Name: "aws-controltower/CloudTrailLogs-a1b2c3", Region: "us-east-1", Account: "123456789012", ARN: "arn:aws:logs:us-east-1:123456789012:log-group:aws-controltower/CloudTrailLogs-a1b2c3:*"}},
		{in: "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:g:*", want: LogGroup{Name: "g", Region: "us-gov-west-1", Account: "123456789012", ARN: "arn:aws-us-gov:logs:us-gov-west-1:123456789012:log-group:g:*"}},
		{in: "NewGroup", err: true},
		{in: "arn:aws:s3:::bucket", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:destination:d", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group::*", err: true},
		{in: "arn:aws:logs::123456789012:log-group:g:*", err: true},
		{in: "arn:aws:logs:us-east-1::log-group:g:*", err: true},
		{in: "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", err: true},
	}
	for _, tt := range tests {
		got, err := ParseLogGroupARN(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseLogGroupARN(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseLogGroupARN(%q) (-want +got)\n%s", tt.in, diff)
		}
	}
}

func TestSNSTopics(t *testing.T) {
	got := SNSTopics([]string{
		"arn:aws:sns:us-east-1:111122223333:a",
		"arn:aws:automate:us-east-1:ec2:stop",
		"arn:aws:sns:us-east-1:111122223333:a",
		"arn:aws:sns:us-east-1:111122223333:a:0b1c2d3e-sub",
		"arn:aws:sns:us-east-1:111122223333:endpoint/GCM/app/x",
		"arn:aws:sns:eu-west-1:111122223333:b",
	})
	want := []string{"arn:aws:sns:us-east-1:111122223333:a", "arn:aws:sns:eu-west-1:111122223333:b"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
