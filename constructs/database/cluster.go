package database

import (
	"fmt"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/dbparametergroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrole"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/iamrolepolicyattachment"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterinstance"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/rdsclusterparametergroup"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// CACertIdentifier is the certificate authority of the instances' server certificates.
const CACertIdentifier = "rds-ca-rsa2048-g1"

// addCluster creates the parameter groups, the log groups RDS exports to, the enhanced
// monitoring role, the Aurora cluster and its instances (a writer and Props.Readers readers,
// one per AZ in turn, so the writer and its first reader are never in the same AZ).
func (d *Database) addCluster() {
	family, err := ParameterGroupFamily(d.props.EngineVersion)
	if err != nil {
		panic(err) // validate() checked it
	}
	// Named by prefix and replaced before the old one is deleted: a major upgrade changes the
	// family, which replaces both groups while the cluster still uses them (AWS provider docs,
	// aws_db_parameter_group, "create_before_destroy Lifecycle Configuration").
	replaceFirst := func() *cdktf.TerraformResourceLifecycle {
		return &cdktf.TerraformResourceLifecycle{CreateBeforeDestroy: jsii.Bool(true)}
	}
	params := bindParameters(ClusterParameters, func(name, value, method *string) *rdsclusterparametergroup.RdsClusterParameterGroupParameter {
		return &rdsclusterparametergroup.RdsClusterParameterGroupParameter{Name: name, Value: value, ApplyMethod: method}
	})
	clusterParams := rdsclusterparametergroup.NewRdsClusterParameterGroup(d.Construct, jsii.String("cluster-parameters"), &rdsclusterparametergroup.RdsClusterParameterGroupConfig{
		NamePrefix:  jsii.String(d.name("cluster") + "-"),
		Family:      jsii.String(family),
		Description: jsii.String("Aurora MySQL " + d.props.Name + ": TLS required, advanced auditing"),
		Parameter:   &params,
		Tags:        tags("Name", d.name("cluster")),
		Lifecycle:   replaceFirst(),
	})
	iparams := bindParameters(InstanceParameters, func(name, value, method *string) *dbparametergroup.DbParameterGroupParameter {
		return &dbparametergroup.DbParameterGroupParameter{Name: name, Value: value, ApplyMethod: method}
	})
	instanceParams := dbparametergroup.NewDbParameterGroup(d.Construct, jsii.String("instance-parameters"), &dbparametergroup.DbParameterGroupConfig{
		NamePrefix:  jsii.String(d.name("instance") + "-"),
		Family:      jsii.String(family),
		Description: jsii.String("Aurora MySQL " + d.props.Name + " instances: slow query log"),
		Parameter:   &iparams,
		Tags:        tags("Name", d.name("instance")),
		Lifecycle:   replaceFirst(),
	})

	var logGroups []cdktf.ITerraformDependable
	for _, kind := range LogExports {
		logGroups = append(logGroups, cloudwatchloggroup.NewCloudwatchLogGroup(d.Construct, jsii.String("log-"+kind), &cloudwatchloggroup.CloudwatchLogGroupConfig{
			Name:            jsii.String(d.logGroupPrefix() + kind),
			RetentionInDays: jsii.Number(d.props.LogRetentionDays),
			KmsKeyId:        d.KmsKey.Arn(),
			Tags:            tags("Name", d.name(kind)),
		}))
	}

	cfg := &rdscluster.RdsClusterConfig{
		ClusterIdentifier: jsii.String(d.props.Name),
		Engine:            jsii.String("aurora-mysql"),
		EngineVersion:     jsii.String(d.props.EngineVersion),
		// No paid RDS Extended Support: upgrade before the version's end of standard support.
		EngineLifecycleSupport:           jsii.String("open-source-rds-extended-support-disabled"),
		DatabaseName:                     jsii.String(d.props.DatabaseName),
		MasterUsername:                   jsii.String(d.props.MasterUsername),
		ManageMasterUserPassword:         jsii.Bool(true),
		MasterUserSecretKmsKeyId:         d.KmsKey.Arn(),
		IamDatabaseAuthenticationEnabled: jsii.Bool(true),
		Port:                             jsii.Number(Port),
		DbSubnetGroupName:                d.subnetGroupName,
		VpcSecurityGroupIds:              &[]*string{d.SecurityGroupID},
		DbClusterParameterGroupName:      clusterParams.Name(),
		// A major version upgrade (a new family in config.AuroraMySQLVersions) is allowed and
		// hands the instances their new group in the same call: RDS rejects a major upgrade
		// while instances keep a custom group of the old family. The provider drops the
		// instance group from other modifications (AWS provider docs, aws_rds_cluster
		// db_instance_parameter_group_name). Versions come only from that reviewed list.
		AllowMajorVersionUpgrade:     jsii.Bool(true),
		DbInstanceParameterGroupName: instanceParams.Name(),
		// Cluster changes (an engine upgrade above all) happen when they are deployed, not at
		// the next maintenance window: a deferred major upgrade would leave the old groups in
		// use when Terraform deletes them, and what was planned is what runs.
		ApplyImmediately:             jsii.Bool(true),
		DatabaseInsightsMode:         jsii.String(DatabaseInsightsMode),
		StorageEncrypted:             jsii.Bool(true),
		KmsKeyId:                     d.KmsKey.Arn(),
		BackupRetentionPeriod:        jsii.Number(d.props.BackupRetentionDays),
		PreferredBackupWindow:        jsii.String(d.props.BackupWindow),
		PreferredMaintenanceWindow:   jsii.String(d.props.MaintenanceWindow),
		CopyTagsToSnapshot:           jsii.Bool(true),
		DeletionProtection:           jsii.Bool(d.props.DeletionProtection),
		SkipFinalSnapshot:            jsii.Bool(!d.props.FinalSnapshot),
		EnabledCloudwatchLogsExports: strs(LogExports...),
		Tags:                         tags("Name", d.props.Name),
		// Created before the cluster, so RDS never makes unencrypted groups of its own.
		DependsOn: &logGroups,
	}
	if d.props.FinalSnapshot {
		// Unique per cluster: its creation time, fixed at create by ignore_changes (timestamp()
		// changes on every run) and new for a replacement, which is planned from the
		// configuration. RDS reads it from the state when the cluster is deleted, so a second
		// teardown no longer fails with DBClusterSnapshotAlreadyExistsFault.
		cfg.FinalSnapshotIdentifier = jsii.String(d.name("final") + "-" + *cdktf.Fn_Formatdate(jsii.String(FinalSnapshotTimeFormat), cdktf.Fn_Timestamp()))
		cfg.Lifecycle = &cdktf.TerraformResourceLifecycle{IgnoreChanges: &[]*string{jsii.String("final_snapshot_identifier")}}
		// Keep the automated backups (point-in-time recovery) after a deletion too.
		cfg.DeleteAutomatedBackups = jsii.Bool(false)
	}
	if d.props.InstanceClass == ServerlessClass {
		cfg.Serverlessv2ScalingConfiguration = &rdscluster.RdsClusterServerlessv2ScalingConfiguration{
			MinCapacity: jsii.Number(d.props.ServerlessMinACU),
			MaxCapacity: jsii.Number(d.props.ServerlessMaxACU),
		}
	}
	d.Cluster = rdscluster.NewRdsCluster(d.Construct, jsii.String("cluster"), cfg)
	d.MasterSecretArn = d.Cluster.MasterUserSecret().Get(jsii.Number(0)).SecretArn()

	monitoring, monitoringReady := d.monitoringRole()
	for i := 0; i <= d.props.Readers; i++ {
		inst := &rdsclusterinstance.RdsClusterInstanceConfig{
			Identifier:           jsii.String(d.name(fmt.Sprint(i + 1))),
			ClusterIdentifier:    d.Cluster.Id(),
			Engine:               d.Cluster.Engine(),
			EngineVersion:        d.Cluster.EngineVersion(),
			InstanceClass:        jsii.String(d.props.InstanceClass),
			AvailabilityZone:     jsii.String(d.props.AvailabilityZones[i%len(d.props.AvailabilityZones)]),
			DbParameterGroupName: instanceParams.Name(),
			PubliclyAccessible:   jsii.Bool(false),
			// The engine version is pinned in config (an LTS minor); AWS advises against
			// automatic minor upgrades for LTS, and they would drift from the pin.
			AutoMinorVersionUpgrade: jsii.Bool(false),
			// The CA that rotates its server certificates automatically; the chart mounts the
			// RDS bundle that verifies it.
			CaCertIdentifier:   jsii.String(CACertIdentifier),
			CopyTagsToSnapshot: jsii.Bool(true),
			PromotionTier:      jsii.Number(min(i, 1)),
			MonitoringInterval: jsii.Number(60),
			MonitoringRoleArn:  monitoring.Arn(),
			// RDS checks the role's permissions when the instance is created.
			DependsOn: &[]cdktf.ITerraformDependable{monitoringReady},
			// Patching in the cluster's window, not one AWS picks per instance.
			PreferredMaintenanceWindow: jsii.String(d.props.MaintenanceWindow),
			Tags:                       tags("Name", d.name(fmt.Sprint(i+1))),
		}
		if d.props.PerformanceInsights {
			inst.PerformanceInsightsEnabled = jsii.Bool(true)
			inst.PerformanceInsightsKmsKeyId = d.KmsKey.Arn()
			inst.PerformanceInsightsRetentionPeriod = jsii.Number(7) // the free tier
		}
		d.instances = append(d.instances, rdsclusterinstance.NewRdsClusterInstance(d.Construct, jsii.String(fmt.Sprintf("instance-%d", i+1)), inst))
	}
}

// bindParameters turns parameters into a parameter group binding's own type.
func bindParameters[T any](ps []Parameter, bind func(name, value, method *string) T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = bind(jsii.String(p.Name), jsii.String(p.Value), jsii.String(p.ApplyMethod))
	}
	return out
}

// monitoringRole lets RDS enhanced monitoring publish OS metrics (AWS managed policy); it
// returns the role and its policy attachment, which instances must wait for.
func (d *Database) monitoringRole() (iamrole.IamRole, cdktf.ITerraformDependable) {
	role := iamrole.NewIamRole(d.Construct, jsii.String("monitoring-role"), &iamrole.IamRoleConfig{
		Name: jsii.String(d.name("rds-monitoring")),
		AssumeRolePolicy: jsii.String(iampolicy.ServiceTrust("monitoring.rds.amazonaws.com", iampolicy.AssumeRole,
			iampolicy.SourceConditions(d.props.AccountID, "")).JSON()),
	})
	attachment := iamrolepolicyattachment.NewIamRolePolicyAttachment(d.Construct, jsii.String("monitoring-policy"), &iamrolepolicyattachment.IamRolePolicyAttachmentConfig{
		Role:      role.Name(),
		PolicyArn: jsii.String("arn:" + d.props.Partition + ":iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
	})
	return role, attachment
}
