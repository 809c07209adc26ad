package awserr

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	cwltypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"
)

func api(code string) error { return &smithy.GenericAPIError{Code: code, Message: "msg " + code} }

// withStatus wraps err as the SDK does: an aws ResponseError around a
// smithy ResponseError, inside an operation error.
func withStatus(status int, err error) error {
	re := &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err,
	}, RequestID: "req-1"}
	return &smithy.OperationError{ServiceID: "CloudTrail", OperationName: "GetTrailStatus", Err: re}
}

func TestClassify(t *testing.T) {
	type class struct{ Denied, NotFound, Throttle bool }
	tests := []struct {
		name string
		err  error
		want class
	}{
		{"nil", nil, class{}},
		{"plain", errors.New("dial tcp: connection refused"), class{}},
		{"cloudtrail typed denied", &cttypes.AccessDeniedException{}, class{Denied: true}},
		{"logs typed denied", &cwltypes.AccessDeniedException{}, class{Denied: true}},
		{"sns typed authorization", &snstypes.AuthorizationErrorException{}, class{Denied: true}},
		{"AccessDenied", api("AccessDenied"), class{Denied: true}},
		{"AccessDeniedException", api("AccessDeniedException"), class{Denied: true}},
		{"AuthorizationError (SNS)", api("AuthorizationError"), class{Denied: true}},
		{"UnauthorizedOperation", api("UnauthorizedOperation"), class{Denied: true}},
		{"403 without a code", withStatus(403, errors.New("failed to decode response body")), class{Denied: true}},
		{"403 wrapped in retries", &retry.MaxAttemptsError{Attempt: 3, Err: withStatus(403, errors.New("x"))}, class{Denied: true}},
		{"denied code inside operation error", withStatus(400, api("AccessDeniedException")), class{Denied: true}},
		{"wrapped with %w", fmt.Errorf("read: %w", api("AccessDenied")), class{Denied: true}},
		{"cloudtrail trail not found typed", &cttypes.TrailNotFoundException{}, class{NotFound: true}},
		{"logs resource not found typed", &cwltypes.ResourceNotFoundException{}, class{NotFound: true}},
		{"sns not found typed", &snstypes.NotFoundException{}, class{NotFound: true}},
		{"NotFound code", withStatus(404, api("NotFound")), class{NotFound: true}},
		{"ResourceNotFound (CloudWatch)", api("ResourceNotFound"), class{NotFound: true}},
		{"404 without a code", withStatus(404, errors.New("not found")), class{NotFound: true}},
		{"ThrottlingException", api("ThrottlingException"), class{Throttle: true}},
		{"Throttling", api("Throttling"), class{Throttle: true}},
		{"ThrottledException (SNS)", api("ThrottledException"), class{Throttle: true}},
		{"429 without a code", withStatus(429, errors.New("slow down")), class{Throttle: true}},
		{"throttled after max attempts", &retry.MaxAttemptsError{Attempt: 3, Err: api("ThrottlingException")}, class{Throttle: true}},
		{"500", withStatus(500, api("InternalFailure")), class{}},
		{"validation", api("InvalidParameterValueException"), class{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := class{IsDenied(tt.err), IsNotFound(tt.err), IsThrottle(tt.err)}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestDetails(t *testing.T) {
	err := withStatus(403, api("AuthorizationError"))
	if got := Code(err); got != "AuthorizationError" {
		t.Errorf("Code = %q", got)
	}
	if got := HTTPStatus(err); got != 403 {
		t.Errorf("HTTPStatus = %d", got)
	}
	if got := Message(err); got != "msg AuthorizationError" {
		t.Errorf("Message = %q", got)
	}
	undecodable := withStatus(403, errors.New("failed to decode response body"))
	if got := Message(undecodable); got != "failed to decode response body" {
		t.Errorf("Message = %q", got)
	}
	if Code(errors.New("x")) != "" || HTTPStatus(errors.New("x")) != 0 || Message(nil) != "" {
		t.Error("plain error has a code or status")
	}
	for _, tt := range []struct{ svc, op, want string }{
		{"cloudtrail", "GetTrailStatus", "cloudtrail:GetTrailStatus"},
		{"logs", "DescribeMetricFilters", "logs:DescribeMetricFilters"},
		{"cloudwatchlogs", "DescribeMetricFilters", "logs:DescribeMetricFilters"},
		{"cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"},
		{"sns", "ListSubscriptionsByTopic", "sns:ListSubscriptionsByTopic"},
		{"sts", "GetCallerIdentity", "sts:GetCallerIdentity"},
	} {
		if got := Action(tt.svc, tt.op); got != tt.want {
			t.Errorf("Action(%q, %q) = %q, want %q", tt.svc, tt.op, got, tt.want)
		}
	}
}
