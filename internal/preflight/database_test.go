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
