package planassert

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// engineDefaults are the documented defaults of the parameters the platform sets or has set,
// by parameter group family. A parameter set to its default is reported by AWS with apply
// method pending-reboot, which AWS refuses to change alone, so an "immediate" one shows as a
// change in every plan (AWS provider docs, aws_db_parameter_group, "Problematic Plan
// Changes"); setting it also says nothing. A family or parameter missing here is a finding:
// look the default up and record it with its source before using it.
var engineDefaults = map[string]map[string]string{
	// Aurora MySQL 3 (MySQL 8.0 compatible; 3.10 is MySQL 8.0.42).
	"aurora-mysql8.0": {
		// Aurora user guide, "Requiring an SSL/TLS connection to an Aurora MySQL DB cluster":
		// "By default, the require_secure_transport parameter is set to OFF".
		"require_secure_transport": "OFF",
		// MySQL 8.0 manual, "Encrypted Connection TLS Protocols and Ciphers": by default every
		// protocol of the SSL library; TLSv1 and TLSv1.1 are gone as of 8.0.28.
		"tls_version": "TLSv1.2,TLSv1.3",
		// Aurora user guide, "Using Advanced Auditing with an Amazon Aurora MySQL DB cluster":
		// server_audit_logging "defaults to OFF"; events, excl_users and incl_users "default to
		// an empty string".
		"server_audit_logging":    "OFF",
		"server_audit_events":     "",
		"server_audit_excl_users": "",
		"server_audit_incl_users": "",
		// Aurora user guide, "Sending Aurora MySQL log output to tables": "Both the general log
		// and the slow query logs are disabled by default"; tables only when log_output is set
		// to TABLE. MySQL 8.0 manual: log_output defaults to FILE ("Selecting General Query
		// Log and Slow Query Log Output Destinations"), long_query_time to 10 ("The Slow Query
		// Log").
		"general_log":     "OFF",
		"slow_query_log":  "OFF",
		"log_output":      "FILE",
		"long_query_time": "10",
	},
}

// auroraFamily derives a parameter group family from an Aurora MySQL engine version
// (8.0.mysql_aurora.3.10.4 -> aurora-mysql8.0).
var auroraFamily = regexp.MustCompile(`^([0-9]+\.[0-9]+)\.mysql_aurora\.`)

// rdsIdentifier: 1-255 letters, digits and hyphens, starting with a letter, no two hyphens in
// a row, none at the end (RDS API reference, DeleteDBCluster FinalDBSnapshotIdentifier).
var rdsIdentifier = regexp.MustCompile(`^[A-Za-z](-?[A-Za-z0-9])*$`)

var parameterGroupTypes = []string{"aws_rds_cluster_parameter_group", "aws_db_parameter_group"}

// dbFinalSnapshotUnique: the final snapshot's identifier is not a constant, so the second
// teardown of an environment (or of a replaced cluster) does not meet the first one's
// snapshot (DBClusterSnapshotAlreadyExistsFault).
func dbFinalSnapshotUnique(want bool) func(p *Plan) []string {
	return func(p *Plan) []string {
		c, out := p.only("aws_rds_cluster")
		if c == nil || !want {
			return out
		}
		e := p.expression(c, "final_snapshot_identifier")
		switch {
		case e == nil || (After(c, "final_snapshot_identifier") == nil && !afterUnknown(c, "final_snapshot_identifier")):
			return append(out, "no final_snapshot_identifier")
		case isConstant(e):
			out = append(out, fmt.Sprintf("final_snapshot_identifier is the constant %v: the second teardown fails with DBClusterSnapshotAlreadyExistsFault", e.ConstantValue))
		}
		if id, ok := After(c, "final_snapshot_identifier").(string); ok && (len(id) > 255 || !rdsIdentifier.MatchString(id)) {
			out = append(out, fmt.Sprintf("final_snapshot_identifier %q is not an RDS identifier (letters, digits, single hyphens, starting with a letter)", id))
		}
		return out
	}
}

