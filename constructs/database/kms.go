package database

import (
	"github.com/phl-platform/phl-platform/internal/iampolicy"
	"github.com/phl-platform/phl-platform/internal/kmskeys"
)

// addKmsKey creates the database's key: storage, Performance Insights, the master and app
// secrets, and the exported log groups.
func (d *Database) addKmsKey() {
	policy := iampolicy.New(
		// RDS and Secrets Manager use the key on behalf of the caller (deployer, bootstrap,
		// External Secrets), whose IAM policies grant it.
		iampolicy.KeyAdministeredByAccount(d.props.Partition, d.props.AccountID),
		iampolicy.LogsMayUseKey("CloudWatchLogsEncryptsTheDatabaseLogs", d.props.Region, d.arn("logs", "log-group:"+d.logGroupPrefix()+"*")),
		// The app secret's readers (External Secrets, the bootstrap) may use the key only through
		// Secrets Manager: a Deny, since the statement above already lets IAM policies grant
		// anything. Named by condition, not as principals: KMS rejects a policy naming a role
		// that does not exist yet (MalformedPolicyDocumentException), and the External Secrets
		// role belongs to the cluster stack, which deploys in parallel.
		iampolicy.Statement{Sid: "SecretReadersUseTheKeyOnlyThroughSecretsManager", Effect: "Deny",
			Principal: map[string][]string{"AWS": {"*"}}, Action: []string{"kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}, Resource: []string{"*"},
			Condition: map[string]map[string]any{
				"ArnEquals":       {"aws:PrincipalArn": []string{d.props.SecretReaderRoleArn, d.bootstrapRoleArn()}},
				"StringNotEquals": {"kms:ViaService": "secretsmanager." + d.props.Region + ".amazonaws.com"},
			}},
	)
	d.KmsKey = kmskeys.New(d.Construct, d.name("database"), "Aurora "+d.props.Name+": storage, Performance Insights, secrets, logs", policy)
}

// logGroupPrefix is where RDS exports this cluster's logs: /aws/rds/cluster/<id>/<type>.
func (d *Database) logGroupPrefix() string { return "/aws/rds/cluster/" + d.props.Name + "/" }
