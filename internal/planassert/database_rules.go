package planassert

import (
	"fmt"
	"sort"
	"strings"
)

// DatabaseExpectations are what the environment config promises about the database.
type DatabaseExpectations struct {
	ClusterID           string
	BackupRetentionDays int
	DeletionProtection  bool
	FinalSnapshot       bool
	Readers             int // readers besides the writer
	MaxReaders          int
	SecretsPrefix       string
	LogExports          []string
}

// Database rules hold for "<env>-database".
func Database(want DatabaseExpectations) []Rule {
	return []Rule{
		{"no instance is publicly accessible", dbNotPublic},
		{"storage, master secret and Performance Insights encrypted with the stack's own key; RDS-managed master password; IAM authentication", dbEncryptionAndAuth},
		{"the cluster parameter group requires TLS", dbRequiresTLS},
		{fmt.Sprintf("log exports %v into Terraform-owned log groups created first", want.LogExports), dbLogExports(want.ClusterID, want.LogExports)},
		{fmt.Sprintf("backups %d days, deletion protection %v, final snapshot %v", want.BackupRetentionDays, want.DeletionProtection, want.FinalSnapshot), dbProtection(want)},
		{"the final snapshot's identifier is not a constant (each teardown makes a new one)", dbFinalSnapshotUnique(want.FinalSnapshot)},
		{"parameter groups are named by prefix in the engine's family; the cluster may move them to a new family", dbParameterGroups},
		{"no parameter group sets a parameter to its documented engine default", dbParametersDiffer},
		{"the Database Insights mode is set explicitly", dbInsightsMode},
		{fmt.Sprintf("writer and %d reader(s) spread over AZs; autoscaling %d..%d", want.Readers, want.Readers, want.MaxReaders), dbInstancesAndScaling(want.Readers, want.MaxReaders)},
		{"the database group admits 3306 only from another security group, and nothing out", dbIngress},
		{fmt.Sprintf("every secret is named under %q (what External Secrets may read)", want.SecretsPrefix), dbSecretNames(want.SecretsPrefix)},
	}
}

func dbNotPublic(p *Plan) []string {
	var out []string
	for _, i := range p.Of("aws_rds_cluster_instance") {
		if After(i, "publicly_accessible") != false {
			out = append(out, i.Address+" may be publicly accessible")
		}
	}
	return out
}

func dbEncryptionAndAuth(p *Plan) []string {
	c, out := p.only("aws_rds_cluster")
	if c == nil {
		return out
	}
	if After(c, "storage_encrypted") != true || !refersTo(p.References(c, "kms_key_id"), "aws_kms_key") {
		out = append(out, "storage is not encrypted with a key of the stack")
	}
	if After(c, "manage_master_user_password") != true || After(c, "master_password") != nil ||
		!refersTo(p.References(c, "master_user_secret_kms_key_id"), "aws_kms_key") {
		out = append(out, "the master password is not RDS-managed in a secret under the stack's key")
	}
	if After(c, "iam_database_authentication_enabled") != true {
		out = append(out, "IAM database authentication is off")
	}
	for _, i := range p.Of("aws_rds_cluster_instance") {
		if After(i, "performance_insights_enabled") == true && !refersTo(p.References(i, "performance_insights_kms_key_id"), "aws_kms_key") {
			out = append(out, i.Address+": Performance Insights not encrypted with the stack's key")
		}
	}
	return out
}

func dbRequiresTLS(p *Plan) []string {
	c, out := p.only("aws_rds_cluster")
	if c == nil {
		return out
	}
	pg := p.referencedResource(c, "db_cluster_parameter_group_name")
	if pg == nil {
		return append(out, "the cluster uses no parameter group of the stack")
	}
	params, _ := After(pg, "parameter").([]any)
	for _, prm := range params {
		m, _ := prm.(map[string]any)
		if m["name"] == "require_secure_transport" && (m["value"] == "ON" || m["value"] == "1") {
			return out
		}
	}
	return append(out, pg.Address+" does not set require_secure_transport ON")
}

func dbLogExports(clusterID string, want []string) func(p *Plan) []string {
	return func(p *Plan) []string {
		c, out := p.only("aws_rds_cluster")
		if c == nil {
			return out
		}
		var got []string
		for _, e := range asList(After(c, "enabled_cloudwatch_logs_exports")) {
			got = append(got, fmt.Sprint(e))
		}
		sort.Strings(got)
		w := append([]string{}, want...)
		sort.Strings(w)
		if fmt.Sprint(got) != fmt.Sprint(w) {
			out = append(out, fmt.Sprintf("exports %v; want %v", got, w))
		}
		groups := map[string]string{}
		for _, g := range p.Of("aws_cloudwatch_log_group") {
			groups[fmt.Sprint(After(g, "name"))] = g.Address
		}
		deps := ""
		if cr := p.config[c.Address]; cr != nil {
			deps = strings.Join(cr.DependsOn, " ")
		}
		for _, kind := range want {
			addr, ok := groups["/aws/rds/cluster/"+clusterID+"/"+kind]
			if !ok {
				out = append(out, "no log group for the "+kind+" export: RDS would create an unencrypted one")
			} else if !strings.Contains(deps, addr) {
				out = append(out, "the cluster does not wait for "+addr)
			}
		}
		return out
	}
}

