package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const validBootstrap = `github_repository: my-org/phl-platform
accounts:
  - name: nonprod
    account_id: "111111111111"
    region: ap-southeast-1
    environments: [dev]
`

// bootstrapEnvs are a dev (local state) and a prod (the account's bucket) environment.
func bootstrapEnvs(t *testing.T, prodBackend string) []*Environment {
	t.Helper()
	dev, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	prodDoc := strings.NewReplacer(prodOld, strings.Replace(prodNew, "111111111111", "222222222222", 1)).Replace(validDev)
	prodDoc = strings.Replace(prodDoc, prodState, prodBackend, 1)
	prod, err := Parse("environments/prod.yaml", []byte(prodDoc))
	if err != nil {
		t.Fatal(err)
	}
	return []*Environment{dev, prod}
}

const goodProdBackend = "state_backend:\n  bucket: phl-tfstate-222222222222\n  kms_key_id: alias/phl-tfstate\n"

func TestBootstrapDefaults(t *testing.T) {
	doc := validBootstrap + `  - name: prod
    account_id: "222222222222"
    region: ap-southeast-1
    environments: [prod]
    github_oidc_provider_arn: arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com
`
	b, err := ParseBootstrap("accounts.yaml", []byte(doc), bootstrapEnvs(t, goodProdBackend))
	if err != nil {
		t.Fatal(err)
	}
	a := b.Accounts[0]
	if a.StateBucket != "phl-tfstate-111111111111" || a.StateKeyPrefix != DefaultStateKeyPrefix || a.NoncurrentVersionExpirationDays != 90 || a.StateInBucket {
		t.Errorf("defaults: %+v", a)
	}
	if a.StackName() != "bootstrap-nonprod" || a.StateKey() != "phl-platform/bootstrap/nonprod.tfstate" || !IsBootstrapStack(a.StackName()) || IsBootstrapStack("dev-network") {
		t.Errorf("names: %s %s", a.StackName(), a.StateKey())
	}
	if b.Serving("prod") != b.Accounts[1] || b.Serving("dev") != a || b.Serving("qa") != nil {
		t.Error("Serving")
	}
	if PlanRoleName("dev") != "phl-dev-plan" || ApplyRoleName("prod") != "phl-prod-apply" || PlanRoleVar("dev") != "AWS_PLAN_ROLE_ARN_DEV" {
		t.Error("role names")
	}
}

