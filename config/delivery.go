package config

import (
	"slices"
	"strings"
)

// AppliesBy names the tool that applies an environment's stacks. Plans run anywhere (pull
// requests, Atlantis, a laptop); only the owner applies, so two tools never race for one state.
type AppliesBy string

const (
	// AppliesByActions: the deploy workflow (GitHub Actions, through `make deploy`) applies;
	// Atlantis plans only, and scripts/atlantis-step.sh refuses `atlantis apply`.
	AppliesByActions AppliesBy = "actions"
	// AppliesByAtlantis: `atlantis apply` on the pull request applies; `make deploy` refuses to
	// run in CI (GITHUB_ACTIONS=true) for the environment.
	AppliesByAtlantis AppliesBy = "atlantis"
)

// appliesByValues are the allowed delivery.applies_by values; the first is the default.
var appliesByValues = []AppliesBy{AppliesByActions, AppliesByAtlantis}

// Delivery says how changes reach the environment (docs/deploying.md "Atlantis").
type Delivery struct {
	AppliesBy AppliesBy
	// AtlantisAutoplanGitops autoplans the <env>-gitops project in Atlantis. Its plan talks to
	// the cluster's private API endpoint, so only a server inside the VPC can run it; elsewhere
	// it stays a manual `atlantis plan -p <env>-gitops` (with a tunnel).
	AtlantisAutoplanGitops bool
}

type fileDelivery struct {
	AppliesBy              *string `yaml:"applies_by"`
	AtlantisAutoplanGitops *bool   `yaml:"atlantis_autoplan_gitops"`
}

func (v validator) delivery(d fileDelivery) (Delivery, error) {
	out := Delivery{AppliesBy: appliesByValues[0]}
	if d.AppliesBy != nil {
		if !slices.Contains(appliesByValues, AppliesBy(*d.AppliesBy)) {
			var names []string
			for _, a := range appliesByValues {
				names = append(names, string(a))
			}
			return out, v.fail("delivery.applies_by", *d.AppliesBy, "not a tool that applies this environment",
				strings.Join(names, ", ")+" (actions: the deploy workflow; atlantis: atlantis apply on the pull request)")
		}
		out.AppliesBy = AppliesBy(*d.AppliesBy)
	}
	setBool(&out.AtlantisAutoplanGitops, d.AtlantisAutoplanGitops)
	return out, nil
}
