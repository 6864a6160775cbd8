package database

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicy"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/secretsmanagersecret"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/secretsmanagersecretpolicy"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// AppSecretSuffix is the app secret's name after the environment's secrets prefix.
const AppSecretSuffix = "database/app"

// addCredentials creates the application's credentials secret (no value: the in-cluster
// bootstrap generates the password and writes the secret, so no password ever passes through
// Terraform, its state, git or CI logs) and the bootstrap's role.
func (d *Database) addCredentials() {
	d.AppSecretName = d.props.SecretsPrefix + AppSecretSuffix
	recovery := 30
	if !d.props.DeletionProtection {
		recovery = 0 // an environment that may be destroyed can reuse the name at once
	}
	secret := secretsmanagersecret.NewSecretsmanagerSecret(d.Construct, jsii.String("app-secret"), &secretsmanagersecret.SecretsmanagerSecretConfig{
		Name:                 jsii.String(d.AppSecretName),
		Description:          jsii.String("phl-store's own MySQL user: username, password, host, port, dbname (written by the database bootstrap)"),
		KmsKeyId:             d.KmsKey.Arn(),
		RecoveryWindowInDays: jsii.Number(recovery),
		Tags:                 tags("Name", d.AppSecretName),
	})
	d.AppSecretArn = secret.Arn()

	readers := []string{d.props.SecretReaderRoleArn, d.bootstrapRoleArn()}
	secretsmanagersecretpolicy.NewSecretsmanagerSecretPolicy(d.Construct, jsii.String("app-secret-policy"), &secretsmanagersecretpolicy.SecretsmanagerSecretPolicyConfig{
		SecretArn:         secret.Arn(),
		BlockPublicPolicy: jsii.Bool(true),
		// Denials by principal ARN (a condition, so the roles need not exist yet): only External
		// Secrets and the bootstrap read the value, only the bootstrap writes it.
		Policy: jsii.String(iampolicy.New(
			iampolicy.Statement{Sid: "OnlyExternalSecretsAndTheBootstrapRead", Effect: "Deny",
				Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"secretsmanager:GetSecretValue"}, Resource: []string{"*"},
				Condition: map[string]map[string]any{"ArnNotEquals": {"aws:PrincipalArn": readers}}},
			iampolicy.Statement{Sid: "OnlyTheBootstrapWrites", Effect: "Deny",
				Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}, Resource: []string{"*"},
				Condition: map[string]map[string]any{"ArnNotEquals": {"aws:PrincipalArn": d.bootstrapRoleArn()}}},
		).JSON()),
	})

	role := iamrole.NewIamRole(d.Construct, jsii.String("bootstrap-role"), &iamrole.IamRoleConfig{
		Name:             jsii.String(d.bootstrapRoleName()),
		Description:      jsii.String("Database bootstrap Job (Pod Identity " + BootstrapServiceAccount.Namespace + "/" + BootstrapServiceAccount.Name + ")"),
		AssumeRolePolicy: jsii.String(iampolicy.PodIdentityTrust(d.props.AccountID, d.props.EksClusterArn, BootstrapServiceAccount.Namespace, BootstrapServiceAccount.Name).JSON()),
	})
	d.BootstrapRoleArn = role.Arn()
	iamrolepolicy.NewIamRolePolicy(d.Construct, jsii.String("bootstrap-policy"), &iamrolepolicy.IamRolePolicyConfig{
		Name: jsii.String("database-bootstrap"),
		Role: role.Id(),
		Policy: jsii.String(iampolicy.New(
			iampolicy.Allow("ReadTheMasterSecret", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}, []string{*d.MasterSecretArn}),
			iampolicy.Allow("ManageTheAppSecret", []string{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
				"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"}, []string{*secret.Arn()}),
			iampolicy.Allow("UseTheDatabaseKeyThroughSecretsManager", []string{"kms:Decrypt", "kms:GenerateDataKey"}, []string{*d.KmsKey.Arn()}).
				When("StringEquals", map[string]any{"kms:ViaService": "secretsmanager." + d.props.Region + ".amazonaws.com"}),
		).JSON()),
	})
}

func (d *Database) bootstrapRoleName() string { return d.name("db-bootstrap") }

func (d *Database) bootstrapRoleArn() string {
	return "arn:" + d.props.Partition + ":iam::" + d.props.AccountID + ":role/" + d.bootstrapRoleName()
}
