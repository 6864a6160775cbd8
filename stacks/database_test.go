package stacks

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/database"
)

func synthDatabase(t *testing.T, env *config.Environment) *synthesized {
	return synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return Build(app, env, testArtifacts()).Database.TerraformStack
	})
}

func TestDatabaseClusterSettingsPerEnvironment(t *testing.T) {
	for _, name := range []string{"dev", "prod"} {
		env := shipped(t, name)
		d := env.Database
		s := synthDatabase(t, env)
		keyName, _ := s.only("aws_kms_key")
		keyArn := ref("aws_kms_key", keyName, "arn")
		_, c := s.only("aws_rds_cluster")
		want := map[string]any{
			"engine": "aurora-mysql", "engine_version": d.EngineVersion, "cluster_identifier": env.DatabaseClusterID(),
			"engine_lifecycle_support": "open-source-rds-extended-support-disabled",
			"storage_encrypted":        true, "kms_key_id": keyArn, "manage_master_user_password": true, "master_user_secret_kms_key_id": keyArn,
			"iam_database_authentication_enabled": true, "backup_retention_period": float64(d.BackupRetentionDays),
			"preferred_backup_window": d.BackupWindow, "preferred_maintenance_window": d.MaintenanceWindow,
			"copy_tags_to_snapshot": true, "deletion_protection": d.DeletionProtection, "skip_final_snapshot": !d.FinalSnapshot,
			"database_name": d.DatabaseName, "port": float64(3306),
		}
		for k, v := range want {
			if c[k] != v {
				t.Errorf("%s: %s = %v; want %v", name, k, c[k], v)
			}
		}
		if c["master_password"] != nil {
			t.Errorf("%s: a master password is in the configuration", name)
		}
		// Unique per cluster: the creation time, kept by ignore_changes (timestamp() would
		// change it on every plan); without a final snapshot there is no identifier at all.
		wantID := env.FinalSnapshotPrefix() + `${formatdate("` + database.FinalSnapshotTimeFormat + `", timestamp())}`
		lifecycle, _ := c["lifecycle"].(map[string]any)
		if d.FinalSnapshot && (c["final_snapshot_identifier"] != wantID || fmt.Sprint(lifecycle["ignore_changes"]) != "[final_snapshot_identifier]") {
			t.Errorf("%s: final_snapshot_identifier = %v, lifecycle %v; want %s, ignored after create", name, c["final_snapshot_identifier"], lifecycle, wantID)
		}
		if !d.FinalSnapshot && (c["final_snapshot_identifier"] != nil || lifecycle != nil) {
			t.Errorf("%s: final_snapshot_identifier = %v, lifecycle %v without a final snapshot", name, c["final_snapshot_identifier"], lifecycle)
		}
		// Upgrades: a major one may move the instances to the new family's group; cluster
		// changes run when deployed; Database Insights stays where it was set.
		ipgName, _ := s.only("aws_db_parameter_group")
		if c["allow_major_version_upgrade"] != true || c["db_instance_parameter_group_name"] != ref("aws_db_parameter_group", ipgName, "name") ||
			c["apply_immediately"] != true || c["database_insights_mode"] != database.DatabaseInsightsMode {
			t.Errorf("%s: allow_major_version_upgrade %v, db_instance_parameter_group_name %v, apply_immediately %v, database_insights_mode %v",
				name, c["allow_major_version_upgrade"], c["db_instance_parameter_group_name"], c["apply_immediately"], c["database_insights_mode"])
		}
		// docs/database.md "Rebuilding prod within 30 days": a kept environment's app secret outlives a
		// destroy by 30 days, a disposable one's not at all.
		_, secret := s.only("aws_secretsmanager_secret")
		if wantDays := map[bool]float64{true: 30, false: 0}[d.DeletionProtection]; secret["recovery_window_in_days"] != wantDays {
			t.Errorf("%s: app secret recovery window %v; want %v", name, secret["recovery_window_in_days"], wantDays)
		}
		if name == "prod" && (!d.DeletionProtection || !d.FinalSnapshot || d.BackupRetentionDays < 30) {
			t.Errorf("prod ships without its protections: %+v", d)
		}

		instances := s.resources("aws_rds_cluster_instance")
		azs := map[any]bool{}
		for _, i := range instances {
			azs[i["availability_zone"]] = true
			if i["publicly_accessible"] != false || i["instance_class"] != d.InstanceClass || i["ca_cert_identifier"] != database.CACertIdentifier ||
				i["monitoring_interval"] != float64(60) {
				t.Errorf("%s: instance %v", name, i)
			}
			if d.PerformanceInsights && (i["performance_insights_enabled"] != true || i["performance_insights_kms_key_id"] != keyArn) {
				t.Errorf("%s: Performance Insights %v with key %v", name, i["performance_insights_enabled"], i["performance_insights_kms_key_id"])
			}
		}
		if len(instances) != d.Readers+1 || (d.Readers > 0 && len(azs) < 2) {
			t.Errorf("%s: %d instances in AZs %v; want a writer and %d reader(s) in another AZ", name, len(instances), azs, d.Readers)
		}
		targets := s.resources("aws_appautoscaling_target")
		if d.MaxReaders > d.Readers {
			for _, tg := range targets {
				if tg["min_capacity"] != float64(d.Readers) || tg["max_capacity"] != float64(d.MaxReaders) ||
					tg["scalable_dimension"] != "rds:cluster:ReadReplicaCount" || tg["resource_id"] != "cluster:"+env.DatabaseClusterID() {
					t.Errorf("%s: autoscaling target %v", name, tg)
				}
			}
			_, policy := s.only("aws_appautoscaling_policy")
			if !containsAll(fmt.Sprint(policy["target_tracking_scaling_policy_configuration"]), "RDSReaderAverageCPUUtilization", fmt.Sprint(d.ReaderTargetCPU)) {
				t.Errorf("%s: scaling policy %v", name, policy)
			}
		}
		if len(targets) != map[bool]int{true: 1, false: 0}[d.MaxReaders > d.Readers] {
			t.Errorf("%s: %d autoscaling targets", name, len(targets))
		}
	}
}

