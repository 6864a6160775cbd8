//go:build offlineplan

package planassert

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/bootstrap"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/database"
	"github.com/phl-platform/phl-platform/constructs/gateway"
)

// PlanDirVar names the directory holding <stack>/plan.json, written by scripts/plan.sh;
// ManifestVar names the cdktf manifest whose stacks must all have been planned.
const (
	PlanDirVar  = "PHL_PLAN_DIR"
	ManifestVar = "PHL_MANIFEST"
)

// TestOfflinePlans runs every rule over the offline plan of every stack in the manifest; a
// stack without a plan, or with a plan older than the manifest, fails. It is built only with
// -tags offlineplan (ladder rung 4), after the plans exist.
func TestOfflinePlans(t *testing.T) {
	dir, manifestPath := os.Getenv(PlanDirVar), os.Getenv(ManifestVar)
	if dir == "" || manifestPath == "" {
		t.Fatalf("%s and %s must be set: run this through `make test` (scripts/ladder.sh)", PlanDirVar, ManifestVar)
	}
	stacks, deps, synthesized := manifestStacks(t, manifestPath)
	for _, f := range DeployGraph(deps) {
		t.Errorf("deploy graph: %s", f)
	}
	envDir := os.Getenv(config.DirVar)
	if envDir == "" {
		envDir = filepath.Join("..", "..", config.DefaultDir)
	}
	bootFile := os.Getenv(config.BootstrapFileVar)
	if bootFile == "" {
		bootFile = filepath.Join("..", "..", config.DefaultBootstrapFile)
	}
	app, err := config.LoadApp(envDir, os.Getenv(config.SelectionVar), bootFile)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*config.Environment{}
	for _, e := range app.Environments {
		byName[e.Name] = e
	}
	for _, stack := range stacks {
		t.Run(stack, func(t *testing.T) {
			var rules []Rule
			if config.IsBootstrapStack(stack) {
				rules = bootstrapRules(t, app.Bootstrap, stack)
			} else {
				name, component, _ := strings.Cut(stack, "-")
				env := byName[name]
				if env == nil {
					t.Fatalf("stack %s: environment %q is not selected or has no file", stack, name)
				}
				r, ok := componentRules(env, component)
				if !ok {
					t.Fatalf("stack %s: no plan rules for component %q (add them to TestOfflinePlans)", stack, component)
				}
				rules = append(Common(env.Name), r...)
			}
			if others := nonAwsProviders(t, filepath.Join(filepath.Dir(manifestPath), "stacks", stack, "cdk.tf.json")); len(others) > 0 {
				t.Skipf("%s is not planned offline: it needs the %v provider, which cannot be installed on this machine (its synth tests and rung 6 check it)", stack, others)
			}
			planPath := filepath.Join(dir, stack, "plan.json")
			info, err := os.Stat(planPath)
			if err != nil {
				t.Fatalf("no plan for %s: %v", stack, err)
			}
			if info.ModTime().Before(synthesized) {
				t.Fatalf("plan %s is older than the manifest (left from an earlier run)", planPath)
			}
			checkPlan(t, planPath, stack, rules)
		})
	}
}

// bootstrapRules are the rules of an account's bootstrap stack, from the bootstrap file.
func bootstrapRules(t *testing.T, b *config.Bootstrap, stack string) []Rule {
	t.Helper()
	var account *config.BootstrapAccount
	if b != nil {
		for _, a := range b.Accounts {
			if a.StackName() == stack {
				account = a
			}
		}
	}
	if account == nil {
		t.Fatalf("stack %s: no such account in the bootstrap file", stack)
	}
	return Bootstrap(BootstrapExpectations{
		AccountID: account.AccountID, Repository: b.GitHubRepository, Environments: account.Environments,
		PlanRole: config.PlanRoleName, ApplyRole: config.ApplyRoleName,
		PlanSubjects:   bootstrap.PlanSubjects(b.GitHubRepository),
		ApplySubjects:  func(env string) []string { return bootstrap.ApplySubjects(b.GitHubRepository, env) },
		NoncurrentDays: account.NoncurrentVersionExpirationDays, ApplySession: bootstrap.ApplySessionSeconds,
		ReadOnlyPolicy: []string{"ReadOnlyAccess"},
		StateBucket:    account.StateBucket, StateKeyPrefix: account.StateKeyPrefix,
	})
}

