package planassert

import (
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
)

const testDBID = "phl-dev"

func goodDatabase() *fakePlan {
	f := &fakePlan{}
	f.add("aws_kms_key", "k", map[string]any{"enable_key_rotation": true}, nil)
	var groups []string
	for _, kind := range []string{"audit", "error", "slowquery"} {
		f.add("aws_cloudwatch_log_group", kind, map[string]any{"name": "/aws/rds/cluster/" + testDBID + "/" + kind},
			map[string][]string{"kms_key_id": {"aws_kms_key.k.arn", "aws_kms_key.k"}})
		groups = append(groups, "aws_cloudwatch_log_group."+kind)
	}
	f.add("aws_rds_cluster_parameter_group", "pg", map[string]any{"name_prefix": "phl-dev-cluster-", "family": "aurora-mysql8.0", "parameter": []any{
		map[string]any{"name": "require_secure_transport", "value": "ON"}, map[string]any{"name": "server_audit_logging", "value": "1"}}}, nil)
	f.add("aws_db_parameter_group", "ipg", map[string]any{"name_prefix": "phl-dev-instance-", "family": "aurora-mysql8.0", "parameter": []any{
		map[string]any{"name": "slow_query_log", "value": "1"}, map[string]any{"name": "long_query_time", "value": "2"}}}, nil)
	f.add("aws_security_group", "db", map[string]any{}, nil)
	f.add("aws_vpc_security_group_ingress_rule", "mysql", map[string]any{"referenced_security_group_id": "sg-0123", "from_port": 3306.0, "to_port": 3306.0},
		map[string][]string{"security_group_id": {"aws_security_group.db.id", "aws_security_group.db"}})
	f.add("aws_rds_cluster", "c", map[string]any{
		"storage_encrypted": true, "manage_master_user_password": true, "iam_database_authentication_enabled": true,
		"enabled_cloudwatch_logs_exports": []any{"audit", "error", "slowquery"}, "backup_retention_period": 30.0,
		"deletion_protection": true, "skip_final_snapshot": false, "copy_tags_to_snapshot": true,
		"engine_version": "8.0.mysql_aurora.3.10.4", "allow_major_version_upgrade": true, "database_insights_mode": "standard",
	}, map[string][]string{
		"db_instance_parameter_group_name": {"aws_db_parameter_group.ipg.name", "aws_db_parameter_group.ipg"},
		"kms_key_id":                       {"aws_kms_key.k.arn", "aws_kms_key.k"}, "master_user_secret_kms_key_id": {"aws_kms_key.k.arn", "aws_kms_key.k"},
		"db_cluster_parameter_group_name": {"aws_rds_cluster_parameter_group.pg.name", "aws_rds_cluster_parameter_group.pg"},
		"vpc_security_group_ids":          {"aws_security_group.db.id", "aws_security_group.db"},
	})
	f.dependsOn("aws_rds_cluster.c", groups...)
	// As an offline plan of cdk.tf.json shows it: the template's raw text as constant_value (a
	// JSON expression evaluated without context), no reference, known only after apply.
	f.expr("aws_rds_cluster.c", "final_snapshot_identifier", tfjson.ExpressionData{ConstantValue: `phl-dev-final-${formatdate("YYYYMMDDhhmmss", timestamp())}`})
	f.unknown("aws_rds_cluster.c", "final_snapshot_identifier")
	for i, az := range []string{"a", "b"} {
		f.add("aws_rds_cluster_instance", "i"+az, map[string]any{"publicly_accessible": false, "availability_zone": "ap-southeast-1" + az,
			"performance_insights_enabled": i == 0}, map[string][]string{"performance_insights_kms_key_id": {"aws_kms_key.k.arn"},
			"db_parameter_group_name": {"aws_db_parameter_group.ipg.name", "aws_db_parameter_group.ipg"}})
	}
	f.add("aws_appautoscaling_target", "t", map[string]any{"scalable_dimension": "rds:cluster:ReadReplicaCount", "min_capacity": 1.0, "max_capacity": 3.0}, nil)
	f.add("aws_appautoscaling_policy", "p", map[string]any{}, nil)
	f.add("aws_secretsmanager_secret", "app", map[string]any{"name": "phl-dev/database/app"}, map[string][]string{"kms_key_id": {"aws_kms_key.k.arn"}})
	f.add("aws_ecr_repository", "bootstrap", map[string]any{"image_tag_mutability": "IMMUTABLE",
		"image_scanning_configuration": []any{map[string]any{"scan_on_push": true}},
		"encryption_configuration":     []any{map[string]any{"encryption_type": "KMS"}}}, nil)
	f.setNested("aws_ecr_repository.bootstrap", "encryption_configuration", "aws_kms_key.k.arn", "aws_kms_key.k")
	return f
}

