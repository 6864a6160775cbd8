package planassert

import (
	"slices"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

func nested(refs ...string) *tfjson.Expression {
	return &tfjson.Expression{ExpressionData: &tfjson.ExpressionData{NestedBlocks: []map[string]*tfjson.Expression{
		{"inner": {ExpressionData: &tfjson.ExpressionData{References: refs}}},
	}}}
}

func (f *fakePlan) setNested(addr, attr string, refs ...string) {
	for _, cr := range f.p.Config.RootModule.Resources {
		if cr.Address == addr {
			cr.Expressions[attr] = nested(refs...)
		}
	}
}

func (f *fakePlan) dependsOn(addr string, deps ...string) {
	for _, cr := range f.p.Config.RootModule.Resources {
		if cr.Address == addr {
			cr.DependsOn = deps
		}
	}
}

var testAddons = []string{"eks-pod-identity-agent", "vpc-cni", "coredns"}

func goodCluster() *fakePlan {
	f := &fakePlan{}
	f.add("aws_kms_key", "k", map[string]any{"enable_key_rotation": true}, nil)
	f.add("aws_eks_cluster", "c", map[string]any{
		"vpc_config":                []any{map[string]any{"endpoint_private_access": true, "endpoint_public_access": false}},
		"encryption_config":         []any{map[string]any{"resources": []any{"secrets"}}},
		"access_config":             []any{map[string]any{"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": false}},
		"enabled_cluster_log_types": []any{"api", "audit"},
	}, nil)
	f.setNested("aws_eks_cluster.c", "encryption_config", "aws_kms_key.k.arn")
	f.add("aws_iam_role", "cni", map[string]any{"assume_role_policy": trust("kube-system", "aws-node")}, nil)
	f.add("aws_iam_role", "karpenter", map[string]any{"assume_role_policy": trust("kube-system", "karpenter")}, nil)
	f.add("aws_eks_pod_identity_association", "karpenter", map[string]any{"namespace": "kube-system", "service_account": "karpenter"},
		map[string][]string{"role_arn": {"aws_iam_role.karpenter.arn", "aws_iam_role.karpenter"}})
	for _, a := range testAddons {
		after := map[string]any{"addon_name": a}
		if a == "vpc-cni" {
			after["pod_identity_association"] = []any{map[string]any{"service_account": "aws-node"}}
		}
		f.add("aws_eks_addon", a, after, nil)
	}
	f.setNested("aws_eks_addon.vpc-cni", "pod_identity_association", "aws_iam_role.cni.arn")
	f.add("aws_eks_node_group", "ng", map[string]any{"ami_type": "BOTTLEROCKET_x86_64", "capacity_type": "ON_DEMAND",
		"scaling_config": []any{map[string]any{"min_size": 2.0, "max_size": 2.0, "desired_size": 2.0}}}, nil)
	f.dependsOn("aws_eks_node_group.ng", "aws_eks_addon.vpc-cni", "aws_eks_addon.eks-pod-identity-agent")
	f.add("aws_launch_template", "lt", map[string]any{
		"metadata_options":      []any{map[string]any{"http_tokens": "required", "http_put_response_hop_limit": 1.0}},
		"block_device_mappings": []any{map[string]any{"device_name": "/dev/xvda", "ebs": []any{map[string]any{"encrypted": "true"}}}},
	}, nil)
	f.setNested("aws_launch_template.lt", "block_device_mappings", "aws_kms_key.k.arn", "aws_kms_key.k")
	f.add("aws_sqs_queue", "q", map[string]any{"sqs_managed_sse_enabled": true}, nil)
	for _, r := range []string{"a", "b", "c", "d", "e"} {
		f.add("aws_cloudwatch_event_rule", r, map[string]any{}, nil)
		f.add("aws_cloudwatch_event_target", r, map[string]any{}, map[string][]string{
			"arn": {"aws_sqs_queue.q.arn"}, "rule": {"aws_cloudwatch_event_rule." + r + ".name"}})
	}
	return f
}

const testClusterArn = "arn:aws:eks:ap-southeast-1:111111111111:cluster/phl-dev"

// trust is a Pod Identity trust policy in the documented form.
func trust(namespace, sa string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["pods.eks.amazonaws.com"]},` +
		`"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111",` +
		`"aws:RequestTag/eks-cluster-arn":"` + testClusterArn + `","aws:RequestTag/kubernetes-namespace":"` + namespace + `",` +
		`"aws:RequestTag/kubernetes-service-account":"` + sa + `"}}}]}`
}

func clusterRules() []Rule {
	return append(Common("dev"), Cluster(ClusterExpectations{ClusterArn: testClusterArn, NodeCount: 2, Addons: testAddons,
		LogTypes: []string{"api", "audit"}, AddonServiceAccounts: map[string]ServiceAccount{"vpc-cni": {"kube-system", "aws-node"}},
		KarpenterEventRules: 5})...)
}

func TestGoodClusterPassesEveryRule(t *testing.T) {
	if findings := Run(New("dev-cluster", &goodCluster().p), clusterRules()); len(findings) > 0 {
		t.Fatalf("findings on a good plan:\n%s", strings.Join(findings, "\n"))
	}
}

func TestClusterRulesCatchBrokenPlans(t *testing.T) {
	change := func(f *fakePlan, addr string) map[string]any {
		for _, rc := range f.p.ResourceChanges {
			if rc.Address == addr {
				return rc.Change.After.(map[string]any)
			}
		}
		t.Fatalf("no %s", addr)
		return nil
	}
	cases := []struct {
		name   string
		mutate func(f *fakePlan)
		want   string
	}{
		{"public endpoint", func(f *fakePlan) {
			change(f, "aws_eks_cluster.c")["vpc_config"] = []any{map[string]any{"endpoint_private_access": true, "endpoint_public_access": true}}
		}, "endpoint private=true public=true"},
		{"secrets with an outside key", func(f *fakePlan) { f.setNested("aws_eks_cluster.c", "encryption_config") }, "secrets are not encrypted"},
		{"creator admin", func(f *fakePlan) {
			change(f, "aws_eks_cluster.c")["access_config"] = []any{map[string]any{"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": true}}
		}, "access_config"},
		{"audit log off", func(f *fakePlan) { change(f, "aws_eks_cluster.c")["enabled_cluster_log_types"] = []any{"api"} }, "log types [api]"},
		{"Amazon Linux nodes", func(f *fakePlan) { change(f, "aws_eks_node_group.ng")["ami_type"] = "AL2023_x86_64_STANDARD" }, "ami_type AL2023"},
		{"autoscaling node group", func(f *fakePlan) {
			change(f, "aws_eks_node_group.ng")["scaling_config"] = []any{map[string]any{"min_size": 1.0, "max_size": 5.0, "desired_size": 2.0}}
		}, "want fixed 2"},
		{"nodes before the CNI", func(f *fakePlan) { f.dependsOn("aws_eks_node_group.ng", "aws_eks_addon.eks-pod-identity-agent") }, "does not wait for the vpc-cni"},
		{"IMDS reachable from pods", func(f *fakePlan) {
			change(f, "aws_launch_template.lt")["metadata_options"] = []any{map[string]any{"http_tokens": "required", "http_put_response_hop_limit": 2.0}}
		}, "metadata_options"},
		{"unencrypted volume", func(f *fakePlan) {
			change(f, "aws_launch_template.lt")["block_device_mappings"] = []any{map[string]any{"device_name": "/dev/xvdb", "ebs": []any{map[string]any{"encrypted": "false"}}}}
		}, "/dev/xvdb is not encrypted"},
		{"CNI on the node role", func(f *fakePlan) { f.setNested("aws_eks_addon.vpc-cni", "pod_identity_association") }, "vpc-cni has no Pod Identity role"},
		{"missing add-on", func(f *fakePlan) { change(f, "aws_eks_addon.coredns")["addon_name"] = "other" }, "coredns is missing"},
		{"plaintext queue", func(f *fakePlan) { change(f, "aws_sqs_queue.q")["sqs_managed_sse_enabled"] = false }, "aws_sqs_queue.q is not encrypted"},
		{"rule without target", func(f *fakePlan) { f.add("aws_cloudwatch_event_rule", "f", map[string]any{}, nil) }, "aws_cloudwatch_event_rule.f has no target"},
		{"a missing interruption rule", func(f *fakePlan) {
			f.p.ResourceChanges = slices.DeleteFunc(f.p.ResourceChanges, func(rc *tfjson.ResourceChange) bool { return rc.Address == "aws_cloudwatch_event_rule.e" })
		}, "4 EventBridge rules; want 5"},
		{"Pod Identity trust on aws:SourceArn (the old form)", func(f *fakePlan) {
			change(f, "aws_iam_role.karpenter")["assume_role_policy"] = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},` +
				`"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnEquals":{"aws:SourceArn":"` + testClusterArn + `"}}}]}`
		}, "aws_iam_role.karpenter: trust conditions on aws:SourceArn"},
		{"Pod Identity trust for another service account", func(f *fakePlan) {
			change(f, "aws_iam_role.karpenter")["assume_role_policy"] = trust("kube-system", "aws-node")
		}, "aws_iam_role.karpenter (for kube-system/karpenter via aws_eks_pod_identity_association.karpenter): trust does not require"},
		{"add-on role trusted for another namespace", func(f *fakePlan) {
			change(f, "aws_iam_role.cni")["assume_role_policy"] = trust("default", "aws-node")
		}, "aws_iam_role.cni (for kube-system/aws-node via aws_eks_addon.vpc-cni)"},
		{"an unconditioned Pod Identity statement beside the good one", func(f *fakePlan) {
			change(f, "aws_iam_role.karpenter")["assume_role_policy"] = `{"Statement":[{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},` +
				`"Action":["sts:AssumeRole","sts:TagSession"]},` + strings.TrimPrefix(strings.TrimSuffix(trust("kube-system", "karpenter"), "]}"), `{"Version":"2012-10-17","Statement":[`) + `]}`
		}, "aws_iam_role.karpenter (for kube-system/karpenter via aws_eks_pod_identity_association.karpenter): trust does not require"},
		{"Pod Identity role without an association", func(f *fakePlan) {
			f.add("aws_iam_role", "orphan", map[string]any{"assume_role_policy": trust("x", "y")}, nil)
		}, "aws_iam_role.orphan trusts Pod Identity but no association uses it"},
		{"SSH from the internet", func(f *fakePlan) {
			f.add("aws_vpc_security_group_ingress_rule", "ssh", map[string]any{"cidr_ipv4": "0.0.0.0/0"}, nil)
		}, "admits the internet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodCluster()
			c.mutate(f)
			findings := strings.Join(Run(New("dev-cluster", &f.p), clusterRules()), "\n")
			if !strings.Contains(findings, c.want) {
				t.Errorf("findings do not mention %q:\n%s", c.want, findings)
			}
		})
	}
}
