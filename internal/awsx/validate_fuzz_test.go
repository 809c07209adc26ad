package awsx

import (
	"strconv"
	"strings"
	"testing"
)

// rejects asserts that err, if any, quotes the value and says what is
// expected; it reports whether v was accepted.
func rejects(t *testing.T, what string, v string, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	msg := err.Error()
	if !strings.Contains(msg, "invalid "+what+" "+strconv.Quote(v)) || !strings.Contains(msg, "expected ") {
		t.Fatalf("error %q does not name the %s %q and the expected form", msg, what, v)
	}
	return true
}

// FuzzValidateRegion: no panic; a rejection quotes the value and the
// expected form; an accepted region is lower case letters, digits and
// dashes, starts with a two-letter code and ends in a number.
func FuzzValidateRegion(f *testing.F) {
	for _, s := range []string{"us-east-1", "eu-west-2", "us-gov-west-1", "ap-southeast-10", "cn-north-1",
		"us-east-1x", "EU_WEST", "us-east-", "", "us-east-1\n", "us-east-123", "u-east-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rejects(t, "region", s, ValidateRegion(s)) {
			return
		}
		parts := strings.Split(s, "-")
		if len(parts) < 3 || len(parts[0]) != 2 || strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Fatalf("accepted region %q", s)
		}
		if n, err := strconv.Atoi(parts[len(parts)-1]); err != nil || n < 0 || len(parts[len(parts)-1]) > 2 {
			t.Fatalf("accepted region %q without a 1-2 digit number at the end", s)
		}
	})
}

// FuzzValidateAccountID: no panic; a rejection quotes the value and the
// expected form; an accepted id is exactly twelve ASCII digits.
func FuzzValidateAccountID(f *testing.F) {
	for _, s := range []string{"123456789012", "12345678901", "1234567890123", "12345678901a", "", " 123456789012", "١٢٣٤٥٦٧٨٩٠١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rejects(t, "account id", s, ValidateAccountID(s)) {
			return
		}
		if len(s) != 12 || strings.Trim(s, "0123456789") != "" {
			t.Fatalf("accepted account id %q", s)
		}
	})
}

// FuzzValidateRoleARN: no panic; a rejection quotes the value and the
// expected form; an accepted ARN is an IAM role ARN whose account part is a
// valid account id and whose name is not empty.
func FuzzValidateRoleARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::123456789012:role/trailwatch", "arn:aws-us-gov:iam::123456789012:role/path/to/r",
		"arn:aws-cn:iam::123456789012:role/r+=,.@_-", "arn:aws:iam::12345:role/x", "arn:aws:iam::123456789012:user/x",
		"arn:aws:iam:us-east-1:123456789012:role/x", "arn:aws:iam::123456789012:role/", "not-an-arn", "",
		"arn:aws:iam::123456789012:role/x\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rejects(t, "role ARN", s, ValidateRoleARN(s)) {
			return
		}
		parts := strings.SplitN(s, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "iam" || parts[3] != "" {
			t.Fatalf("accepted role ARN %q", s)
		}
		if err := ValidateAccountID(parts[4]); err != nil {
			t.Fatalf("accepted role ARN %q with a bad account: %v", s, err)
		}
		name, ok := strings.CutPrefix(parts[5], "role/")
		if !ok || name == "" || strings.ContainsAny(name, " \t\r\n:") {
			t.Fatalf("accepted role ARN %q with resource %q", s, parts[5])
		}
	})
}

// FuzzValidateSTSOptions covers --role-session-name and --external-id: no
// panic; a rejection quotes the value and the expected form; an accepted
// value is within the lengths STS allows and printable ASCII without spaces.
func FuzzValidateSTSOptions(f *testing.F) {
	for _, s := range []string{"trailwatch-1", "a", "ab", "has space", "x:y/z", strings.Repeat("a", 65), "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		printable := func(s string) bool {
			for _, r := range s {
				if r <= ' ' || r > '~' {
					return false
				}
			}
			return true
		}
		if !rejects(t, "role session name", s, ValidateRoleSessionName(s)) {
			if len(s) < 2 || len(s) > 64 || !printable(s) || strings.ContainsAny(s, ":/") {
				t.Fatalf("accepted role session name %q", s)
			}
		}
		if !rejects(t, "external id", s, ValidateExternalID(s)) {
			if len(s) < 2 || len(s) > 1224 || !printable(s) {
				t.Fatalf("accepted external id %q", s)
			}
		}
	})
}

// FuzzValidateEndpointURL: no panic; a rejection quotes the value and the
// expected form; an accepted URL is http or https with a host.
func FuzzValidateEndpointURL(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:5000", "https://example.com", "ftp://x", "http://", "127.0.0.1:5000", "", "http://[::1]:80/p", "http://%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if rejects(t, "endpoint URL", s, ValidateEndpointURL(s)) {
			return
		}
		if !strings.HasPrefix(strings.ToLower(s), "http://") && !strings.HasPrefix(strings.ToLower(s), "https://") {
			t.Fatalf("accepted endpoint URL %q", s)
		}
	})
}
