package database

import (
	"fmt"
	"regexp"
)

// Parameter is one setting of a parameter group. Every parameter here differs from the
// engine's default (internal/planassert records the defaults and checks the plan): AWS reports
// a parameter left at its default with apply method pending-reboot and refuses to change only
// the apply method, so a default value with "immediate" would show as a change in every plan
// (AWS provider docs, aws_db_parameter_group, "Problematic Plan Changes").
type Parameter struct{ Name, Value, ApplyMethod string }

// ClusterParameters are the cluster parameter group's settings (cluster-level parameters of
// Aurora MySQL 3, RDS user guide "Aurora MySQL configuration parameters"). tls_version is not
// set: Aurora MySQL 3.10 is MySQL 8.0.42, which accepts only TLS 1.2 and 1.3 (MySQL 8.0
// manual, "Encrypted Connection TLS Protocols and Ciphers": TLSv1 and TLSv1.1 removed in
// 8.0.28), and restricting it to TLSv1.2 would only turn TLS 1.3 off.
var ClusterParameters = []Parameter{
	// TLS for every connection (clients without it get error 3159): the app's DSN uses
	// tls=true with the RDS CA.
	{"require_secure_transport", "ON", "immediate"},
	// Advanced Auditing, which the audit export reads: connections and changes to schema and
	// privileges (not every query, which would cost more than it tells). Dynamic.
	{"server_audit_logging", "1", "immediate"},
	{"server_audit_events", "CONNECT,QUERY_DCL,QUERY_DDL", "immediate"},
	{"server_audit_excl_users", "rdsadmin", "immediate"},
}

// InstanceParameters are the instance parameter group's settings: the slow query log (an
// instance-level parameter in Aurora MySQL). It goes to a file, the engine's default
// log_output, which the slowquery export reads.
var InstanceParameters = []Parameter{
	{"slow_query_log", "1", "immediate"},
	{"long_query_time", "2", "immediate"},
}

// auroraMySQLVersion is an Aurora MySQL engine version: the MySQL version it is compatible
// with, then the Aurora version (8.0.mysql_aurora.3.10.4).
var auroraMySQLVersion = regexp.MustCompile(`^([0-9]+\.[0-9]+)\.mysql_aurora\.[0-9]+(\.[0-9]+)+$`)

// ParameterGroupFamily is the parameter group family of an Aurora MySQL engine version:
// aurora-mysql<MySQL major.minor>, so aurora-mysql8.0 for every 8.0.mysql_aurora.3.* (RDS
// user guide, "Working with parameter groups": DBParameterGroupFamily). A major upgrade
// changes it, which replaces both parameter groups.
func ParameterGroupFamily(engineVersion string) (string, error) {
	m := auroraMySQLVersion.FindStringSubmatch(engineVersion)
	if m == nil {
		return "", fmt.Errorf("engine version %q is not an Aurora MySQL version (<mysql>.mysql_aurora.<aurora>, e.g. 8.0.mysql_aurora.3.10.4)", engineVersion)
	}
	return "aurora-mysql" + m[1], nil
}

// FinalSnapshotTimeFormat is the part of the final snapshot's identifier that makes it unique:
// the cluster's creation time in UTC, digits only (Terraform formatdate), so the identifier
// stays within RDS's rules (letters, digits and single hyphens, starting with a letter).
const FinalSnapshotTimeFormat = "YYYYMMDDhhmmss"

// DatabaseInsightsMode is the cluster's CloudWatch Database Insights mode. Standard is free
// and what Aurora picks when none is given; set explicitly so neither an AWS default change
// nor a console click changes it unnoticed (the next plan shows the drift). Advanced costs
// per vCPU-hour and needs Performance Insights kept 465 days: not warranted for phl-store.
const DatabaseInsightsMode = "standard"