// TLS is required, and the logs the cluster exports exist first (encrypted, with retention),
// with the parameters that make Aurora write them; the parameter groups are named by prefix in
// the engine version's family and replaced before the old ones go.
func TestDatabaseTLSAndLogs(t *testing.T) {
	env := shipped(t, "prod")
	s := synthDatabase(t, env)
	_, c := s.only("aws_rds_cluster")
	family, err := database.ParameterGroupFamily(env.Database.EngineVersion)
	if err != nil || family != "aurora-mysql8.0" {
		t.Fatalf("family of %s = %q, %v", env.Database.EngineVersion, family, err)
	}
	pgName, pg := s.only("aws_rds_cluster_parameter_group")
	ipgName, ipg := s.only("aws_db_parameter_group")
	if c["db_cluster_parameter_group_name"] != ref("aws_rds_cluster_parameter_group", pgName, "name") {
		t.Errorf("cluster parameter group %v", c["db_cluster_parameter_group_name"])
	}
	for _, i := range s.resources("aws_rds_cluster_instance") {
		if i["db_parameter_group_name"] != ref("aws_db_parameter_group", ipgName, "name") {
			t.Errorf("instance parameter group %v", i["db_parameter_group_name"])
		}
	}
	for kind, g := range map[string]map[string]any{"cluster": pg, "instance": ipg} {
		lifecycle, _ := g["lifecycle"].(map[string]any)
		if g["family"] != family || g["name"] != nil || g["name_prefix"] != env.DatabaseClusterID()+"-"+kind+"-" || lifecycle["create_before_destroy"] != true {
			t.Errorf("%s parameter group: family %v, name %v, name_prefix %v, lifecycle %v; want %s, a prefix, create_before_destroy",
				kind, g["family"], g["name"], g["name_prefix"], lifecycle, family)
		}
	}
	params := map[string]string{}
	for _, group := range []map[string]any{pg, ipg} {
		for _, p := range group["parameter"].([]any) {
			m := p.(map[string]any)
			params[fmt.Sprint(m["name"])] = fmt.Sprint(m["value"])
		}
	}
	for k, v := range map[string]string{"require_secure_transport": "ON", "server_audit_logging": "1", "slow_query_log": "1", "long_query_time": "2"} {
		if params[k] != v {
			t.Errorf("parameter %s = %q; want %q", k, params[k], v)
		}
	}
	// Engine defaults (FILE output, TLS 1.2 and 1.3) are left out: set, they never leave the plan.
	for _, k := range []string{"log_output", "tls_version"} {
		if v, ok := params[k]; ok {
			t.Errorf("parameter %s = %q is set; it is the engine default", k, v)
		}
	}
	if fmt.Sprint(c["enabled_cloudwatch_logs_exports"]) != fmt.Sprint(database.LogExports) {
		t.Errorf("exports %v", c["enabled_cloudwatch_logs_exports"])
	}
	keyName, _ := s.only("aws_kms_key")
	for name, g := range s.resources("aws_cloudwatch_log_group") {
		if !strings.HasPrefix(fmt.Sprint(g["name"]), "/aws/rds/cluster/"+env.DatabaseClusterID()+"/") || g["kms_key_id"] != ref("aws_kms_key", keyName, "arn") ||
			g["retention_in_days"] != float64(env.Database.LogRetentionDays) {
			t.Errorf("log group %v", g)
		}
		if !strings.Contains(fmt.Sprint(c["depends_on"]), "aws_cloudwatch_log_group."+name) {
			t.Errorf("the cluster does not wait for log group %s", g["name"])
		}
	}
	if n := len(s.resources("aws_cloudwatch_log_group")); n != len(database.LogExports) {
		t.Errorf("%d log groups; want one per export", n)
	}
}

