package preflight

import (
	"testing"

	"github.com/phl-platform/phl-platform/internal/preflight/awsfake"
)

// A version RDS has retired for new clusters: the fix names the accepted versions still offered.
func TestRetiredEngineVersion(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.EngineVersions["8.0.mysql_aurora.3.10.4"] = "deprecated"
		a.EngineVersions["8.0.mysql_aurora.3.10.0"] = "deprecated"
	})
	checks := h.run()
	expect(t, checks, "database.engine-version", Fail, "8.0.mysql_aurora.3.10.4 is deprecated in ap-southeast-1", "to one of 8.0.mysql_aurora.3.12.0")
	expect(t, checks, "database.instance-class", Skip, "not available")
}

// The same deprecated version on an environment whose cluster already runs it: a redeploy
// creates no cluster, so it passes (with the upgrade advice); another version still fails.
func TestDeprecatedEngineVersionOfAnExistingCluster(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) {
		a.EngineVersions["8.0.mysql_aurora.3.10.4"] = "deprecated"
		a.DBClusters = map[string]string{"phl-dev": "8.0.mysql_aurora.3.10.4"}
	})
	expect(t, h.run(), "database.engine-version", Pass, "deprecated in ap-southeast-1: no new clusters, but phl-dev already runs it", "plan an upgrade")
	h.account(func(a *awsfake.Account) { a.DBClusters["phl-dev"] = "8.0.mysql_aurora.3.08.0" })
	expect(t, h.run(), "database.engine-version", Fail, "is deprecated in ap-southeast-1")
}

func TestEngineVersionUnknownInRegion(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.EngineVersions = map[string]string{"8.0.mysql_aurora.3.08.0": "available"} })
	expect(t, h.run(), "database.engine-version", Fail, "does not exist in ap-southeast-1", "aws rds describe-db-engine-versions")
}

func TestInstanceClassNotOrderableInOneAZ(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) { a.Orderable[0].Zones = []string{"ap-southeast-1a", "ap-southeast-1c"} })
	expect(t, h.run(), "database.instance-class", Fail, "db.r6g.large is not orderable for aurora-mysql 8.0.mysql_aurora.3.10.4 in ap-southeast-1b", "change availability_zones")
}

func TestInstanceClassNotOrderable(t *testing.T) {
	h := newHarness(t, "dev").account(func(a *awsfake.Account) { a.Orderable = nil })
	expect(t, h.run(), "database.instance-class", Fail, "db.t4g.medium is not orderable for aurora-mysql 8.0.mysql_aurora.3.10.4 in ap-southeast-1", "database.instance_class")
}

func TestPerformanceInsightsUnsupported(t *testing.T) {
	h := newHarness(t, "prod").account(func(a *awsfake.Account) { a.Orderable[0].PerformanceInsights = false })
	expect(t, h.run(), "database.performance-insights", Fail, "db.r6g.large does not support Performance Insights", "performance_insights: false")
}

// iam-db-auth-error is not exported by every version in every region: RDS would refuse the
// cluster at apply.
func TestLogTypeNotExported(t *testing.T) {
	h := newHarness(t, "dev")
	h.account(func(a *awsfake.Account) {
		a.EngineLogTypes[h.env.Database.EngineVersion] = []string{"audit", "error", "general", "slowquery"}
	})
	checks := h.run()
	expect(t, checks, "database.log-exports", Fail, h.env.Database.EngineVersion+" in ap-southeast-1 does not export iam-db-auth-error (it exports: audit, error, general, slowquery)",
		"database.engine_version", "database.LogExports")
	expect(t, checks, "database.instance-class", Pass) // the version itself is fine
}

// The same check reads the stack: a log type the stack adds and the version lacks fails.
func TestLogTypeAddedToTheStack(t *testing.T) {
	h := newHarness(t, "prod")
	cluster := h.resource("database", "aws_rds_cluster")
	cluster["enabled_cloudwatch_logs_exports"] = append(cluster["enabled_cloudwatch_logs_exports"].([]any), "postgresql")
	expect(t, h.run(), "database.log-exports", Fail, "does not export postgresql")
}

func TestCANotSupported(t *testing.T) {
	h := newHarness(t, "prod")
	h.account(func(a *awsfake.Account) { a.EngineCAs[h.env.Database.EngineVersion] = []string{"rds-ca-rsa4096-g1"} })
	expect(t, h.run(), "database.ca-certificate", Fail, "does not support CA rds-ca-rsa2048-g1 (supported: rds-ca-rsa4096-g1)", "database.CACertIdentifier")
}

func TestLogExportsAndCAOnAHealthyAccount(t *testing.T) {
	checks := newHarness(t, "prod").run()
	expect(t, checks, "database.log-exports", Pass, "exports audit, error, iam-db-auth-error, slowquery")
	expect(t, checks, "database.ca-certificate", Pass, "supports CA rds-ca-rsa2048-g1")
}
