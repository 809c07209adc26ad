// Package awserr classifies errors returned by the AWS SDK for Go v2: access
// denied, not found and throttled. Each service spells these differently (SNS
// says AuthorizationError, CloudTrail TrailNotFoundException), so every code the
// tool recognises is listed here and nowhere else.
//
// Classification looks at typed SDK errors first, then at the smithy.APIError
// code, and finally at the HTTP status of the response, because some
// emulators answer a denied call with HTTP 403 and a body the SDK cannot decode
// into an error code.
package awserr

import (
	"errors"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The error codes of each class, across the services trailwatch calls.
var (
	deniedCodes = set(
		"AccessDenied",
		"AccessDeniedException",
		"AuthorizationError", // SNS
		"AuthorizationErrorException",
		"UnauthorizedOperation",
		"UnauthorizedException",
		"Forbidden",
		"ForbiddenException",
		"NotAuthorized",
	)
	notFoundCodes = set(
		"TrailNotFoundException",    // CloudTrail
		"ResourceNotFoundException", // CloudWatch Logs, CloudTrail
		"ResourceNotFound",          // CloudWatch
		"NotFound",                  // SNS
		"NotFoundException",         // SNS, KMS
		"NoSuchEntity",              // IAM
		"NoSuchBucket",              // S3
		"NoSuchKey",                 // S3
	)
	throttleCodes = set(
		"Throttling",
		"ThrottlingException",
		"ThrottledException", // SNS
		"RequestThrottled",
		"RequestThrottledException",
		"TooManyRequestsException",
		"RequestLimitExceeded",
		"SlowDown",
		"PriorRequestNotComplete",
		"ProvisionedThroughputExceededException",
		"BandwidthLimitExceeded",
	)
)

func set(codes ...string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

// IsDenied reports whether err says the caller is not allowed to make the
// call: a typed access-denied error, a known denial code, or HTTP 403.
func IsDenied(err error) bool {
	if err == nil {
		return false
	}
	var ct *cttypes.AccessDeniedException
	var cwl *cwltypes.AccessDeniedException
	var sn *snstypes.AuthorizationErrorException
	if errors.As(err, &ct) || errors.As(err, &cwl) || errors.As(err, &sn) {
		return true
	}
	if deniedCodes[Code(err)] {
		return true
	}
	return HTTPStatus(err) == http.StatusForbidden
}

// IsNotFound reports whether err says the resource does not exist.
func IsNotFound(err error) bool {
	if err == nil {
		return false
	}
	var ct *cttypes.TrailNotFoundException
	var cwl *cwltypes.ResourceNotFoundException
	var sn *snstypes.NotFoundException
	if errors.As(err, &ct) || errors.As(err, &cwl) || errors.As(err, &sn) {
		return true
	}
	if notFoundCodes[Code(err)] {
		return true
	}
	// A 404 without a code the SDK could decode.
	return Code(err) == "" && HTTPStatus(err) == http.StatusNotFound
}

// IsThrottle reports whether err says the call was throttled.
func IsThrottle(err error) bool {
	if err == nil {
		return false
	}
	if throttleCodes[Code(err)] {
		return true
	}
	return HTTPStatus(err) == http.StatusTooManyRequests
}

// Code is the service's error code, or "" when err carries none.
func Code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// Message is the service's error message when err carries one, otherwise
// the cause inside an HTTP response error, otherwise err.Error().
func Message(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorMessage() != "" {
		return ae.ErrorMessage()
	}
	// Without an API error, the cause inside the HTTP response error reads
	// better than its "http response error StatusCode: 403, " prefix.
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Err != nil {
		return re.Err.Error()
	}
	return err.Error()
}

// HTTPStatus is the HTTP status of the response that produced err, or 0 when
// there was no response.
func HTTPStatus(err error) int {
	var aws *awshttp.ResponseError
	if errors.As(err, &aws) && aws.ResponseError != nil && aws.Response != nil {
		return aws.HTTPStatusCode()
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil && re.Response.Response != nil {
		return re.HTTPStatusCode()
	}
	var sc interface{ HTTPStatusCode() int }
	if errors.As(err, &sc) {
		return sc.HTTPStatusCode()
	}
	return 0
}

// IAM service prefixes of the services trailwatch calls, by the service name
// used in this package's callers.
var iamPrefix = map[string]string{
	"cloudtrail":     "cloudtrail",
	"logs":           "logs",
	"cloudwatchlogs": "logs",
	"cloudwatch":     "cloudwatch",
	"sns":            "sns",
	"sts":            "sts",
	"iam":            "iam",
	"kms":            "kms",
	"s3":             "s3",
}

// Action is the IAM action that authorises an operation, such as
// Action("logs", "DescribeMetricFilters") == "logs:DescribeMetricFilters".
func Action(service, operation string) string {
	p, ok := iamPrefix[service]
	if !ok {
		p = service
	}
	return p + ":" + operation
}
