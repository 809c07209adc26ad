package awsx

import (
	"context"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/trailwatch/trailwatch/internal/activity"
	"github.com/trailwatch/trailwatch/internal/awserr"
)

// trackCalls reports every call, from start to its last attempt's answer,
// to the activity tracker in the call's context (if any), with the endpoint
// each attempt went to: what a terminal shows while AWS is slow, and what a
// timeout names.
func trackCalls(stack *middleware.Stack) error {
	err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc("trailwatchTrackCall",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			t := activity.From(ctx)
			if t == nil {
				return next.HandleInitialize(ctx, in)
			}
			action := awserr.ServiceAction(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
			id := t.Begin(action, awsmiddleware.GetRegion(ctx))
			defer t.End(id)
			return next.HandleInitialize(context.WithValue(ctx, callID{}, id), in)
		}), middleware.Before)
	if err != nil {
		return err
	}
	// Deserialize runs for each attempt, with the request as sent.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("trailwatchTrackEndpoint",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			if t, id := activity.From(ctx), ctx.Value(callID{}); t != nil && id != nil {
				if req, ok := in.Request.(*smithyhttp.Request); ok && req.URL != nil {
					t.Sent(id.(uint64), req.URL.Scheme+"://"+req.URL.Host)
				}
			}
			return next.HandleDeserialize(ctx, in)
		}), middleware.After)
}

type callID struct{}
