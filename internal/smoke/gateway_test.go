package smoke

import (
	"testing"

	"github.com/phl-platform/phl-platform/constructs/gateway"
)

// The smoke check's routes, success statuses and scopes are the gateway's, so a change to the
// gateway's remaps or scopes fails here rather than at the first deploy.
func TestRoutesMatchTheGateway(t *testing.T) {
	if ReadScope != gateway.Scope(gateway.Scopes.Read) || WriteScope != gateway.Scope(gateway.Scopes.Write) {
		t.Errorf("scopes %s, %s; the gateway's %s, %s", ReadScope, WriteScope, gateway.Scope(gateway.Scopes.Read), gateway.Scope(gateway.Scopes.Write))
	}
	ours := map[string]Route{}
	for _, p := range plan {
		ours[p.route.Key()] = p.route
	}
	if len(ours) != len(gateway.Routes) {
		t.Errorf("smoke calls %d routes, the gateway serves %d", len(ours), len(gateway.Routes))
	}
	for _, g := range gateway.Routes {
		r, ok := ours[g.Method+" "+g.Path]
		if !ok {
			t.Errorf("smoke does not call %s %s", g.Method, g.Path)
			continue
		}
		status := g.Status
		if status == 0 {
			status = 200
		}
		if r.Status != status || r.Scope != gateway.Scope(g.Scope) {
			t.Errorf("%s: smoke expects %d with %s, the gateway answers %d and requires %s", r.Key(), r.Status, r.Scope, status, gateway.Scope(g.Scope))
		}
	}
}
