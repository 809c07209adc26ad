package awsx

import (
	"fmt"
	"net/url"
	"regexp"
)

var (
	regionRE      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	accountRE     = regexp.MustCompile(`^\d{12}$`)
	roleARNRE     = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
	sessionNameRE = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRE  = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// ValidateRegion checks that r looks like an AWS region code.
func ValidateRegion(r string) error {
	if !regionRE.MatchString(r) {
		return fmt.Errorf("invalid region %q: expected a region code such as us-east-1 or eu-west-2", r)
	}
	return nil
}

// ValidateAccountID checks a 12-digit AWS account id.
func ValidateAccountID(id string) error {
	if !accountRE.MatchString(id) {
		return fmt.Errorf("invalid account id %q: expected 12 digits, such as 123456789012", id)
	}
	return nil
}

// ValidateRoleARN checks an IAM role ARN.
func ValidateRoleARN(arn string) error {
	if !roleARNRE.MatchString(arn) {
		return fmt.Errorf("invalid role ARN %q: expected arn:aws:iam::ACCOUNT_ID:role/NAME", arn)
	}
	return nil
}

// ValidateRoleSessionName checks an STS role session name.
func ValidateRoleSessionName(name string) error {
	if !sessionNameRE.MatchString(name) {
		return fmt.Errorf("invalid role session name %q: expected 2 to 64 letters, digits or +=,.@_-", name)
	}
	return nil
}

// ValidateExternalID checks an STS external id.
func ValidateExternalID(id string) error {
	if len(id) < 2 || len(id) > 1224 || !externalIDRE.MatchString(id) {
		return fmt.Errorf("invalid external id %q: expected 2 to 1224 letters, digits or +=,.@:/_-", id)
	}
	return nil
}

// ValidateEndpointURL checks an --endpoint-url value.
func ValidateEndpointURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("invalid endpoint URL %q: expected http(s)://HOST[:PORT], such as http://127.0.0.1:5000", raw)
	}
	return nil
}