// expr sets an attribute's configuration expression.
func (f *fakePlan) expr(addr, attr string, e tfjson.ExpressionData) {
	for _, cr := range f.p.Config.RootModule.Resources {
		if cr.Address == addr {
			cr.Expressions[attr] = &tfjson.Expression{ExpressionData: &e}
		}
	}
}

// unknown marks an attribute as known only after apply.
func (f *fakePlan) unknown(addr, attr string) {
	for _, rc := range f.p.ResourceChanges {
		if rc.Address == addr {
			m, _ := rc.Change.AfterUnknown.(map[string]any)
			if m == nil {
				m = map[string]any{}
			}
			m[attr] = true
			rc.Change.AfterUnknown = m
		}
	}
}

func setParameters(t *testing.T, f *fakePlan, addr string, kv ...string) {
	var ps []any
	for i := 0; i+1 < len(kv); i += 2 {
		ps = append(ps, map[string]any{"name": kv[i], "value": kv[i+1]})
	}
	f.set(t, addr, "parameter", ps)
}

func databaseRules() []Rule {
	return append(Common("dev"), Database(DatabaseExpectations{ClusterID: testDBID, BackupRetentionDays: 30, DeletionProtection: true,
		FinalSnapshot: true, Readers: 1, MaxReaders: 3, SecretsPrefix: "phl-dev/", LogExports: []string{"audit", "error", "slowquery"}})...)
}

func TestGoodDatabasePassesEveryRule(t *testing.T) {
	if findings := Run(New("dev-database", &goodDatabase().p), databaseRules()); len(findings) > 0 {
		t.Fatalf("findings on a good plan:\n%s", strings.Join(findings, "\n"))
	}
}

