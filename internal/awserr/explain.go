package awserr

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// ReachHint is what to check when AWS could not be reached.
const ReachHint = "check the network, any proxy (HTTPS_PROXY), and --endpoint-url or AWS_ENDPOINT_URL"

// Explain returns err's message with the SDK's description of a failed call
// ("operation error STS: GetCallerIdentity, exceeded maximum number of
// attempts, 5, https response error StatusCode: 0, RequestID: , request send
// failed, Post ...: dial tcp ...: connect: connection refused") replaced by
// what happened, where, and what to do ("sts:GetCallerIdentity: could not
// reach https://...: connection refused (5 attempts); check the network...").
// The context callers wrapped around it stays.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	msg := err.Error()
	var oe *smithy.OperationError
	if !errors.As(err, &oe) {
		return msg
	}
	short := describe(oe)
	if short == "" {
		return msg
	}
	return strings.Replace(msg, oe.Error(), short, 1)
}

// Unreachable reports whether err is a call that got no HTTP answer at all
// (refused, reset, DNS, TLS, timeout), as opposed to an answer that is an
// error.
func Unreachable(err error) bool {
	var ue *url.Error
	return HTTPStatus(err) == 0 && errors.As(err, &ue) && !errors.As(err, new(*smithy.CanceledError))
}

func describe(oe *smithy.OperationError) string {
	action := ServiceAction(oe.ServiceID, oe.OperationName)
	err := oe.Err
	attempts := ""
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) && me.Attempt > 1 {
		attempts = fmt.Sprintf(" (%d attempts)", me.Attempt)
	}
	var ce *smithy.CanceledError
	var ae smithy.APIError
	var ue *url.Error
	switch {
	case errors.As(err, &ce):
		return action + ": " + stopped(err)
	case credentialsFailure(err) != "":
		return action + ": no usable AWS credentials (" + credentialsFailure(err) + "): set AWS_ACCESS_KEY_ID and " +
			"AWS_SECRET_ACCESS_KEY, choose a profile with --profile or AWS_PROFILE, or run aws sso login"
	case errors.As(err, &ae):
		out := fmt.Sprintf("%s: %s", action, ae.ErrorCode())
		if m := ae.ErrorMessage(); m != "" {
			out += ": " + m
		}
		return out + attempts
	case errors.As(err, &ue) && HTTPStatus(err) == 0:
		return fmt.Sprintf("%s: could not reach %s: %s%s; %s", action, endpointOf(ue), netCause(ue.Err), attempts, ReachHint)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return action + ": " + stopped(err)
	}
	return ""
}

// stopped says why a call whose context ended got no answer.
func stopped(err error) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return "no answer before the deadline"
	}
	return "cancelled before AWS answered"
}

// serviceKey turns a service id ("CloudWatch Logs") into the key Action takes.
func serviceKey(id string) string {
	return strings.ToLower(strings.ReplaceAll(id, " ", ""))
}

// endpointOf is the scheme and host the request went to.
func endpointOf(ue *url.Error) string {
	u, err := url.Parse(ue.URL)
	if err != nil || u.Host == "" {
		return ue.URL
	}
	return u.Scheme + "://" + u.Host
}

// netCause says in a few words why no answer came.
func netCause(err error) string {
	var dns *net.DNSError
	var unknownAuth x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var timeout interface{ Timeout() bool }
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return "no such host " + dns.Name + " (DNS)"
	case errors.As(err, &dns):
		return "DNS lookup of " + dns.Name + " failed: " + dns.Err
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	case errors.As(err, &unknownAuth), errors.As(err, &hostname):
		return "its TLS certificate is not trusted (" + err.Error() + ")"
	case errors.As(err, &timeout) && timeout.Timeout():
		return "no answer in time"
	}
	// The innermost message, without the layers naming the socket.
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}

// credentialsFailure is the reason the SDK could not get credentials, or ""
// when err is not that. The SDK wraps it in plain text layers ("get identity:
// get credentials: failed to refresh cached credentials, ..."), so the layers
// are recognised by their words.
func credentialsFailure(err error) string {
	msg := err.Error()
	const marker = "get credentials: "
	i := strings.Index(msg, marker)
	if i < 0 {
		return ""
	}
	reason := strings.TrimPrefix(msg[i+len(marker):], "failed to refresh cached credentials, ")
	if j := strings.Index(reason, ", operation error"); j > 0 {
		reason = reason[:j]
	}
	return reason
}

// ServiceAction is Action for the SDK's service id ("CloudWatch Logs",
// "STS") rather than this package's service names.
func ServiceAction(serviceID, operation string) string {
	return Action(serviceKey(serviceID), operation)
}

// Readable wraps err so that its message is Explain's, for errors printed
// before they reach the command line's top (and for tests); errors.As and
// errors.Is still see the SDK's error inside.
func Readable(err error) error {
	if err == nil {
		return nil
	}
	return &readable{err}
}

type readable struct{ err error }

func (r *readable) Error() string { return Explain(r.err) }
func (r *readable) Unwrap() error { return r.err }
