package preflight

import (
	"encoding/json"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

func TestKubernetesVersionNotOffered(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { delete(a.ClusterVersions, "1.35") })
	checks := h.run()
	expect(t, checks, "cluster.version", Fail, "EKS does not offer Kubernetes 1.35", "cluster.kubernetes_version")
	expect(t, checks, "cluster.addons", Skip, "not offered")
}

func TestKubernetesVersionInExtendedSupport(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.ClusterVersions["1.35"] = awsfake.ClusterVersion{Status: "extended-support"}
	})
	expect(t, h.run(), "cluster.version", Fail, "extended support; with upgrade_policy STANDARD")
}

func TestPinnedAddonVersion(t *testing.T) {
	h := newHarness(t, "dev")
	h.addonAttrs("coredns")["addon_version"] = "v1.12.4-eksbuild.1"
	h.account(func(a *awsfake.Account) {
		a.Addons["coredns"] = append(a.Addons["coredns"], awsfake.AddonVersion{Version: "v1.12.4-eksbuild.1", ClusterVersions: []string{"1.35"}, Schema: awsfake.AddonSchemas["coredns"]})
	})
	expect(t, h.run(), "cluster.addon.coredns", Pass, "v1.12.4-eksbuild.1 (pinned) is offered for Kubernetes 1.35")

	h.addonAttrs("coredns")["addon_version"] = "v9.9.9-eksbuild.1"
	expect(t, h.run(), "cluster.addon.coredns", Fail, "coredns v9.9.9-eksbuild.1 is not offered for Kubernetes 1.35 (offered: v1.12.4-eksbuild.1, v1.0.0-eksbuild.1)", "cluster.addon_versions.coredns")
}

func TestAddonWithoutVersionsForKubernetes(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.Addons["kube-proxy"][0].ClusterVersions = []string{"1.36"}
	})
	expect(t, h.run(), "cluster.addon.kube-proxy", Fail, "EKS offers no kube-proxy version for Kubernetes 1.35")
}

// The vpc-cni configuration is the real synthesized one: subnet and security group IDs are
// Terraform expressions (which the schema's patterns would reject), the rest is checked.
func TestAddonConfigurationKeyNotInSchema(t *testing.T) {
	h := newHarness(t, "dev")
	h.editConfig("vpc-cni", func(c map[string]any) {
		c["env"].(map[string]any)["ENABLE_BANDWIDTH_PLUGIN"] = "true"
		c["enableWindowsIpam"] = "false"
	})
	c := expect(t, h.run(), "cluster.addon-config.vpc-cni", Fail,
		"/env: additional properties 'ENABLE_BANDWIDTH_PLUGIN' not allowed",
		"/: additional properties 'enableWindowsIpam' not allowed",
		"6 values computed at apply not checked", "describe-addon-configuration --addon-name vpc-cni")
	t.Log(c)
}

func TestAddonConfigurationWrongType(t *testing.T) {
	h := newHarness(t, "dev")
	h.editConfig("vpc-cni", func(c map[string]any) { c["enableNetworkPolicy"] = true })
	expect(t, h.run(), "cluster.addon-config.vpc-cni", Fail, "/enableNetworkPolicy: got boolean, want string")
}

// Only expressions are let through: a literal value that breaks a pattern fails.
func TestAddonConfigurationLiteralBreaksPattern(t *testing.T) {
	h := newHarness(t, "dev")
	h.editConfig("vpc-cni", func(c map[string]any) {
		subnets := c["eniConfig"].(map[string]any)["subnets"].(map[string]any)
		subnets["ap-southeast-1a"].(map[string]any)["id"] = "not-a-subnet"
	})
	expect(t, h.run(), "cluster.addon-config.vpc-cni", Fail, "/eniConfig/subnets/ap-southeast-1a/id: 'not-a-subnet' does not match pattern")
}

func TestAddonConfigurationWithoutSchema(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Addons["vpc-cni"][0].Schema = "" })
	expect(t, h.run(), "cluster.addon-config.vpc-cni", Fail, "publishes no configuration schema")
}

func TestAddonConfigurationComputedWhole(t *testing.T) {
	h := newHarness(t, "dev")
	h.addonAttrs("vpc-cni")["configuration_values"] = "${jsonencode(local.cni)}"
	expect(t, h.run(), "cluster.addon-config.vpc-cni", Skip, "computed at apply")
}

func TestAddonConfigurationYAML(t *testing.T) {
	h := newHarness(t, "dev")
	h.addonAttrs("vpc-cni")["configuration_values"] = "env:\n  WARM_PREFIX_TARGET: \"1\"\n  BOGUS: x\n"
	expect(t, h.run(), "cluster.addon-config.vpc-cni", Fail, "additional properties 'BOGUS' not allowed")
}

func TestInstanceTypeMissingInOneAZ(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) {
		a.Offerings["m7i.large"] = []string{"ap-southeast-1a", "ap-southeast-1b"}
	})
	c := expect(t, h.run(), "cluster.instance-types", Fail, "not offered: m7i.large in ap-southeast-1c", "cluster.node_group.instance_types")
	if len(c.Detail) > len("not offered: m7i.large in ap-southeast-1c") {
		t.Errorf("more than the one missing offering: %s", c.Detail)
	}
}