// manifestStacks lists the stacks of a cdktf manifest, their dependencies and when it was
// written.
func manifestStacks(t *testing.T, path string) ([]string, map[string][]string, time.Time) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Stacks map[string]struct {
			Dependencies []string `json:"dependencies"`
		} `json:"stacks"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(m.Stacks) == 0 {
		t.Fatalf("%s lists no stacks", path)
	}
	names := make([]string, 0, len(m.Stacks))
	deps := map[string][]string{}
	for n, s := range m.Stacks {
		names = append(names, n)
		deps[n] = s.Dependencies
	}
	sort.Strings(names)
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return names, deps, info.ModTime()
}

// componentRules returns the component-specific rules of an environment's stack.
func componentRules(env *config.Environment, component string) ([]Rule, bool) {
	switch component {
	case "network":
		nats := len(env.AvailabilityZones)
		if env.Network.NatGatewayMode == config.NatSingle {
			nats = 1
		}
		return Network(NetworkExpectations{
			AvailabilityZones: len(env.AvailabilityZones),
			NatGateways:       nats,
			InterfaceEnds:     len(env.Network.InterfaceEndpoints),
		}), true
	case "cluster":
		sas := map[string]ServiceAccount{}
		for addon, sa := range cluster.AddonServiceAccounts {
			sas[addon] = ServiceAccount{sa.Namespace, sa.Name}
		}
		return Cluster(ClusterExpectations{
			ClusterArn:           fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", env.Partition, env.Region, env.AccountID, env.ClusterName()),
			PublicEndpoint:       env.Cluster.EndpointPublicAccess,
			NodeCount:            env.Cluster.NodeGroup.Size,
			Addons:               config.Addons,
			LogTypes:             []string{"api", "audit", "authenticator", "controllerManager", "scheduler"},
			AddonServiceAccounts: sas,
			KarpenterEventRules:  len(cluster.KarpenterEvents),
		}), true
	case "database":
		d := env.Database
		return Database(DatabaseExpectations{
			ClusterID:           env.DatabaseClusterID(),
			BackupRetentionDays: d.BackupRetentionDays,
			DeletionProtection:  d.DeletionProtection,
			FinalSnapshot:       d.FinalSnapshot,
			Readers:             d.Readers,
			MaxReaders:          d.MaxReaders,
			SecretsPrefix:       env.SecretsPrefix(),
			LogExports:          database.LogExports,
		}), true
	case "gateway":
		var routes []GatewayRoute
		for _, r := range gateway.Routes {
			status := ""
			if r.Status != 0 {
				status = fmt.Sprint(r.Status)
			}
			routes = append(routes, GatewayRoute{Key: r.Method + " " + r.Path, AppPath: r.AppPath, Scope: gateway.Scope(r.Scope), Status: status})
		}
		return Gateway(GatewayExpectations{Routes: routes, TargetGroupName: env.ClusterName() + "-store", AppPort: gateway.AppPort,
			HealthCheckPath: gateway.HealthCheckPath, ManagedGroups: gateway.ManagedRuleGroups, ClientIPHeader: gateway.ClientIPHeader}), true
	case "gitops":
		// Not planned offline (it needs the Helm provider): stacks/gitops_test.go asserts its
		// synthesized JSON, rung 6 renders its charts.
		return nil, true
	}
	return nil, false
}

// checkPlan loads a stack's plan and fails the test on any finding of the rules.
func checkPlan(t *testing.T, path, stack string, rules []Rule) {
	t.Helper()
	p, err := Load(stack, path)
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

// nonAwsProviders lists the providers a synthesized stack needs besides aws (only aws is in
// the machine's provider mirror).
func nonAwsProviders(t *testing.T, stackJSON string) []string {
	t.Helper()
	raw, err := os.ReadFile(stackJSON)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Terraform struct {
			RequiredProviders map[string]any `json:"required_providers"`
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", stackJSON, err)
	}
	var out []string
	for name := range doc.Terraform.RequiredProviders {
		if name != "aws" {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
