// Command trailwatch audits and fixes the AWS control "CloudTrail
// configuration changes are caught by a metric filter and an alarm that
// notifies someone" (CIS 4.5, Security Hub CloudWatch.5).
package main

import (
	"context"
	"os"

	"github.com/trailwatch/trailwatch/internal/cli"
	"github.com/trailwatch/trailwatch/internal/interrupt"
	"github.com/trailwatch/trailwatch/internal/term"
)

func main() {
	ctx, stop := interrupt.Notify(context.Background(), os.Stderr, os.Exit)
	code := cli.Run(ctx, os.Args, term.System())
	stop()
	os.Exit(code)
}