func TestDatabaseRulesCatchBrokenPlans(t *testing.T) {
	set := func(f *fakePlan, addr, attr string, v any) { f.set(t, addr, attr, v) }
	cases := []struct {
		name   string
		mutate func(f *fakePlan)
		want   string
	}{
		{"public instance", func(f *fakePlan) { set(f, "aws_rds_cluster_instance.ib", "publicly_accessible", true) }, "aws_rds_cluster_instance.ib may be publicly accessible"},
		{"unencrypted storage", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "storage_encrypted", false) }, "storage is not encrypted"},
		{"password in Terraform", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "master_password", "hunter2") }, "master password is not RDS-managed"},
		{"IAM auth off", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "iam_database_authentication_enabled", false) }, "IAM database authentication is off"},
		{"Performance Insights with the AWS key", func(f *fakePlan) {
			f.add("aws_rds_cluster_instance", "ic", map[string]any{"publicly_accessible": false, "availability_zone": "x", "performance_insights_enabled": true}, nil)
		}, "aws_rds_cluster_instance.ic: Performance Insights not encrypted"},
		{"TLS optional", func(f *fakePlan) {
			set(f, "aws_rds_cluster_parameter_group.pg", "parameter", []any{map[string]any{"name": "require_secure_transport", "value": "OFF"}})
		}, "does not set require_secure_transport ON"},
		{"audit export dropped", func(f *fakePlan) {
			set(f, "aws_rds_cluster.c", "enabled_cloudwatch_logs_exports", []any{"error", "slowquery"})
		}, "exports [error slowquery]"},
		{"log group not created first", func(f *fakePlan) {
			f.dependsOn("aws_rds_cluster.c", "aws_cloudwatch_log_group.audit", "aws_cloudwatch_log_group.error")
		}, "does not wait for aws_cloudwatch_log_group.slowquery"},
		{"short retention", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "backup_retention_period", 7.0) }, "backup_retention_period 7"},
		{"no deletion protection", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "deletion_protection", false) }, "deletion_protection false"},
		{"no final snapshot", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "skip_final_snapshot", true) }, "no final snapshot"},
		{"the same final snapshot name for every teardown", func(f *fakePlan) {
			f.expr("aws_rds_cluster.c", "final_snapshot_identifier", tfjson.ExpressionData{ConstantValue: "phl-dev-final"})
			set(f, "aws_rds_cluster.c", "final_snapshot_identifier", "phl-dev-final")
		}, "final_snapshot_identifier is the constant phl-dev-final: the second teardown fails with DBClusterSnapshotAlreadyExistsFault"},
		{"final snapshot named against RDS's rules", func(f *fakePlan) {
			set(f, "aws_rds_cluster.c", "final_snapshot_identifier", "phl-dev-final-2026-12-03T07:53:00Z")
		}, `final_snapshot_identifier "phl-dev-final-2026-12-03T07:53:00Z" is not an RDS identifier`},
		{"final snapshot identifier null", func(f *fakePlan) {
			for _, rc := range f.p.ResourceChanges {
				if rc.Address == "aws_rds_cluster.c" {
					rc.Change.AfterUnknown = nil
				}
			}
		}, "no final_snapshot_identifier"},
		{"fixed parameter group name", func(f *fakePlan) {
			set(f, "aws_db_parameter_group.ipg", "name_prefix", nil)
			f.expr("aws_db_parameter_group.ipg", "name", tfjson.ExpressionData{ConstantValue: "phl-dev-instance"})
		}, "aws_db_parameter_group.ipg has a fixed name"},
		{"parameter group family behind the engine", func(f *fakePlan) {
			set(f, "aws_rds_cluster_parameter_group.pg", "family", "aurora-mysql5.7")
		}, "aws_rds_cluster_parameter_group.pg is in family aurora-mysql5.7; engine 8.0.mysql_aurora.3.10.4 needs aurora-mysql8.0"},
		{"major upgrades refused", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "allow_major_version_upgrade", false) }, "does not allow a major version upgrade"},
		{"instances keep their group through a major upgrade", func(f *fakePlan) {
			f.expr("aws_rds_cluster.c", "db_instance_parameter_group_name", tfjson.ExpressionData{})
		}, "the cluster does not name the instances' parameter group"},
		{"an instance in a default group", func(f *fakePlan) {
			f.expr("aws_rds_cluster_instance.ib", "db_parameter_group_name", tfjson.ExpressionData{ConstantValue: "default.aurora-mysql8.0"})
		}, "aws_rds_cluster_instance.ib does not use the stack's instance parameter group"},
		{"log_output at its default", func(f *fakePlan) {
			setParameters(t, f, "aws_db_parameter_group.ipg", "slow_query_log", "1", "log_output", "FILE")
		}, "aws_db_parameter_group.ipg sets log_output=FILE, the engine default"},
		{"a default in another spelling", func(f *fakePlan) {
			setParameters(t, f, "aws_rds_cluster_parameter_group.pg", "require_secure_transport", "ON", "tls_version", "tlsv1.3, TLSv1.2")
		}, "sets tls_version=tlsv1.3, TLSv1.2, the engine default"},
		{"a numeric default", func(f *fakePlan) {
			setParameters(t, f, "aws_db_parameter_group.ipg", "long_query_time", "10.000000")
		}, "sets long_query_time=10.000000, the engine default"},
		{"a switch at its default", func(f *fakePlan) {
			setParameters(t, f, "aws_db_parameter_group.ipg", "slow_query_log", "0")
		}, "sets slow_query_log=0, the engine default"},
		{"a parameter whose default nobody looked up", func(f *fakePlan) {
			setParameters(t, f, "aws_db_parameter_group.ipg", "max_connections", "100")
		}, "sets max_connections, whose aurora-mysql8.0 default is not recorded"},
		{"a family whose defaults nobody looked up", func(f *fakePlan) {
			set(f, "aws_db_parameter_group.ipg", "family", "aurora-mysql8.4")
		}, "aws_db_parameter_group.ipg: no engine defaults recorded for family aurora-mysql8.4"},
		{"Database Insights left to AWS", func(f *fakePlan) { set(f, "aws_rds_cluster.c", "database_insights_mode", nil) }, "database_insights_mode <nil>: set standard or advanced"},
		{"advanced Database Insights without its retention", func(f *fakePlan) {
			set(f, "aws_rds_cluster.c", "database_insights_mode", "advanced")
			set(f, "aws_rds_cluster.c", "performance_insights_enabled", true)
			set(f, "aws_rds_cluster.c", "performance_insights_retention_period", 7.0)
		}, "advanced Database Insights without Performance Insights kept 465 days"},
		{"reader in the writer's AZ", func(f *fakePlan) { set(f, "aws_rds_cluster_instance.ib", "availability_zone", "ap-southeast-1a") }, "all 2 instances in one AZ"},
		{"autoscaling bounds", func(f *fakePlan) { set(f, "aws_appautoscaling_target.t", "max_capacity", 15.0) }, "want rds:cluster:ReadReplicaCount 1..3"},
		{"MySQL from a CIDR", func(f *fakePlan) {
			f.add("aws_vpc_security_group_ingress_rule", "cidr", map[string]any{"cidr_ipv4": "10.0.0.0/16", "from_port": 3306.0, "to_port": 3306.0},
				map[string][]string{"security_group_id": {"aws_security_group.db.id"}})
		}, "aws_vpc_security_group_ingress_rule.cidr admits 10.0.0.0/16"},
		{"database sends out", func(f *fakePlan) {
			f.add("aws_vpc_security_group_egress_rule", "all", map[string]any{"cidr_ipv4": "0.0.0.0/0"},
				map[string][]string{"security_group_id": {"aws_security_group.db.id"}})
		}, "aws_vpc_security_group_egress_rule.all lets the database send out"},
		{"mutable image tags", func(f *fakePlan) { set(f, "aws_ecr_repository.bootstrap", "image_tag_mutability", "MUTABLE") }, "aws_ecr_repository.bootstrap has mutable tags (MUTABLE)"},
		{"images not scanned", func(f *fakePlan) {
			set(f, "aws_ecr_repository.bootstrap", "image_scanning_configuration", []any{map[string]any{"scan_on_push": false}})
		}, "aws_ecr_repository.bootstrap does not scan on push"},
		{"registry with the AWS key", func(f *fakePlan) {
			set(f, "aws_ecr_repository.bootstrap", "encryption_configuration", []any{map[string]any{"encryption_type": "AES256"}})
		}, "aws_ecr_repository.bootstrap is not encrypted with a platform KMS key"},
		{"secret outside the prefix", func(f *fakePlan) {
			f.add("aws_secretsmanager_secret", "other", map[string]any{"name": "shared/db"}, nil)
		}, `aws_secretsmanager_secret.other is named "shared/db"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := goodDatabase()
			c.mutate(f)
			findings := strings.Join(Run(New("dev-database", &f.p), databaseRules()), "\n")
			if !strings.Contains(findings, c.want) {
				t.Errorf("findings do not mention %q:\n%s", c.want, findings)
			}
		})
	}
}

func TestDeployGraph(t *testing.T) {
	good := map[string][]string{"dev-network": {}, "dev-cluster": {"dev-network"}, "dev-database": {"dev-network"}, "dev-gitops": {"dev-database", "dev-cluster", "dev-gateway", "dev-network"}, "bootstrap-nonprod": {}}
	if f := DeployGraph(good); len(f) > 0 {
		t.Errorf("findings on the intended graph: %v", f)
	}
	serial := map[string][]string{"dev-network": {}, "dev-cluster": {"dev-network"}, "dev-database": {"dev-network", "dev-cluster"}}
	if f := strings.Join(DeployGraph(serial), "\n"); !strings.Contains(f, "dev-database depends on [dev-cluster dev-network]; want [dev-network]") {
		t.Errorf("a database waiting for the cluster passed: %q", f)
	}
	tied := map[string][]string{"dev-network": {"bootstrap-nonprod"}, "bootstrap-nonprod": {"dev-network"}}
	if f := strings.Join(DeployGraph(tied), "\n"); !strings.Contains(f, "bootstrap-nonprod depends on [dev-network]; want nothing") ||
		!strings.Contains(f, "dev-network depends on bootstrap-nonprod; no stack may") {
		t.Errorf("a bootstrap stack in the deploy graph passed: %q", f)
	}
	if f := DeployGraph(map[string][]string{"dev-cache": {}}); len(f) == 0 {
		t.Error("an unknown component passed")
	}
}
