package bootstrap

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamopenidconnectprovider"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/tfval"
)

// GitHub's OIDC issuer and the audience aws-actions/configure-aws-credentials asks for
// (GitHub docs, "Configuring OpenID Connect in Amazon Web Services").
const (
	GitHubOIDCHost     = "token.actions.githubusercontent.com"
	GitHubOIDCAudience = "sts.amazonaws.com"
)

// ApplySessionSeconds is the apply role's longest session: a first deploy applies the
// cluster (~15 min) and waits for Argo CD (up to 30), past the default hour; the deploy
// workflow asks for exactly this (role-duration-seconds).
const ApplySessionSeconds = 7200

// The AWS managed policies the roles get. ReadOnlyAccess covers what `terraform plan`
// refreshes: Describe/Get/List of every service the stacks create resources in (ec2, eks,
// iam, kms, logs, rds, s3, sqs, events, elasticloadbalancing, apigateway, wafv2, cognito-idp,
// ecr, secretsmanager metadata, application-autoscaling; unlike ViewOnlyAccess it has eks,
// apigateway and application-autoscaling, gist hermanschaaf/45950ed5 "Services mentioned in
// AWS ReadOnlyAccess policy but not in ViewOnlyAccess"), and the producers' state the
// terraform_remote_state data sources read is in the role's own prefix. It does not include
// kms:Decrypt (the state key is granted below) nor secretsmanager:GetSecretValue, which no
// plan needs (no stack has a secret version resource or data source). The gitops stack's
// Kubernetes reads are not AWS calls: CI does not plan it (its endpoint is private).
// AdministratorAccess on the apply role: it creates IAM roles and policies, KMS keys, the
// cluster and its access entries, so a narrower policy would have to allow iam:CreateRole
// and iam:PutRolePolicy anyway (an escalation path) while breaking with every new resource;
// the roadmap's step is a permissions boundary on every role the stacks create, then a
// boundary-enforcing apply policy.
const (
	readOnlyPolicy = "ReadOnlyAccess"
	adminPolicy    = "AdministratorAccess"
)

// addGitHubOIDCProvider creates the provider, or takes the existing one. No thumbprint: since
// 6 July 2023 AWS verifies GitHub's issuer with its library of trusted root CAs, and a
// thumbprint, if given, is kept but not used (AWS's notice, quoted in aws/aws-sdk#563; IAM API
// reference CreateOpenIDConnectProvider: ThumbprintList is optional). The AWS provider made
// thumbprint_list optional (hashicorp/terraform-provider-aws#37255); in 5.100.0 its schema has
// it optional and computed (`terraform providers schema -json`), and rung 3 validates this.
func (b *Bootstrap) addGitHubOIDCProvider(p Props) {
	if p.GitHubOIDCProviderArn != "" {
		b.OIDCProviderArn = jsii.String(p.GitHubOIDCProviderArn)
		return
	}
	b.oidcProvider = iamopenidconnectprovider.NewIamOpenidConnectProvider(b.Construct, jsii.String("github"), &iamopenidconnectprovider.IamOpenidConnectProviderConfig{
		Url:          jsii.String("https://" + GitHubOIDCHost),
		ClientIdList: tfval.Strings(GitHubOIDCAudience),
		Tags:         tfval.Tags("Name", "github-actions"),
	})
	// The ARN is fixed by the URL (arn:aws:iam::ACCOUNT:oidc-provider/HOST): written out, the
	// trust policies are known at plan time, so the plan rules (and a reviewer) read them.
	b.OIDCProviderArn = jsii.String("arn:" + p.Partition + ":iam::" + p.AccountID + ":oidc-provider/" + GitHubOIDCHost)
}

// Subjects are the exact `sub` claims a role trusts (GitHub docs, "About security hardening
// with OpenID Connect", example subject claims): the plan role pull requests and main (the
// plan and drift jobs run outside any GitHub environment), the apply role only jobs in the
// environment's GitHub environment, whose protection rules (required reviewers, main only)
// then guard every apply.
func PlanSubjects(repository string) []string {
	return []string{"repo:" + repository + ":pull_request", "repo:" + repository + ":ref:refs/heads/main"}
}

func ApplySubjects(repository, environment string) []string {
	return []string{"repo:" + repository + ":environment:" + environment}
}

// githubTrust lets GitHub Actions of the given subjects assume a role: StringEquals on both
// sub and aud (never StringLike, never a wildcard, so no other repository or branch can).
func (b *Bootstrap) githubTrust(subjects []string) string {
	return iampolicy.New(iampolicy.Statement{
		Effect:    "Allow",
		Principal: map[string][]string{"Federated": {*b.OIDCProviderArn}},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: map[string]map[string]any{"StringEquals": {
			GitHubOIDCHost + ":aud": GitHubOIDCAudience,
			GitHubOIDCHost + ":sub": subjects,
		}},
	}).JSON()
}

// trustDeps: a role is created after the provider its trust policy names.
func (b *Bootstrap) trustDeps() *[]cdktf.ITerraformDependable {
	if b.oidcProvider == nil {
		return nil
	}
	return &[]cdktf.ITerraformDependable{b.oidcProvider}
}

