package deploy

import (
	"context"
	"strings"

	"github.com/phl-platform/phl-platform/config"
)

// inCI says whether the command runs in GitHub Actions, which sets GITHUB_ACTIONS=true in every
// step (docs.github.com, "Store information in variables": default environment variables).
func (d *run) inCI() bool {
	for _, kv := range d.o.environ() {
		if v, ok := strings.CutPrefix(kv, "GITHUB_ACTIONS="); ok {
			return v == "true"
		}
	}
	return false
}

// checkAppliesBy: one tool applies an environment (delivery.applies_by). In CI the deploy
// workflow is the actions tool, so it refuses an environment Atlantis owns; from a laptop a
// person may deploy either (bootstrapping, repairs).
func (d *run) checkAppliesBy(context.Context) (string, error) {
	owner := d.env.Delivery.AppliesBy
	switch {
	case owner == config.AppliesByAtlantis && d.inCI():
		return "", fail("delivery.applies_by", d.file()+" delivery.applies_by is atlantis: Atlantis applies "+d.env.Name+", not the deploy workflow (GITHUB_ACTIONS=true)",
			"apply through atlantis apply on the pull request, or set delivery.applies_by: actions in "+d.file())
	case d.inCI():
		return string(owner) + ": the deploy workflow applies " + d.env.Name, nil
	}
	return string(owner) + " (a laptop may deploy either owner's environment)", nil
}