func onlyOf(s *synthesized, typ string) map[string]any {
	_, r := s.only(typ)
	return r
}

// Only members of the network's database-clients group reach 3306; the pods carry it through
// the ENIConfig; the database has no egress and no CIDR rule.
func TestDatabaseReachableOnlyFromDatabaseClients(t *testing.T) {
	env := shipped(t, "dev")
	s := synthDatabase(t, env)
	sgName, sg := s.only("aws_security_group")
	if sg["egress"] != nil || sg["ingress"] != nil {
		t.Errorf("database group has inline rules: %v", sg)
	}
	_, rule := s.only("aws_vpc_security_group_ingress_rule")
	if rule["security_group_id"] != ref("aws_security_group", sgName, "id") || rule["from_port"] != float64(3306) || rule["to_port"] != float64(3306) ||
		rule["cidr_ipv4"] != nil || !strings.Contains(fmt.Sprint(rule["referenced_security_group_id"]), "network_database-clients-sg") {
		t.Errorf("MySQL rule = %v", rule)
	}
	if n := len(s.resources("aws_vpc_security_group_egress_rule")); n != 0 {
		t.Errorf("%d egress rules on the database", n)
	}
	_, subnets := s.only("aws_db_subnet_group")
	// Cross-stack references stay unresolved in a single-stack synth: they name the network's
	// resources (rungs 3 and 4 prove the remote-state form).
	if ids := asStrings(subnets["subnet_ids"]); len(ids) != len(env.AvailabilityZones) || !strings.Contains(fmt.Sprint(ids), "network_database-") {
		t.Errorf("subnet group = %v; want the network's database subnets", subnets["subnet_ids"])
	}

	cl := synthCluster(t, env)
	_, cni := cl.named("aws_eks_addon", "addon_name", "vpc-cni")
	if !strings.Contains(fmt.Sprint(cni["configuration_values"]), "network_database-clients-sg") {
		t.Error("pods do not carry the database-clients group (ENIConfig securityGroups)")
	}
	net := synthNetwork(t, env)
	clientsName, clients := net.named("aws_security_group", "name", "phl-dev-database-clients")
	if clients["ingress"] != nil || clients["egress"] != nil || tagsOf(clients)["kubernetes.io/cluster/"+env.ClusterName()] != nil {
		t.Errorf("database-clients group = %v; want no rules and no cluster tag", clients)
	}
	for _, r := range append(mapValues(net.resources("aws_vpc_security_group_ingress_rule")), mapValues(net.resources("aws_vpc_security_group_egress_rule"))...) {
		if r["security_group_id"] == ref("aws_security_group", clientsName, "id") {
			t.Errorf("database-clients group has a rule: %v", r)
		}
	}
}

