package deploy

import (
	"context"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/deploy/fakecli"
)

// One tool applies an environment: in GitHub Actions (GITHUB_ACTIONS=true) make deploy refuses an
// environment Atlantis owns, before anything is synthesized or applied; a laptop deploys either.
func TestDeployInCIRespectsAppliesBy(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		owner config.AppliesBy
		ci    string // GITHUB_ACTIONS, "" for unset
		ok    string // the check's ok line; "" when it must fail
	}{
		"atlantis-owned in CI":              {config.AppliesByAtlantis, "true", ""},
		"atlantis-owned on a laptop":        {config.AppliesByAtlantis, "", "ok   delivery.applies_by: atlantis (a laptop may deploy either owner's environment)"},
		"actions-owned in CI":               {config.AppliesByActions, "true", "ok   delivery.applies_by: actions: the deploy workflow applies dev"},
		"atlantis-owned, CI variable false": {config.AppliesByAtlantis, "false", "ok   delivery.applies_by: atlantis (a laptop"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, devYAML)
			w.env.Delivery.AppliesBy = c.owner
			w.fake.Override(fakecli.Rule{Tool: "tools.sh", Exit: []int{7}, Stderr: "stop here\n"})
			o := w.options()
			// The test itself may run in GitHub Actions: only the case's value counts.
			var env []string
			for _, kv := range o.Environ {
				if !strings.HasPrefix(kv, "GITHUB_ACTIONS=") {
					env = append(env, kv)
				}
			}
			if c.ci != "" {
				env = append(env, "GITHUB_ACTIONS="+c.ci)
			}
			o.Environ = env
			err := Deploy(context.Background(), o)
			if c.ok != "" {
				if err == nil || !strings.Contains(err.Error(), "stop here") {
					t.Fatalf("checks did not pass: %v\n%s", err, w.out)
				}
				if !strings.Contains(w.out.String(), c.ok) {
					t.Errorf("no line %q:\n%s", c.ok, w.out)
				}
				return
			}
			want := "FAIL check delivery.applies_by: environments/dev.yaml delivery.applies_by is atlantis: Atlantis applies dev, not the deploy workflow (GITHUB_ACTIONS=true) (fix: apply through atlantis apply on the pull request, or set delivery.applies_by: actions in environments/dev.yaml)"
			if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "delivery.applies_by") {
				t.Fatalf("error %v is not one line naming delivery.applies_by\n%s", err, w.out)
			}
			if !strings.Contains(w.out.String(), want) {
				t.Errorf("no line %q:\n%s", want, w.out)
			}
			calls := w.fake.Calls()
			if has(calls, "tools.sh") || has(calls, "synth.sh") || has(calls, "terraform", "init") {
				t.Errorf("something ran after the refusal:\n%s", lines(calls))
			}
		})
	}
}
