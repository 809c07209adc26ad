// Package hardening holds trailwatch's cross-package tests for issue 6:
// behaviour under faults (throttling, 5xx, resets, denials, cancellation),
// and least privilege proven against moto_server with IAM enforced. It has
// no non-test code.
package hardening