// dbParameterGroups: both groups are named by prefix (so a replacement can exist beside the
// group it replaces) in the family of the cluster's engine version, and the cluster may
// upgrade to another family, handing the instances their new group.
func dbParameterGroups(p *Plan) []string {
	c, out := p.only("aws_rds_cluster")
	if c == nil {
		return out
	}
	version := fmt.Sprint(After(c, "engine_version"))
	m := auroraFamily.FindStringSubmatch(version)
	if m == nil {
		return append(out, fmt.Sprintf("engine_version %q is not an Aurora MySQL version", version))
	}
	family := "aurora-mysql" + m[1]
	for _, typ := range parameterGroupTypes {
		for _, g := range p.Of(typ) {
			if prefix, _ := After(g, "name_prefix").(string); prefix == "" || p.expression(g, "name") != nil {
				out = append(out, fmt.Sprintf("%s has a fixed name: a replacement (new family) cannot be created beside it", g.Address))
			}
			if f := After(g, "family"); f != family {
				out = append(out, fmt.Sprintf("%s is in family %v; engine %s needs %s", g.Address, f, version, family))
			}
		}
	}
	if After(c, "allow_major_version_upgrade") != true {
		out = append(out, "the cluster does not allow a major version upgrade: a new family in config cannot be deployed")
	}
	if !refersTo(p.References(c, "db_instance_parameter_group_name"), "aws_db_parameter_group") {
		out = append(out, "the cluster does not name the instances' parameter group: RDS rejects a major upgrade of instances in a custom group")
	}
	for _, i := range p.Of("aws_rds_cluster_instance") {
		if !refersTo(p.References(i, "db_parameter_group_name"), "aws_db_parameter_group") {
			out = append(out, i.Address+" does not use the stack's instance parameter group")
		}
	}
	return out
}

// dbParametersDiffer: no parameter group sets a parameter to its engine default, the part of
// "a second plan is empty" an offline plan can show.
func dbParametersDiffer(p *Plan) []string {
	var out []string
	for _, typ := range parameterGroupTypes {
		for _, g := range p.Of(typ) {
			family := fmt.Sprint(After(g, "family"))
			defaults, ok := engineDefaults[family]
			if !ok {
				out = append(out, fmt.Sprintf("%s: no engine defaults recorded for family %s (internal/planassert engineDefaults)", g.Address, family))
				continue
			}
			for _, prm := range asList(After(g, "parameter")) {
				m, _ := prm.(map[string]any)
				name, value := fmt.Sprint(m["name"]), fmt.Sprint(m["value"])
				def, known := defaults[name]
				switch {
				case !known:
					out = append(out, fmt.Sprintf("%s sets %s, whose %s default is not recorded (internal/planassert engineDefaults)", g.Address, name, family))
				case sameParameterValue(value, def):
					out = append(out, fmt.Sprintf("%s sets %s=%s, the engine default: the plan would never be empty; leave it out", g.Address, name, value))
				}
			}
		}
	}
	return out
}

// sameParameterValue compares MySQL settings: case and list order do not matter, 1/ON and
// 0/OFF are the same switch, numbers compare by value (10 = 10.000000).
func sameParameterValue(a, b string) bool { return canonical(a) == canonical(b) }

func canonical(v string) string {
	var tokens []string
	for _, t := range strings.Split(v, ",") {
		t = strings.ToUpper(strings.TrimSpace(t))
		switch t {
		case "1", "ON", "TRUE":
			t = "ON"
		case "0", "OFF", "FALSE":
			t = "OFF"
		default:
			if f, err := strconv.ParseFloat(t, 64); err == nil && !math.IsNaN(f) {
				t = strconv.FormatFloat(f, 'g', -1, 64)
			}
		}
		tokens = append(tokens, t)
	}
	sort.Strings(tokens)
	return strings.Join(tokens, ",")
}

// dbInsightsMode: the Database Insights mode is set, so neither AWS nor the console changes it
// unnoticed; advanced needs Performance Insights kept 465 days.
func dbInsightsMode(p *Plan) []string {
	c, out := p.only("aws_rds_cluster")
	if c == nil {
		return out
	}
	switch mode := After(c, "database_insights_mode"); mode {
	case "standard":
	case "advanced":
		if After(c, "performance_insights_enabled") != true || After(c, "performance_insights_retention_period") != float64(465) {
			out = append(out, "advanced Database Insights without Performance Insights kept 465 days")
		}
	default:
		out = append(out, fmt.Sprintf("database_insights_mode %v: set standard or advanced explicitly", mode))
	}
	return out
}

// isConstant tells whether a configuration expression is a literal. Terraform evaluates a
// JSON-syntax expression (every cdk.tf.json) without context for constant_value, which gives
// a template's raw text: a string with "${" is an expression, not a constant.
func isConstant(e *tfjson.ExpressionData) bool {
	if e.ConstantValue == nil || e.ConstantValue == tfjson.UnknownConstantValue || len(e.References) > 0 {
		return false
	}
	s, ok := e.ConstantValue.(string)
	return !ok || !strings.Contains(s, "${")
}

// afterUnknown tells whether an attribute's planned value is known only after apply.
func afterUnknown(rc *tfjson.ResourceChange, attr string) bool {
	m, _ := rc.Change.AfterUnknown.(map[string]any)
	return m[attr] == true
}

// expression returns an attribute's configuration expression, nil when it is not configured.
func (p *Plan) expression(rc *tfjson.ResourceChange, attr string) *tfjson.ExpressionData {
	cr := p.config[rc.Address]
	if cr == nil || cr.Expressions[attr] == nil {
		return nil
	}
	return cr.Expressions[attr].ExpressionData
}
