//go:build offlineplan

package planassert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
)

// PlanDirVar names the directory holding <stack>/plan.json, written by scripts/plan.sh.
const PlanDirVar = "PHL_PLAN_DIR"

// TestOfflinePlans runs every rule over the real offline plans of every environment. It is
// built only with -tags offlineplan (ladder rung 4), after the plans exist.
func TestOfflinePlans(t *testing.T) {
	dir := os.Getenv(PlanDirVar)
	if dir == "" {
		t.Fatalf("%s is not set: run this through `make test` (scripts/ladder.sh)", PlanDirVar)
	}
	envs, err := config.Load(filepath.Join("..", "..", config.DefaultDir), os.Getenv(config.SelectionVar))
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range envs {
		stack := env.StackName("cluster")
		t.Run(stack, func(t *testing.T) {
			checkPlan(t, dir, stack, append(Common(env.Name), Cluster(ClusterExpectations{
				PublicEndpoint: env.Cluster.EndpointPublicAccess,
				NodeCount:      env.Cluster.NodeGroup.Size,
				Addons:         config.Addons,
				LogTypes:       []string{"api", "audit", "authenticator", "controllerManager", "scheduler"},
			})...))
		})
	}
	for _, env := range envs {
		stack := env.StackName("network")
		t.Run(stack, func(t *testing.T) {
			nats := len(env.AvailabilityZones)
			if env.Network.NatGatewayMode == config.NatSingle {
				nats = 1
			}
			checkPlan(t, dir, stack, append(Common(env.Name), Network(NetworkExpectations{
				AvailabilityZones: len(env.AvailabilityZones),
				NatGateways:       nats,
				InterfaceEnds:     len(env.Network.InterfaceEndpoints),
			})...))
		})
	}
}

// checkPlan loads a stack's plan and fails the test on any finding of the rules.
func checkPlan(t *testing.T, dir, stack string, rules []Rule) {
	t.Helper()
	p, err := Load(stack, filepath.Join(dir, stack, "plan.json"))
	if err != nil {
		t.Fatalf("no plan for %s: %v", stack, err)
	}
	if add, _, _ := p.Summary(); add == 0 {
		t.Error("the plan creates nothing")
	}
	findings := Run(p, rules)
	if len(findings) > 0 {
		t.Errorf("%d finding(s):\n%s", len(findings), strings.Join(findings, "\n"))
	}
	t.Logf("%s: %d rules checked, %d finding(s)", stack, len(rules), len(findings))
}