func dbProtection(want DatabaseExpectations) func(p *Plan) []string {
	return func(p *Plan) []string {
		c, out := p.only("aws_rds_cluster")
		if c == nil {
			return out
		}
		if After(c, "backup_retention_period") != float64(want.BackupRetentionDays) {
			out = append(out, fmt.Sprintf("backup_retention_period %v", After(c, "backup_retention_period")))
		}
		if After(c, "deletion_protection") != want.DeletionProtection {
			out = append(out, fmt.Sprintf("deletion_protection %v", After(c, "deletion_protection")))
		}
		if want.FinalSnapshot && (After(c, "skip_final_snapshot") != false || p.expression(c, "final_snapshot_identifier") == nil) {
			out = append(out, "no final snapshot on delete")
		}
		if After(c, "copy_tags_to_snapshot") != true {
			out = append(out, "snapshots do not carry the tags")
		}
		return out
	}
}

func dbInstancesAndScaling(readers, maxReaders int) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		instances := p.Of("aws_rds_cluster_instance")
		if len(instances) != readers+1 {
			out = append(out, fmt.Sprintf("%d instances; want a writer and %d reader(s)", len(instances), readers))
		}
		azs := map[any]bool{}
		for _, i := range instances {
			azs[After(i, "availability_zone")] = true
		}
		if len(instances) > 1 && len(azs) < 2 {
			out = append(out, fmt.Sprintf("all %d instances in one AZ", len(instances)))
		}
		targets := p.Of("aws_appautoscaling_target")
		switch {
		case maxReaders <= readers && len(targets) > 0:
			out = append(out, "read-replica autoscaling where none is configured")
		case maxReaders > readers && len(targets) != 1:
			out = append(out, fmt.Sprintf("%d autoscaling targets; want 1", len(targets)))
		case maxReaders > readers:
			t := targets[0]
			if After(t, "scalable_dimension") != "rds:cluster:ReadReplicaCount" || After(t, "min_capacity") != float64(readers) || After(t, "max_capacity") != float64(maxReaders) {
				out = append(out, fmt.Sprintf("autoscaling %v %v..%v; want rds:cluster:ReadReplicaCount %d..%d",
					After(t, "scalable_dimension"), After(t, "min_capacity"), After(t, "max_capacity"), readers, maxReaders))
			}
			if len(p.Of("aws_appautoscaling_policy")) != 1 {
				out = append(out, "no scaling policy for the readers")
			}
		}
		return out
	}
}

// dbIngress: the database's group (the one the cluster uses) admits only another group's
// members on 3306 and sends nothing out.
func dbIngress(p *Plan) []string {
	c, out := p.only("aws_rds_cluster")
	if c == nil {
		return out
	}
	var sgAddr string
	for _, r := range p.References(c, "vpc_security_group_ids") {
		if strings.HasPrefix(r, "aws_security_group.") && strings.Count(r, ".") == 1 {
			sgAddr = r
		}
	}
	if sgAddr == "" {
		return append(out, "the cluster uses no security group of the stack")
	}
	if sg := p.changes[sgAddr]; sg != nil && len(asList(After(sg, "ingress")))+len(asList(After(sg, "egress"))) > 0 {
		out = append(out, sgAddr+" has inline rules")
	}
	rules := 0
	for _, r := range p.Of("aws_vpc_security_group_ingress_rule") {
		if !refersTo(p.References(r, "security_group_id"), sgAddr) {
			continue
		}
		rules++
		if After(r, "cidr_ipv4") != nil || After(r, "cidr_ipv6") != nil || After(r, "referenced_security_group_id") == nil ||
			After(r, "from_port") != float64(3306) || After(r, "to_port") != float64(3306) {
			out = append(out, fmt.Sprintf("%s admits %v %v-%v from %v", r.Address, After(r, "cidr_ipv4"), After(r, "from_port"), After(r, "to_port"), After(r, "referenced_security_group_id")))
		}
	}
	if rules == 0 {
		out = append(out, "nothing may reach the database")
	}
	for _, r := range p.Of("aws_vpc_security_group_egress_rule") {
		if refersTo(p.References(r, "security_group_id"), sgAddr) {
			out = append(out, r.Address+" lets the database send out")
		}
	}
	return out
}

func dbSecretNames(prefix string) func(p *Plan) []string {
	return func(p *Plan) []string {
		var out []string
		for _, s := range p.Of("aws_secretsmanager_secret") {
			if name := fmt.Sprint(After(s, "name")); !strings.HasPrefix(name, prefix) {
				out = append(out, fmt.Sprintf("%s is named %q", s.Address, name))
			}
		}
		return out
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}
