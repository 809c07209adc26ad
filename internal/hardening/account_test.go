package hardening

import (
	"testing"

	"github.com/trailwatch/trailwatch/internal/awsx"
	"github.com/trailwatch/trailwatch/internal/motoserver"
	"github.com/trailwatch/trailwatch/internal/testaccount"
)

// buildChain creates, with moto's root test credentials, a multi-region
// logging trail and, unless c leaves links out, the rest of a compliant CIS
// 4.5 chain, its resources named org-...
func buildChain(t *testing.T, srv *motoserver.Server, c testaccount.Chain) testaccount.Built {
	t.Helper()
	c.Prefix = "org"
	return testaccount.New(t, awsx.FromConfig(srv.Config(t, home))).Chain(c)
}
