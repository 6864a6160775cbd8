package planassert

import (
	"encoding/json"
	"strings"
	"testing"
)

const testRepo = "my-org/phl-platform"

func bootstrapWant() BootstrapExpectations {
	return BootstrapExpectations{
		AccountID: "111111111111", Repository: testRepo, Environments: []string{"dev"},
		PlanRole:       func(env string) string { return "phl-" + env + "-plan" },
		ApplyRole:      func(env string) string { return "phl-" + env + "-apply" },
		PlanSubjects:   []string{"repo:" + testRepo + ":pull_request", "repo:" + testRepo + ":ref:refs/heads/main"},
		ApplySubjects:  func(env string) []string { return []string{"repo:" + testRepo + ":environment:" + env} },
		NoncurrentDays: 90, ApplySession: 7200, ReadOnlyPolicy: []string{"ReadOnlyAccess"},
		StateBucket: "phl-tfstate-111111111111", StateKeyPrefix: "phl-platform",
	}
}

func policyJSON(statements ...map[string]any) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
	return string(b)
}

func githubTrust(subjects ...string) string {
	return policyJSON(map[string]any{"Effect": "Allow",
		"Principal": map[string]any{"Federated": "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
		"Action":    "sts:AssumeRoleWithWebIdentity",
		"Condition": map[string]any{"StringEquals": map[string]any{
			"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
			"token.actions.githubusercontent.com:sub": subjects}}})
}

const stateObjects = "arn:aws:s3:::phl-tfstate-111111111111/phl-platform/dev/"

func planStatePolicy(extra ...map[string]any) string {
	return policyJSON(append([]map[string]any{
		{"Effect": "Allow", "Action": []string{"s3:GetObject"}, "Resource": stateObjects + "*"},
		{"Effect": "Allow", "Action": []string{"s3:PutObject", "s3:DeleteObject"}, "Resource": stateObjects + "*.tflock"},
		{"Effect": "Allow", "Action": []string{"kms:Decrypt", "kms:GenerateDataKey"}, "Resource": "arn:aws:kms:ap-southeast-1:111111111111:key/*"},
		{"Effect": "Deny", "Action": []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"}, "Resource": "arn:aws:s3:::phl-tfstate-111111111111/phl-platform/bootstrap/*"},
	}, extra...)...)
}

func goodBootstrap() *fakePlan {
	f := &fakePlan{}
	w := bootstrapWant()
	f.add("aws_kms_key", "k", map[string]any{"enable_key_rotation": true}, nil)
	f.add("aws_s3_bucket", "state", map[string]any{"bucket": "phl-tfstate-111111111111"}, nil)
	onBucket := map[string][]string{"bucket": {"aws_s3_bucket.state.id", "aws_s3_bucket.state"}}
	f.add("aws_s3_bucket_policy", "state-policy", map[string]any{"policy": policyJSON(map[string]any{"Sid": "DenyInsecureTransport", "Effect": "Deny",
		"Principal": map[string]any{"AWS": []string{"*"}}, "Action": []string{"s3:*"},
		"Resource":  []string{"arn:aws:s3:::phl-tfstate-111111111111", "arn:aws:s3:::phl-tfstate-111111111111/*"},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": false}}})}, onBucket)
	f.add("aws_s3_bucket_server_side_encryption_configuration", "state-sse", map[string]any{"rule": []any{map[string]any{"bucket_key_enabled": true,
		"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "aws:kms"}}}}}, onBucket)
	f.setNested("aws_s3_bucket_server_side_encryption_configuration.state-sse", "rule", "aws_kms_key.k.arn", "aws_kms_key.k")
	f.add("aws_s3_bucket_versioning", "state-versioning", map[string]any{"versioning_configuration": []any{map[string]any{"status": "Enabled"}}}, onBucket)
	f.add("aws_s3_bucket_public_access_block", "state-public-access", map[string]any{"block_public_acls": true, "block_public_policy": true,
		"ignore_public_acls": true, "restrict_public_buckets": true}, onBucket)
	f.add("aws_s3_bucket_ownership_controls", "state-ownership", map[string]any{"rule": []any{map[string]any{"object_ownership": "BucketOwnerEnforced"}}}, onBucket)
	f.add("aws_s3_bucket_lifecycle_configuration", "state-lifecycle", map[string]any{"rule": []any{map[string]any{"status": "Enabled",
		"noncurrent_version_expiration": []any{map[string]any{"noncurrent_days": 90.0}}}}}, onBucket)
	f.add("aws_iam_role", "plan", map[string]any{"name": "phl-dev-plan", "assume_role_policy": githubTrust(w.PlanSubjects...), "max_session_duration": 3600.0}, nil)
	f.add("aws_iam_role", "apply", map[string]any{"name": "phl-dev-apply", "assume_role_policy": githubTrust(w.ApplySubjects("dev")...), "max_session_duration": 7200.0}, nil)
	onPlan := map[string][]string{"role": {"aws_iam_role.plan.name", "aws_iam_role.plan"}}
	f.add("aws_iam_role_policy_attachment", "plan-read-only", map[string]any{"policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, onPlan)
	f.add("aws_iam_role_policy", "plan-state", map[string]any{"policy": planStatePolicy()}, onPlan)
	f.add("aws_iam_role_policy_attachment", "apply-admin", map[string]any{"policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"},
		map[string][]string{"role": {"aws_iam_role.apply.name", "aws_iam_role.apply"}})
	return f
}

func TestGoodBootstrapPassesEveryRule(t *testing.T) {
	if findings := Run(New("bootstrap-nonprod", &goodBootstrap().p), Bootstrap(bootstrapWant())); len(findings) > 0 {
		t.Fatalf("findings on a good plan:\n%s", strings.Join(findings, "\n"))
	}
}

func TestBootstrapRulesCatchBrokenPlans(t *testing.T) {
	set := func(f *fakePlan, addr, attr string, v any) { f.set(t, addr, attr, v) }
	w := bootstrapWant()
	cases := []struct {
		name   string
		mutate func(f *fakePlan)
		want   string
	}{
		{"sub with a wildcard", func(f *fakePlan) {
			set(f, "aws_iam_role.apply", "assume_role_policy", githubTrust("repo:"+testRepo+":*"))
		}, `sub "repo:my-org/phl-platform:*" is not an exact subject`},
		{"sub of another repository", func(f *fakePlan) {
			set(f, "aws_iam_role.apply", "assume_role_policy", githubTrust("repo:other/phl-platform:environment:dev"))
		}, "is not an exact subject of my-org/phl-platform"},
		{"StringLike on sub", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "assume_role_policy", strings.Replace(githubTrust(w.PlanSubjects...), "StringEquals", "StringLike", 1))
		}, "want only StringEquals on aud and sub"},
		{"no aud", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "assume_role_policy", strings.Replace(githubTrust(w.PlanSubjects...), ":aud", ":actor", 1))
		}, "aud []; want [sts.amazonaws.com]"},
		{"trusted by an account", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "assume_role_policy", strings.Replace(githubTrust(w.PlanSubjects...), `"Federated"`, `"AWS"`, 1))
		}, "want arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"},
		{"apply role for any branch", func(f *fakePlan) {
			set(f, "aws_iam_role.apply", "assume_role_policy", githubTrust("repo:"+testRepo+":ref:refs/heads/main"))
		}, "phl-dev-apply trusts sub [repo:my-org/phl-platform:ref:refs/heads/main]; want [repo:my-org/phl-platform:environment:dev]"},
		{"plan role for an environment", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "assume_role_policy", githubTrust(append(w.PlanSubjects, "repo:"+testRepo+":environment:prod")...))
		}, "phl-dev-plan trusts sub"},
		{"plan role writes state", func(f *fakePlan) {
			set(f, "aws_iam_role_policy.plan-state", "policy", planStatePolicy(map[string]any{"Effect": "Allow", "Action": "s3:PutObject", "Resource": stateObjects + "*"}))
		}, "s3:PutObject on arn:aws:s3:::phl-tfstate-111111111111/phl-platform/dev/*, not a lock file"},
		{"plan role with a wildcard action", func(f *fakePlan) {
			set(f, "aws_iam_role_policy.plan-state", "policy", planStatePolicy(map[string]any{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}))
		}, "allows s3:Get*, which writes"},
		{"plan role with an admin policy", func(f *fakePlan) {
			set(f, "aws_iam_role_policy_attachment.plan-read-only", "policy_arn", "arn:aws:iam::aws:policy/PowerUserAccess")
		}, "attaches arn:aws:iam::aws:policy/PowerUserAccess to a plan role"},
		{"plan role with an admin policy attached by its name", func(f *fakePlan) {
			f.add("aws_iam_role_policy_attachment", "by-name", map[string]any{"role": "phl-dev-plan", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}, nil)
		}, "aws_iam_role_policy_attachment.by-name attaches arn:aws:iam::aws:policy/AdministratorAccess to a plan role"},
		{"plan role with a customer managed policy", func(f *fakePlan) {
			f.add("aws_iam_role_policy_attachment", "custom", map[string]any{}, map[string][]string{
				"role": {"aws_iam_role.plan.name", "aws_iam_role.plan"}, "policy_arn": {"aws_iam_policy.p.arn", "aws_iam_policy.p"}})
		}, "aws_iam_role_policy_attachment.custom attaches a policy unknown at plan time to a plan role"},
		{"plan role in a shared policy attachment", func(f *fakePlan) {
			f.add("aws_iam_policy_attachment", "shared", map[string]any{"policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
				map[string][]string{"roles": {"aws_iam_role.plan.name", "aws_iam_role.plan", "aws_iam_role.apply.name", "aws_iam_role.apply"}})
		}, "aws_iam_policy_attachment.shared attaches arn:aws:iam::aws:policy/PowerUserAccess to a plan role"},
		{"plan role's exclusive attachments", func(f *fakePlan) {
			f.add("aws_iam_role_policy_attachments_exclusive", "x", map[string]any{"role_name": "phl-dev-plan",
				"policy_arns": []any{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/IAMFullAccess"}}, nil)
		}, "aws_iam_role_policy_attachments_exclusive.x attaches arn:aws:iam::aws:policy/IAMFullAccess to a plan role"},
		{"plan role's managed_policy_arns", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "managed_policy_arns", []any{"arn:aws:iam::aws:policy/AmazonS3FullAccess"})
		}, "aws_iam_role.plan managed_policy_arns attaches arn:aws:iam::aws:policy/AmazonS3FullAccess to a plan role"},
		{"plan role's inline_policy writes", func(f *fakePlan) {
			set(f, "aws_iam_role.plan", "inline_policy", []any{map[string]any{"name": "x",
				"policy": policyJSON(map[string]any{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"})}})
		}, "aws_iam_role.plan inline_policy: allows iam:PassRole, which writes"},
		{"plan role's state policy by the role's name", func(f *fakePlan) {
			f.add("aws_iam_role_policy", "by-name", map[string]any{"role": "phl-dev-plan",
				"policy": policyJSON(map[string]any{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": stateObjects + "terraform.tfstate"})}, nil)
		}, "aws_iam_role_policy.by-name: s3:DeleteObject on " + stateObjects + "terraform.tfstate, not a lock file"},
		{"plan role may read old versions of the bootstrap's state", func(f *fakePlan) {
			set(f, "aws_iam_role_policy.plan-state", "policy", strings.Replace(planStatePolicy(), `"s3:GetObjectVersion",`, "", 1))
		}, "phl-dev-plan may s3:GetObjectVersion bootstrap's state (arn:aws:s3:::phl-tfstate-111111111111/phl-platform/bootstrap/x.tfstate): no unconditional Deny"},
		{"plan role's deny only with a condition", func(f *fakePlan) {
			set(f, "aws_iam_role_policy.plan-state", "policy", strings.Replace(planStatePolicy(), `"Effect":"Deny"`,
				`"Condition":{"Bool":{"aws:ViaAWSService":"true"}},"Effect":"Deny"`, 1))
		}, "phl-dev-plan may s3:GetObject bootstrap's state"},
		{"apply session of an hour", func(f *fakePlan) { set(f, "aws_iam_role.apply", "max_session_duration", 3600.0) }, "max_session_duration = 3600"},
		{"bucket allows plain HTTP", func(f *fakePlan) { set(f, "aws_s3_bucket_policy.state-policy", "policy", policyJSON()) }, "no Deny of s3:*"},
		{"bucket with SSE-S3", func(f *fakePlan) {
			set(f, "aws_s3_bucket_server_side_encryption_configuration.state-sse", "rule", []any{map[string]any{"bucket_key_enabled": true,
				"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "AES256"}}}})
		}, "want aws:kms with a key of this stack"},
		{"SSE-KMS without a bucket key", func(f *fakePlan) {
			set(f, "aws_s3_bucket_server_side_encryption_configuration.state-sse", "rule", []any{map[string]any{"bucket_key_enabled": false,
				"apply_server_side_encryption_by_default": []any{map[string]any{"sse_algorithm": "aws:kms"}}}})
		}, "want aws:kms with a key of this stack and bucket_key_enabled"},
		{"bucket not versioned", func(f *fakePlan) {
			set(f, "aws_s3_bucket_versioning.state-versioning", "versioning_configuration", []any{map[string]any{"status": "Suspended"}})
		}, "Suspended"},
		{"public policies allowed", func(f *fakePlan) {
			set(f, "aws_s3_bucket_public_access_block.state-public-access", "block_public_policy", false)
		}, "block_public_policy = false"},
		{"ACLs enabled", func(f *fakePlan) {
			set(f, "aws_s3_bucket_ownership_controls.state-ownership", "rule", []any{map[string]any{"object_ownership": "ObjectWriter"}})
		}, "want BucketOwnerEnforced"},
		{"old versions kept forever", func(f *fakePlan) {
			set(f, "aws_s3_bucket_lifecycle_configuration.state-lifecycle", "rule", []any{map[string]any{"status": "Enabled"}})
		}, "no enabled rule expiring noncurrent versions after 90 days"},
		{"key without rotation", func(f *fakePlan) { set(f, "aws_kms_key.k", "enable_key_rotation", false) }, "aws_kms_key.k does not rotate"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodBootstrap()
			c.mutate(f)
			findings := strings.Join(Run(New("bootstrap-nonprod", &f.p), Bootstrap(w)), "\n")
			if !strings.Contains(findings, c.want) {
				t.Errorf("want a finding containing %q; got:\n%s", c.want, findings)
			}
		})
	}
}

// With two environments in the account, each plan role must deny the other's state too.
func TestBootstrapPlanRoleDeniesTheOtherEnvironmentsState(t *testing.T) {
	w := bootstrapWant()
	w.Environments = []string{"dev", "prod"}
	findings := strings.Join(Run(New("bootstrap-nonprod", &goodBootstrap().p), Bootstrap(w)), "\n")
	for _, want := range []string{"phl-dev-plan may s3:GetObject prod's state (arn:aws:s3:::phl-tfstate-111111111111/phl-platform/prod/x.tfstate)",
		"phl-dev-plan may s3:GetObjectVersion prod's state"} {
		if !strings.Contains(findings, want) {
			t.Errorf("no finding %q:\n%s", want, findings)
		}
	}
	if strings.Contains(findings, "bootstrap's state (") {
		t.Errorf("the bootstrap's state is denied, yet:\n%s", findings)
	}
}

func TestGlobMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"arn:aws:s3:::b/p/prod/*", "arn:aws:s3:::b/p/prod/x.tfstate", true},
		{"arn:aws:s3:::b/p/*", "arn:aws:s3:::b/p/prod/x.tfstate", true},
		{"arn:aws:s3:::b/p/dev/*", "arn:aws:s3:::b/p/prod/x.tfstate", false},
		{"s3:getobject*", "s3:getobjectversion", true},
		{"s3:getobject", "s3:getobjectversion", false},
		{"s3:get?bject", "s3:getobject", true},
		{"*", "", true},
	} {
		if got := globMatch(c.pattern, c.s); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}
