package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/database"
	"github.com/phl-platform/phl-platform/constructs/network"
)

// DatabaseStack is "<env>-database": Aurora MySQL and the app's credentials secret. It reads
// only the network stack's outputs, so it deploys in parallel with the cluster; what it needs
// of the cluster (its ARN, the External Secrets role) is derived from config.
type DatabaseStack struct {
	cdktf.TerraformStack
	Database *database.Database
}

// NewDatabaseStack creates the environment's database stack on top of its network.
func NewDatabaseStack(scope constructs.Construct, env *config.Environment, net *network.Network) *DatabaseStack {
	stack := newStack(scope, env, "database")
	d := env.Database
	db := database.New(stack, "aurora", database.Props{
		Name:                  env.DatabaseClusterID(),
		AccountID:             env.AccountID,
		Region:                env.Region,
		Partition:             env.Partition,
		AvailabilityZones:     env.AvailabilityZones,
		VpcID:                 net.VpcID,
		SubnetIDs:             net.DatabaseSubnetIDs,
		ClientSecurityGroupID: net.DatabaseClientsSecurityGroupID,
		EngineVersion:         d.EngineVersion,
		InstanceClass:         d.InstanceClass,
		ServerlessMinACU:      d.ServerlessMinACU,
		ServerlessMaxACU:      d.ServerlessMaxACU,
		Readers:               d.Readers,
		MaxReaders:            d.MaxReaders,
		ReaderTargetCPU:       d.ReaderTargetCPU,
		BackupRetentionDays:   d.BackupRetentionDays,
		BackupWindow:          d.BackupWindow,
		MaintenanceWindow:     d.MaintenanceWindow,
		DeletionProtection:    d.DeletionProtection && !env.Teardown, // lifted by a confirmed teardown (config/teardown.go); the final snapshot stays
		FinalSnapshot:         d.FinalSnapshot,
		DatabaseName:          d.DatabaseName,
		LogRetentionDays:      d.LogRetentionDays,
		PerformanceInsights:   d.PerformanceInsights,
		SecretsPrefix:         env.SecretsPrefix(),
		EksClusterArn:         env.ClusterArn(),
		SecretReaderRoleArn:   env.RoleArn(cluster.ExternalSecretsRoleName(env.ClusterName())),
	})

	output(stack, "writer_endpoint", "Aurora writer endpoint (the app connects here)", db.Cluster.Endpoint())
	output(stack, "reader_endpoint", "Aurora reader endpoint", db.Cluster.ReaderEndpoint())
	output(stack, "port", "MySQL port", db.Cluster.Port())
	output(stack, "database_name", "The app's database", db.Cluster.DatabaseName())
	output(stack, "cluster_identifier", "Aurora cluster identifier", db.Cluster.ClusterIdentifier())
	output(stack, "master_secret_arn", "ARN of the RDS-managed master user secret (the value stays in Secrets Manager)", db.MasterSecretArn)
	output(stack, "app_secret_arn", "ARN of the app user's secret (written by the database bootstrap)", db.AppSecretArn)
	output(stack, "app_secret_name", "Name of the app user's secret (External Secrets reads it)", db.AppSecretName)
	output(stack, "database_security_group_id", "The database's security group", db.SecurityGroupID)
	output(stack, "bootstrap_role_arn", "Role of the database bootstrap Job (Pod Identity)", db.BootstrapRoleArn)
	output(stack, "bootstrap_repository_url", "ECR repository of the database bootstrap's image (tools/image pushes it)", db.BootstrapRepositoryURL)
	output(stack, "kms_key_arn", "The database's KMS key (storage, secrets, logs)", db.KmsKey.Arn())
	return &DatabaseStack{TerraformStack: stack, Database: db}
}