// Every bad value is one line naming the file, the key, the value and what is allowed.
func TestBootstrapErrors(t *testing.T) {
	cases := []struct {
		name, old, new string
		prodBackend    string
		want           []string
	}{
		{"repository", "my-org/phl-platform", "my-org", goodProdBackend, []string{"github_repository", `"my-org"`, "owner/repo"}},
		{"repository wildcard", "my-org/phl-platform", "my-org/*", goodProdBackend, []string{"github_repository", "not a GitHub repository"}},
		{"owner ending in a hyphen", "my-org/phl-platform", "my-org-/phl-platform", goodProdBackend, []string{"github_repository", `"my-org-/phl-platform"`, "not a GitHub repository"}},
		{"owner with two hyphens", "my-org/phl-platform", "my--org/phl-platform", goodProdBackend, []string{"github_repository", "not a GitHub repository"}},
		{"owner of 40 characters", "my-org/phl-platform", strings.Repeat("a", 40) + "/phl-platform", goodProdBackend, []string{"github_repository", "not a GitHub repository"}},
		{"repository ..", "my-org/phl-platform", "my-org/..", goodProdBackend, []string{"github_repository", `"my-org/.."`, "not a GitHub repository"}},
		{"repository with .git", "my-org/phl-platform", "my-org/phl-platform.git", goodProdBackend, []string{"github_repository", "ends in .git", "my-org/phl-platform"}},
		{"no accounts", validBootstrap[strings.Index(validBootstrap, "accounts:"):], "accounts: []\n", goodProdBackend, []string{"accounts", "required", "one entry per AWS account"}},
		{"unknown key", "accounts:\n", "acounts: []\naccounts:\n", goodProdBackend, []string{"acounts", "unknown key", "accounts, github_repository"}},
		{"account name", "name: nonprod", "name: Non-Prod", goodProdBackend, []string{"accounts[0].name", `"Non-Prod"`, "lowercase"}},
		{"account id", `account_id: "111111111111"`, `account_id: "1111"`, goodProdBackend, []string{"accounts[0].account_id", "12 digits"}},
		{"region", "region: ap-southeast-1", "region: cn-north-1", goodProdBackend, []string{"accounts[0].region", "aws partition"}},
		{"bucket", "region: ap-southeast-1\n", "region: ap-southeast-1\n    state_bucket: Bad_Bucket\n", goodProdBackend, []string{"accounts[0].state_bucket", "Bad_Bucket"}},
		{"prefix", "region: ap-southeast-1\n", "region: ap-southeast-1\n    state_key_prefix: /x\n", goodProdBackend, []string{"accounts[0].state_key_prefix", "must not start or end with /"}},
		{"expiration", "region: ap-southeast-1\n", "region: ap-southeast-1\n    noncurrent_version_expiration_days: 0\n", goodProdBackend, []string{"accounts[0].noncurrent_version_expiration_days", `"0"`, "1 to 3650"}},
		{"provider of another account", "region: ap-southeast-1\n", "region: ap-southeast-1\n    github_oidc_provider_arn: arn:aws:iam::999999999999:oidc-provider/token.actions.githubusercontent.com\n", goodProdBackend, []string{"accounts[0].github_oidc_provider_arn", "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"}},
		{"no environments", "environments: [dev]", "environments: []", goodProdBackend, []string{"accounts[0].environments", "required", "dev, prod"}},
		{"unknown environment", "environments: [dev]", "environments: [qa]", goodProdBackend, []string{"accounts[0].environments[0]", `"qa"`, "no such environment file", "dev, prod"}},
		{"environment of another account", "environments: [dev]", "environments: [dev, prod]", goodProdBackend, []string{"accounts[0].environments[1]", `"prod"`, "222222222222, not 111111111111"}},
		{"environment served twice", "environments: [dev]\n", "environments: [dev]\n  - name: again\n    account_id: \"333333333333\"\n    region: ap-southeast-1\n    environments: [dev]\n", goodProdBackend, []string{"accounts[1].environments[0]", "already served by account nonprod"}},
		{"account listed twice", "environments: [dev]\n", "environments: [dev]\n  - name: again\n    account_id: \"111111111111\"\n    region: ap-southeast-1\n    environments: [dev]\n", goodProdBackend, []string{"accounts[1].account_id", `"111111111111"`, "listed twice"}},
		{"name used twice", "environments: [dev]\n", "environments: [dev]\n  - name: nonprod\n    account_id: \"222222222222\"\n    region: ap-southeast-1\n    environments: [prod]\n", goodProdBackend, []string{"accounts[1].name", "used twice"}},
		{"served bucket", "environments: [dev]\n", prodAccount, "state_backend:\n  bucket: other-bucket\n  kms_key_id: alias/phl-tfstate\n", []string{"environments/prod.yaml", "state_backend.bucket", `"other-bucket"`, "phl-tfstate-222222222222"}},
		{"served key", "environments: [dev]\n", prodAccount, "state_backend:\n  bucket: phl-tfstate-222222222222\n", []string{"environments/prod.yaml", "state_backend.kms_key_id", `""`, "alias/phl-tfstate", "SSE-S3"}},
		{"served prefix", "environments: [dev]\n", prodAccount, goodProdBackend + "  key_prefix: other\n", []string{"state_backend.key_prefix", `"other"`, "phl-platform"}},
		{"served region", "environments: [dev]\n", prodAccount, goodProdBackend + "  region: eu-west-1\n", []string{"state_backend.region", `"eu-west-1"`, "ap-southeast-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := strings.Replace(validBootstrap, c.old, c.new, 1)
			if doc == validBootstrap {
				t.Fatalf("%q is not in the valid file", c.old)
			}
			_, err := ParseBootstrap("accounts.yaml", []byte(doc), bootstrapEnvs(t, c.prodBackend))
			if err == nil {
				t.Fatal("accepted")
			}
			if strings.Contains(err.Error(), "\n") || !containsEvery(err.Error(), c.want...) {
				t.Errorf("error %q; want one line with %q", err, c.want)
			}
		})
	}
}

const prodAccount = "environments: [dev]\n  - name: prod\n    account_id: \"222222222222\"\n    region: ap-southeast-1\n    environments: [prod]\n"

// LoadApp: an empty selection is every environment and the bootstrap stacks; "bootstrap"
// alone is only those; a served environment gets its CI apply role, which the cluster admits.
func TestLoadAppSelection(t *testing.T) {
	dir := t.TempDir()
	for name, doc := range map[string]string{"dev.yaml": validDev} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(t.TempDir(), "accounts.yaml")
	if err := os.WriteFile(file, []byte(validBootstrap), 0o644); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]struct {
		envs int
		boot bool
	}{"": {1, true}, "bootstrap": {0, true}, "dev": {1, false}, "dev,bootstrap": {1, true}} {
		app, err := LoadApp(dir, sel, file)
		if err != nil {
			t.Fatalf("%q: %v", sel, err)
		}
		if len(app.Environments) != want.envs || app.WithBootstrap != want.boot || app.Bootstrap == nil || len(app.All) != 1 {
			t.Errorf("selection %q: %d environments, bootstrap %v", sel, len(app.Environments), app.WithBootstrap)
		}
		for _, e := range append(app.All, app.Environments...) {
			admins := e.ClusterAdmins()
			if e.CIApplyRoleArn != "arn:aws:iam::111111111111:role/phl-dev-apply" || admins[len(admins)-1] != e.CIApplyRoleArn {
				t.Errorf("selection %q: apply role %q, admins %v", sel, e.CIApplyRoleArn, admins)
			}
		}
	}
	if _, err := LoadApp(dir, "", filepath.Join(dir, "missing.yaml")); err == nil {
		t.Error("a bootstrap file named but missing was accepted")
	}
	app, err := LoadApp(dir, "", DefaultBootstrapFile) // relative to config/: absent, so no bootstrap
	if err != nil || app.Bootstrap != nil || app.Environments[0].CIApplyRoleArn != "" {
		t.Errorf("without a bootstrap file: %v %+v", err, app)
	}
}