// addRoles creates one environment's plan and apply roles.
func (b *Bootstrap) addRoles(p Props, e EnvironmentProps) {
	managed := func(name string) *string {
		return jsii.String("arn:" + p.Partition + ":iam::aws:policy/" + name)
	}
	plan := iamrole.NewIamRole(b.Construct, jsii.String(e.Name+"-plan"), &iamrole.IamRoleConfig{
		Name:               jsii.String(e.PlanRoleName),
		Description:        jsii.String("GitHub Actions plans of " + e.Name + " (" + p.GitHubRepository + "): read-only, state lock files"),
		AssumeRolePolicy:   jsii.String(b.githubTrust(PlanSubjects(p.GitHubRepository))),
		MaxSessionDuration: jsii.Number(3600),
		Tags:               tfval.Tags("Name", e.PlanRoleName, "environment", e.Name),
		DependsOn:          b.trustDeps(),
	})
	iamrolepolicyattachment.NewIamRolePolicyAttachment(b.Construct, jsii.String(e.Name+"-plan-read-only"), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
		Role: plan.Name(), PolicyArn: managed(readOnlyPolicy),
	})
	iamrolepolicy.NewIamRolePolicy(b.Construct, jsii.String(e.Name+"-plan-state"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("state"), Role: plan.Id(),
		Policy: jsii.String(b.planStatePolicy(p, e.Name).JSON()),
	})
	if e.PlanPolicy != nil {
		iamrolepolicy.NewIamRolePolicy(b.Construct, jsii.String(e.Name+"-plan-preflight"), &iamrolepolicy.IamRolePolicyConfig{
			Name: jsii.String("preflight"), Role: plan.Id(), Policy: jsii.String(e.PlanPolicy.JSON()),
		})
	}

	apply := iamrole.NewIamRole(b.Construct, jsii.String(e.Name+"-apply"), &iamrole.IamRoleConfig{
		Name:               jsii.String(e.ApplyRoleName),
		Description:        jsii.String("GitHub Actions applies of " + e.Name + " (" + p.GitHubRepository + ", GitHub environment " + e.Name + ")"),
		AssumeRolePolicy:   jsii.String(b.githubTrust(ApplySubjects(p.GitHubRepository, e.Name))),
		MaxSessionDuration: jsii.Number(ApplySessionSeconds),
		Tags:               tfval.Tags("Name", e.ApplyRoleName, "environment", e.Name),
		DependsOn:          b.trustDeps(),
	})
	iamrolepolicyattachment.NewIamRolePolicyAttachment(b.Construct, jsii.String(e.Name+"-apply-admin"), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
		Role: apply.Name(), PolicyArn: managed(adminPolicy),
	})
}

// planStatePolicy: the plan role reads its environment's state and writes only the S3 lock
// files Terraform creates beside it (<key>.tflock; Terraform S3 backend, "S3 State Locking":
// s3:PutObject and s3:DeleteObject on the lock file). ReadOnlyAccess would let it read every
// object of the account, so the other environments' state (which holds their Cognito client
// secrets) and the bootstrap stack's are denied explicitly.
func (b *Bootstrap) planStatePolicy(p Props, env string) iampolicy.Document {
	bucket := "arn:" + p.Partition + ":s3:::" + p.StateBucket
	own := p.StateKeyPrefix + "/" + env + "/"
	var others []string
	for _, o := range p.Environments {
		if o.Name != env {
			others = append(others, bucket+"/"+p.StateKeyPrefix+"/"+o.Name+"/*")
		}
	}
	others = append(others, bucket+"/"+p.StateKeyPrefix+"/bootstrap/*")
	return iampolicy.New(
		// Listing only its own prefix is enough for init: Terraform ignores AccessDenied on the
		// default workspace prefix env: (hashicorp/terraform#34511; stacks.addS3Backend sets none).
		iampolicy.Allow("ListOwnState", []string{"s3:ListBucket"}, []string{bucket}).
			When("StringLike", map[string]any{"s3:prefix": []string{own + "*"}}),
		iampolicy.Allow("ReadOwnState", []string{"s3:GetObject"}, []string{bucket + "/" + own + "*"}),
		iampolicy.Allow("LockOwnState", []string{"s3:PutObject", "s3:DeleteObject"}, []string{bucket + "/" + own + "*.tflock"}),
		// By the key's alias (kms:ResourceAliases, AWS KMS developer guide "ABAC for AWS KMS"),
		// so the policy is known at plan time; only this account's keys in the region.
		iampolicy.Allow("StateKey", []string{"kms:Decrypt", "kms:GenerateDataKey"},
			[]string{"arn:" + p.Partition + ":kms:" + p.Region + ":" + p.AccountID + ":key/*"}).
			When("ForAnyValue:StringEquals", map[string]any{"kms:ResourceAliases": p.StateKeyAlias}),
		// s3:GetObjectVersion too: ReadOnlyAccess's s3:Get* would read old versions.
		iampolicy.Statement{Sid: "NoOtherState", Effect: "Deny", Action: []string{"s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject"}, Resource: others},
	)
}
