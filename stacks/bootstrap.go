package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/provider"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/bootstrap"
	"github.com/phl-platform/phl-platform/internal/preflight/policy"
)

// BootstrapStack is "bootstrap-<account>": what one AWS account needs before its environments
// (environments/bootstrap/accounts.yaml). It depends on no other stack and none on it: the
// environments name its bucket, key alias and roles by their fixed names.
type BootstrapStack struct {
	cdktf.TerraformStack
	Bootstrap *bootstrap.Bootstrap
}

// NewBootstrapStack creates one account's bootstrap stack. all are every environment (the
// plan roles get the preflight policy of theirs).
func NewBootstrapStack(scope constructs.Construct, b *config.Bootstrap, a *config.BootstrapAccount, all []*config.Environment) *BootstrapStack {
	name := a.StackName()
	stack := cdktf.NewTerraformStack(scope, jsii.String(name))
	provider.NewAwsProvider(stack, jsii.String("aws"), &provider.AwsProviderConfig{
		Region:            jsii.String(a.Region),
		AllowedAccountIds: &[]*string{jsii.String(a.AccountID)},
		DefaultTags: &[]*provider.AwsProviderDefaultTags{{Tags: &map[string]*string{
			"project": jsii.String(config.Project), "component": jsii.String("bootstrap"),
			"managed-by": jsii.String("cdktf"), "repository": jsii.String(config.Repository),
		}}},
	})
	pinTerraform(stack)
	if a.StateInBucket {
		addS3Backend(stack, &config.StateBackend{Bucket: a.StateBucket, Region: a.Region, KmsKeyID: config.StateKeyAlias}, a.StateKey())
	} else {
		cdktf.NewLocalBackend(stack, &cdktf.LocalBackendConfig{Path: jsii.String(LocalStateDir + "/" + name + ".tfstate")})
	}

	props := bootstrap.Props{
		AccountID: a.AccountID, Region: a.Region, Partition: a.Partition,
		GitHubRepository: b.GitHubRepository, GitHubOIDCProviderArn: a.GitHubOIDCProviderArn,
		StateBucket: a.StateBucket, StateKeyAlias: config.StateKeyAlias, StateKeyPrefix: a.StateKeyPrefix,
		NoncurrentVersionExpirationDays: a.NoncurrentVersionExpirationDays,
	}
	for _, e := range all {
		if b.Serving(e.Name) != a {
			continue
		}
		plan := policy.Preflight([]*config.Environment{e})
		props.Environments = append(props.Environments, bootstrap.EnvironmentProps{
			Name: e.Name, PlanRoleName: config.PlanRoleName(e.Name), ApplyRoleName: config.ApplyRoleName(e.Name),
			PlanPolicy: &plan,
		})
	}
	boot := bootstrap.New(stack, "bootstrap", props)

	output(stack, "state_bucket", "The Terraform state bucket (state_backend.bucket of each environment)", boot.StateBucket.Bucket.Bucket())
	output(stack, "state_kms_key_arn", "The state key; environments name it by its alias "+config.StateKeyAlias+" (state_backend.kms_key_id)", boot.StateKey.Arn())
	output(stack, "github_oidc_provider_arn", "GitHub Actions' OIDC provider", boot.OIDCProviderArn)
	variables := map[string]any{}
	// Role ARNs follow from their fixed names, so the output is known at plan time (a
	// reviewer sees the values before the apply).
	for _, e := range all {
		if b.Serving(e.Name) != a {
			continue
		}
		variables[e.Name] = map[string]any{
			"repository_variables":  map[string]any{config.PlanRoleVar(e.Name): e.RoleArn(config.PlanRoleName(e.Name))},
			"environment_variables": map[string]any{config.ApplyRoleVar: e.RoleArn(config.ApplyRoleName(e.Name)), config.RegionVar: e.Region},
		}
	}
	output(stack, "github_variables", "Per environment, the GitHub variables to set (docs/deploying.md \"GitHub Actions\": repository variables, and variables of the GitHub environment <env>)", variables)
	return &BootstrapStack{TerraformStack: stack, Bootstrap: boot}
}
