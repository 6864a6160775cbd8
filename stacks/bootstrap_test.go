package stacks

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
)

// shippedApp loads the shipped environments and bootstrap file as main.go does.
func shippedApp(t *testing.T) *config.App {
	t.Helper()
	app, err := config.LoadApp(filepath.Join("..", config.DefaultDir), "", filepath.Join("..", config.DefaultBootstrapFile))
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func synthBootstrap(t *testing.T, app *config.App, account int) *synthesized {
	t.Helper()
	return synthStack(t, func(scope constructs.Construct) cdktf.TerraformStack {
		return NewBootstrapStack(scope, app.Bootstrap, app.Bootstrap.Accounts[account], app.All).TerraformStack
	})
}

func TestBootstrapStack(t *testing.T) {
	app := shippedApp(t)
	a := app.Bootstrap.Accounts[0]
	s := synthBootstrap(t, app, 0)

	if s.path("terraform", "required_version") != ">= "+MinTerraformVersion {
		t.Errorf("required_version = %v", s.path("terraform", "required_version"))
	}
	if p := fmt.Sprint(s.path("terraform", "backend", "local", "path")); p != LocalStateDir+"/bootstrap-nonprod.tfstate" {
		t.Errorf("local backend path %s", p)
	}
	// The state bucket and its key survive any plan that would destroy them.
	_, bucket := s.only("aws_s3_bucket")
	_, key := s.only("aws_kms_key")
	for what, r := range map[string]map[string]any{"bucket": bucket, "key": key} {
		if lc, _ := r["lifecycle"].(map[string]any); lc["prevent_destroy"] != true {
			t.Errorf("the state %s has no prevent_destroy: %v", what, r["lifecycle"])
		}
	}
	if bucket["bucket"] != a.StateBucket || bucket["force_destroy"] == true {
		t.Errorf("bucket = %v", bucket)
	}
	if _, alias := s.only("aws_kms_alias"); alias["name"] != config.StateKeyAlias {
		t.Errorf("key alias %v; environments name %s", alias["name"], config.StateKeyAlias)
	}
	// One plan and one apply role per served environment, by their fixed names.
	roles := map[string]bool{}
	for _, r := range s.resources("aws_iam_role") {
		roles[fmt.Sprint(r["name"])] = true
	}
	if len(roles) != 2 || !roles[config.PlanRoleName("dev")] || !roles[config.ApplyRoleName("dev")] {
		t.Errorf("roles %v", sortedKeys(roles))
	}
	// The GitHub variables, with the ARNs the workflows assume, known at plan time.
	vars := fmt.Sprint(s.path("output", "github_variables", "value"))
	for _, want := range []string{"AWS_PLAN_ROLE_ARN_DEV:arn:aws:iam::111111111111:role/phl-dev-plan",
		"AWS_DEPLOY_ROLE_ARN:arn:aws:iam::111111111111:role/phl-dev-apply", "AWS_REGION:ap-southeast-1"} {
		if !strings.Contains(vars, want) {
			t.Errorf("github_variables %s lacks %s", vars, want)
		}
	}
	for name := range s.path("output").(map[string]any) {
		if s.path("output", name, "sensitive") == true {
			t.Errorf("output %s is sensitive: the bootstrap outputs hold no secret", name)
		}
	}
	if _, p := s.only("aws_iam_openid_connect_provider"); fmt.Sprint(p["client_id_list"]) != "[sts.amazonaws.com]" || p["url"] != "https://token.actions.githubusercontent.com" {
		t.Errorf("OIDC provider = %v", p)
	}
}

// With an existing provider none is created; once migrated, the state is in the bucket, with
// its key and a lock file.
func TestBootstrapStackExistingProviderAndMigratedState(t *testing.T) {
	app := shippedApp(t)
	a := app.Bootstrap.Accounts[1]
	a.GitHubOIDCProviderArn = "arn:aws:iam::" + a.AccountID + ":oidc-provider/token.actions.githubusercontent.com"
	a.StateInBucket = true
	s := synthBootstrap(t, app, 1)
	if n := len(s.resources("aws_iam_openid_connect_provider")); n != 0 {
		t.Errorf("%d OIDC providers created beside an existing one", n)
	}
	b := s.path("terraform", "backend", "s3").(map[string]any)
	if b["bucket"] != a.StateBucket || b["key"] != "phl-platform/bootstrap/prod.tfstate" || b["kms_key_id"] != config.StateKeyAlias || b["use_lockfile"] != true || b["encrypt"] != true {
		t.Errorf("backend = %v", b)
	}
	for _, r := range s.resources("aws_iam_role") {
		if !strings.Contains(fmt.Sprint(r["assume_role_policy"]), a.GitHubOIDCProviderArn) {
			t.Errorf("role %v does not trust the existing provider", r["name"])
		}
	}
}

// The environment's CI apply role is a cluster admin when the bootstrap file serves it, by its
// computed ARN (no reference to the bootstrap stack).
func TestClusterAdmitsTheCIApplyRole(t *testing.T) {
	env := shippedApp(t).All[0]
	if env.CIApplyRoleArn == "" {
		t.Fatalf("the shipped bootstrap file does not serve %s", env.Name)
	}
	s := synthCluster(t, env)
	id, entry := s.named("aws_eks_access_entry", "principal_arn", env.CIApplyRoleArn)
	if entry == nil {
		t.Fatalf("no access entry for %s", env.CIApplyRoleArn)
	}
	found := false
	for _, a := range s.resources("aws_eks_access_policy_association") {
		if a["principal_arn"] == ref("aws_eks_access_entry", id, "principal_arn") && strings.HasSuffix(fmt.Sprint(a["policy_arn"]), "/AmazonEKSClusterAdminPolicy") {
			found = true
		}
	}
	if !found {
		t.Error("the apply role's entry has no cluster-admin policy")
	}
}
