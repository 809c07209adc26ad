package chain

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzParseLogGroupARN: ParseLogGroupARN never panics. A rejection quotes
// the ARN; an accepted ARN yields a non-empty name without ':', a region and
// an account, and is rebuilt exactly from them (with or without the trailing
// ":*").
func FuzzParseLogGroupARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:logs:us-east-1:123456789012:log-group:NewGroup:*",
		"arn:aws:logs:us-east-1:123456789012:log-group:NewGroup",
		"arn:aws-cn:logs:cn-north-1:123456789012:log-group:/aws/cloudtrail/org:*",
		"arn:aws:logs:us-east-1:123456789012:log-group::*", "arn:aws:logs:us-east-1:123456789012:log-group:a:b:*",
		"arn:aws:logs::123456789012:log-group:x", "arn:aws:logs:us-east-1::log-group:x",
		"arn:aws:sns:us-east-1:123456789012:log-group:x", "arn:aws:logs:us-east-1:123456789012:destination:x",
		"arn:aws:logs:us-east-1:123456789012:log-group:*", "arn:aws:logs:us-east-1:123456789012:log-group:x:*:*",
		"not an arn", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lg, err := ParseLogGroupARN(s)
		if err != nil {
			if lg != (LogGroup{}) {
				t.Fatalf("ParseLogGroupARN(%q) returned %+v and the error %v", s, lg, err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "log group ARN "+strconv.Quote(s)+": ") || len(msg) <= len("log group ARN "+strconv.Quote(s)+": ") {
				t.Fatalf("ParseLogGroupARN(%q): error %q does not quote the ARN and say what is wrong", s, msg)
			}
			return
		}
		if lg.Name == "" || strings.Contains(lg.Name, ":") || lg.Region == "" || lg.Account == "" || lg.ARN != s {
			t.Fatalf("ParseLogGroupARN(%q) = %+v", s, lg)
		}
		a, err := ParseARN(s)
		if err != nil {
			t.Fatalf("accepted %q, which the ARN parser rejects: %v", s, err)
		}
		base := "arn:" + a.Partition + ":logs:" + lg.Region + ":" + lg.Account + ":log-group:" + lg.Name
		if s != base && s != base+":*" {
			t.Fatalf("ParseLogGroupARN(%q) = %+v, which rebuilds as %q", s, lg, base)
		}
	})
}