func TestVCPUQuota(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.Quotas["ec2/L-1216C47A"] = 6
		a.Instances = []awsfake.Instance{
			// this node group's own nodes are replaced, not added
			{ID: "i-own", Type: "m6i.large", Cores: 1, Threads: 2, Tags: map[string]string{"eks:cluster-name": "phl-dev", "eks:nodegroup-name": "critical"}},
			{ID: "i-spot", Type: "m6i.large", Cores: 1, Threads: 2, Lifecycle: "spot"},
			{ID: "i-stopped", Type: "m6i.xlarge", Cores: 2, Threads: 2, State: "stopped"},
			{ID: "i-gpu", Type: "g5.xlarge", Cores: 2, Threads: 2},
			{ID: "i-other", Type: "c6i.large", Cores: 1, Threads: 2},
		}
	})
	expect(t, h.run(), "cluster.quota-vcpus", Pass, "node group 2 x 2 vCPUs + 2 vCPUs running = 6 of 6")
	h.account(func(a *awsfake.Account) {
		a.Instances = append(a.Instances, awsfake.Instance{ID: "i-more", Type: "t3.medium", Cores: 1, Threads: 2})
	})
	expect(t, h.run(), "cluster.quota-vcpus", Fail, "= 8 of 6", "--quota-code L-1216C47A --desired-value 8")
}

func TestVCPUQuotaSkipsOtherFamilies(t *testing.T) {
	h := newHarness(t, "dev")
	h.nodeGroupAttrs()["instance_types"] = []any{"g5.xlarge"}
	h.env.Cluster.NodeGroup.InstanceTypes = []string{"g5.xlarge"}
	expect(t, h.run(), "cluster.quota-vcpus", Skip, "g5.xlarge is not a standard")
}

func TestAdminPrincipalMissing(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { delete(a.Roles, "platform-admin") })
	expect(t, h.run(), "cluster.admin-principal.platform-admin", Fail, "arn:aws:iam::111111111111:role/platform-admin does not exist", "cluster.admin_principal_arns")
}

func TestAdminPrincipalUserAndOtherAccount(t *testing.T) {
	h := newHarness(t, "dev")
	h.addResource("cluster", "aws_eks_access_entry", "eks_admin-1", map[string]any{"principal_arn": "arn:aws:iam::111111111111:user/ops/alice", "type": "STANDARD"})
	h.addResource("cluster", "aws_eks_access_entry", "eks_admin-2", map[string]any{"principal_arn": "arn:aws:iam::333333333333:role/auditor", "type": "STANDARD"})
	h.account(func(a *awsfake.Account) { a.Users["alice"] = "/ops/" })
	checks := h.run()
	expect(t, checks, "cluster.admin-principal.alice", Pass, "user/ops/alice exists")
	expect(t, checks, "cluster.admin-principal.auditor", Skip, "is in account 333333333333")
	h.account(func(a *awsfake.Account) { delete(a.Users, "alice") })
	expect(t, h.run(), "cluster.admin-principal.alice", Fail, "does not exist")
}

func (h *harness) addonAttrs(addon string) map[string]any {
	h.t.Helper()
	for _, r := range h.stack("cluster").Resources("aws_eks_addon") {
		if r.Attrs["addon_name"] == addon {
			return r.Attrs
		}
	}
	h.t.Fatalf("no add-on %s", addon)
	return nil
}

func (h *harness) nodeGroupAttrs() map[string]any { return h.resource("cluster", "aws_eks_node_group") }

// editConfig changes an add-on's synthesized configuration_values.
func (h *harness) editConfig(addon string, edit func(map[string]any)) {
	h.t.Helper()
	attrs := h.addonAttrs(addon)
	var c map[string]any
	if err := json.Unmarshal([]byte(attrs["configuration_values"].(string)), &c); err != nil {
		h.t.Fatal(err)
	}
	edit(c)
	b, _ := json.Marshal(c)
	attrs["configuration_values"] = string(b)
}

// The CI apply role's access entry (the shipped bootstrap file serves dev, so the synthesized
// cluster has it) fails until the bootstrap stack has created the role, and says so.
func TestCIApplyRoleMissing(t *testing.T) {
	h := newHarness(t, "dev")
	if h.env.CIApplyRoleArn != h.env.RoleArn(config.ApplyRoleName("dev")) {
		t.Fatalf("the shipped bootstrap file does not serve dev: apply role %q", h.env.CIApplyRoleArn)
	}
	h.account(func(a *awsfake.Account) { delete(a.Roles, config.ApplyRoleName("dev")) })
	expect(t, h.run(), "cluster.ci-apply-role", Fail, "role/phl-dev-apply does not exist", "apply the bootstrap stack")
	h.account(func(a *awsfake.Account) { a.Roles[config.ApplyRoleName("dev")] = "/" })
	expect(t, h.run(), "cluster.ci-apply-role", Pass, "exists")
}
