package plan

import "testing"

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
		a, ok := ParseARN(s)
		if !ok {
			if a != (ARN{}) {
				t.Errorf("ParseARN(%q) rejected it but returned %+v", s, a)
			}
			return
		}
		back := "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
		if back != s {
			t.Errorf("ParseARN(%q) = %+v, which rebuilds as %q", s, a, back)
		}
	})
}
