package hardening

import (
	"testing"

	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// The baseline every fault test compares with: the built chain audits as
// compliant, straight against moto.
func TestBaselineCompliant(t *testing.T) {
	srv := motoserver.Shared(t)
	buildChain(t, srv, testaccount.Chain{})
	res, r := runAudit(t, srv.URL)
	if res.code != 0 || verdict(r) != "compliant" {
		t.Fatalf("exit %d, verdict %s; want 0, compliant\n%s\n%s", res.code, verdict(r), res.stdout, res.stderr)
	}
}
