package preflight

import (
	"regexp"
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
	"github.com/phl-platform/phl-platform/internal/preflight/policy"
)

// exercised runs preflight so that every kind of call is made: prod with HTTPS to the ALB, a
// custom domain, a role and a user (with a path) as admins, a quota at its default, a NAT
// gateway elsewhere in the region, a deprecated engine version on the existing cluster, the
// Cognito prefix already the account's but described without the account, and the Bottlerocket
// AMI parameters (Karpenter's alias; the node group pinning a release).
func exercised(t *testing.T) (*harness, []awsfake.Call) {
	h := withTLS(t)
	alice := "arn:aws:iam::222222222222:user/ops/alice"
	h.env.Cluster.AdminPrincipalArns = append(h.env.Cluster.AdminPrincipalArns, alice)
	h.addResource("cluster", "aws_eks_access_entry", "eks_admin-1", map[string]any{"principal_arn": alice, "type": "STANDARD"})
	h.resource("cluster", "aws_eks_node_group")["release_version"] = "1.64.0-2f8a3c1d"
	h.account(func(a *awsfake.Account) {
		delete(a.Quotas, "ec2/L-0263D0A3")
		a.Subnets["subnet-x"] = "ap-southeast-1a"
		a.NatGateways = []awsfake.NatGateway{{ID: "nat-x", SubnetID: "subnet-x", State: "available"}}
		// A deprecated engine version on the existing cluster: preflight looks the cluster up.
		a.EngineVersions[h.env.Database.EngineVersion] = "deprecated"
		a.DBClusters = map[string]string{h.env.DatabaseClusterID(): h.env.Database.EngineVersion}
		// The prefix already this account's, described without AWSAccountId: preflight asks for the pool.
		a.CognitoDomains[cognitoPrefix(t, h)] = awsfake.CognitoDomain{UserPoolID: "ap-southeast-1_ours", OmitAccountID: true}
		a.UserPools["ap-southeast-1_ours"] = true
	})
	h.account(func(a *awsfake.Account) {
		a.Parameters["/aws/service/bottlerocket/aws-k8s-"+h.env.Cluster.KubernetesVersion+"/x86_64/1.64.0-2f8a3c1d/image_id"] = healthyAMI
	})
	checks := h.run()
	noFailures(t, checks)
	expect(t, checks, "gateway.cognito-domain", Pass, "already this account's")
	expect(t, checks, "cluster.node-group-release", Pass, "1.64.0-2f8a3c1d")
	expect(t, checks, "gitops.karpenter-ami", Pass, healthyAMI)
	return h, h.fake.Calls()
}

// Every call preflight makes is allowed by its policy, for the resource and region it reads.
func TestPolicyAllowsEveryCall(t *testing.T) {
	h, calls := exercised(t)
	doc := Policy([]*config.Environment{h.env})
	for _, c := range calls {
		if c.Action == "sts:GetCallerIdentity" {
			continue // needs no permission
		}
		if !allows(t, doc, c) {
			t.Errorf("the policy does not allow %s on %s in %s:\n%s", c.Action, c.Resource, c.Region, doc.JSON())
		}
	}
}

// The policy grants nothing preflight does not call.
func TestPolicyGrantsOnlyWhatIsCalled(t *testing.T) {
	h, calls := exercised(t)
	called := map[string]bool{}
	for _, c := range calls {
		called[c.Action] = true
	}
	for _, s := range Policy([]*config.Environment{h.env}).Statement {
		for _, a := range s.Action {
			if !called[a] {
				t.Errorf("%s grants %s, which preflight never calls", s.Sid, a)
			}
		}
	}
}

// Read-only, no wildcard action, and "*" only for the actions without resource-level
// permissions (each in policy.UnscopedActions, whose comment says why).
func TestPolicyIsLeastPrivilege(t *testing.T) {
	h, _ := exercised(t)
	doc := Policy([]*config.Environment{h.env})
	if findings, ok := iampolicy.Wildcards(doc.JSON(), false); !ok || len(findings) > 0 {
		t.Errorf("wildcards: %v (parsed: %v)", findings, ok)
	}
	unscoped := map[string]bool{"ec2:DescribeRegions": true}
	for _, a := range policy.UnscopedActions {
		unscoped[a] = true
	}
	for _, s := range doc.Statement {
		if s.Effect != "Allow" {
			t.Errorf("%s: effect %s", s.Sid, s.Effect)
		}
		for _, a := range s.Action {
			verb := a[strings.IndexByte(a, ':')+1:]
			if strings.Contains(a, "*") || !(strings.HasPrefix(verb, "Describe") || strings.HasPrefix(verb, "Get") || verb == "ListBucket") {
				t.Errorf("%s: %s is not a read", s.Sid, a)
			}
			for _, r := range s.Resource {
				if r == "*" && !unscoped[a] {
					t.Errorf("%s: %s on * although it takes a resource", s.Sid, a)
				}
			}
		}
	}
}

// The policy is scoped: another environment's bucket, or a region no environment uses, is not
// allowed.
func TestPolicyIsScoped(t *testing.T) {
	dev := newHarness(t, "dev").env
	doc := Policy([]*config.Environment{dev})
	denied := []awsfake.Call{
		{Action: "s3:ListBucket", Resource: "arn:aws:s3:::phl-tfstate-222222222222", Region: "ap-southeast-1"},
		{Action: "ec2:DescribeVpcs", Resource: "*", Region: "eu-west-1"},
		{Action: "iam:GetRole", Resource: "arn:aws:iam::111111111111:role/other", Region: "us-east-1"},
		{Action: "ec2:RunInstances", Resource: "*", Region: "ap-southeast-1"},
	}
	for _, c := range denied {
		if allows(t, doc, c) {
			t.Errorf("dev's policy allows %s on %s in %s", c.Action, c.Resource, c.Region)
		}
	}
	if !allows(t, doc, awsfake.Call{Action: "iam:GetRole", Resource: "arn:aws:iam::111111111111:role/platform-admin", Region: "us-east-1"}) {
		t.Error("dev's policy does not allow reading its admin role")
	}
	both := Policy([]*config.Environment{dev, newHarness(t, "prod").env})
	if !allows(t, both, awsfake.Call{Action: "s3:GetBucketVersioning", Resource: "arn:aws:s3:::phl-tfstate-222222222222", Region: "ap-southeast-1"}) {
		t.Error("the policy of dev and prod does not allow prod's bucket")
	}
}

// allows evaluates Allow statements the way IAM does for these: action and resource globs,
// and the aws:RequestedRegion condition (the only one Policy uses).
func allows(t *testing.T, doc iampolicy.Document, c awsfake.Call) bool {
	for _, s := range doc.Statement {
		if s.Effect != "Allow" || !matchAny(s.Action, c.Action) || !matchAny(s.Resource, c.Resource) {
			continue
		}
		ok := true
		for op, kv := range s.Condition {
			for key, v := range kv {
				if op != "StringEquals" || key != "aws:RequestedRegion" {
					t.Fatalf("%s: condition %s %s not understood by the test", s.Sid, op, key)
				}
				values, _ := v.([]string)
				ok = ok && contains(values, c.Region)
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// matchAny matches IAM globs: * any run of characters (slashes too), ? one.
func matchAny(patterns []string, s string) bool {
	for _, p := range patterns {
		re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".").Replace(regexp.QuoteMeta(p)) + "$"
		if regexp.MustCompile(re).MatchString(s) {
			return true
		}
	}
	return false
}