func mapValues(m map[string]map[string]any) []map[string]any {
	var out []map[string]any
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

// The app's secret: under the External Secrets prefix, the stack's key, readable only by
// External Secrets and the bootstrap (by ARN condition, so the database need not wait for the
// cluster), writable only by the bootstrap; the bootstrap role is scoped to its two secrets.
func TestAppCredentialsSecretAndBootstrapRole(t *testing.T) {
	env := shipped(t, "dev")
	s := synthDatabase(t, env)
	keyName, key := s.only("aws_kms_key")
	secretName, secret := s.only("aws_secretsmanager_secret")
	if secret["name"] != env.SecretsPrefix()+database.AppSecretSuffix || secret["kms_key_id"] != ref("aws_kms_key", keyName, "arn") {
		t.Errorf("app secret = %v", secret)
	}
	if n := len(s.resources("aws_secretsmanager_secret_version")); n != 0 {
		t.Errorf("%d secret versions in Terraform: the password must never pass through state", n)
	}
	esoArn := env.RoleArn(cluster.ExternalSecretsRoleName(env.ClusterName()))
	bootstrapArn := env.RoleArn(env.DatabaseClusterID() + "-db-bootstrap")
	_, policy := s.only("aws_secretsmanager_secret_policy")
	if policy["block_public_policy"] != true || policy["secret_arn"] != ref("aws_secretsmanager_secret", secretName, "arn") {
		t.Errorf("secret policy = %v", policy)
	}
	stmts := policyStatements(t, policy["policy"])
	if len(stmts) != 2 || !containsAll(fmt.Sprint(stmts[0]), "Deny", "secretsmanager:GetSecretValue", "ArnNotEquals", esoArn, bootstrapArn) ||
		!containsAll(fmt.Sprint(stmts[1]), "Deny", "secretsmanager:PutSecretValue", bootstrapArn) || strings.Contains(fmt.Sprint(stmts[1]), esoArn) {
		t.Errorf("secret policy statements = %v", stmts)
	}
	keyPolicy := fmt.Sprint(policyStatements(t, key["policy"]))
	if !containsAll(keyPolicy, "kms:ViaService:secretsmanager."+env.Region+".amazonaws.com", esoArn, bootstrapArn, "/aws/rds/cluster/"+env.DatabaseClusterID()+"/") {
		t.Errorf("key policy = %s", keyPolicy)
	}

	// The cluster stack names its External Secrets role as the database assumes.
	cl := synthCluster(t, env)
	if _, eso := cl.named("aws_iam_role", "name", cluster.ExternalSecretsRoleName(env.ClusterName())); eso == nil {
		t.Error("the cluster has no role with the name the database's policies name")
	}

	roleName, role := s.named("aws_iam_role", "name", env.DatabaseClusterID()+"-db-bootstrap")
	assertPodIdentityTrust(t, env, role, cluster.ServiceAccount{Namespace: database.BootstrapServiceAccount.Namespace, Name: database.BootstrapServiceAccount.Name})
	_, inline := s.named("aws_iam_role_policy", "role", ref("aws_iam_role", roleName, "id"))
	grants := map[string][]string{}
	for _, st := range policyStatements(t, inline["policy"]) {
		for _, a := range asStrings(st["Action"]) {
			grants[a] = append(grants[a], asStrings(st["Resource"])...)
		}
	}
	if !strings.Contains(fmt.Sprint(grants["secretsmanager:GetSecretValue"]), "master_user_secret") ||
		fmt.Sprint(grants["secretsmanager:PutSecretValue"]) != "["+ref("aws_secretsmanager_secret", secretName, "arn")+"]" {
		t.Errorf("bootstrap grants = %v", grants)
	}
	for a, resources := range grants {
		for _, r := range resources {
			if r == "*" {
				t.Errorf("bootstrap may %s on *", a)
			}
		}
	}
}

// The association that needs both the cluster and the database lives in the GitOps stack.
func TestBootstrapAssociationInTheGitopsStack(t *testing.T) {
	env := shipped(t, "dev")
	s := synthStack(t, func(app constructs.Construct) cdktf.TerraformStack {
		return Build(app, env, testArtifacts()).Gitops.TerraformStack
	})
	_, a := s.only("aws_eks_pod_identity_association")
	if a["namespace"] != database.BootstrapServiceAccount.Namespace || a["service_account"] != database.BootstrapServiceAccount.Name ||
		!strings.Contains(fmt.Sprint(a["role_arn"]), "aurora_bootstrap-role") || !strings.Contains(fmt.Sprint(a["cluster_name"]), "eks_cluster") {
		t.Errorf("association = %v", a)
	}
}

func TestDatabaseOutputs(t *testing.T) {
	assertOutputs(t, synthDatabase(t, shipped(t, "dev")), "writer_endpoint", "reader_endpoint", "port", "database_name", "cluster_identifier",
		"master_secret_arn", "app_secret_arn", "app_secret_name", "database_security_group_id", "bootstrap_role_arn", "kms_key_arn")
}
