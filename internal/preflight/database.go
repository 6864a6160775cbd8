package preflight

import (
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/phl-platform/phl-platform/config"
)

// checkDatabase: the Aurora engine version exists in the region (and is not deprecated) and
// exports the log types the cluster enables and supports the CA its instances use; the instance
// class is orderable for it in every AZ and supports Performance Insights when the instances
// enable it.
func (r *runner) checkDatabase() {
	st := r.stack("database")
	cluster, found := r.only(st, "aws_rds_cluster", "database.engine-version")
	if !found {
		return
	}
	engine, ok1 := cluster.Literal("engine")
	version, ok2 := cluster.Literal("engine_version")
	if !ok1 || !ok2 {
		r.skip("database.engine-version", "the engine or its version is computed at apply")
		return
	}
	ev := r.checkEngineVersion(engine, version)
	if ev == nil {
		for _, check := range []string{"database.log-exports", "database.ca-certificate", "database.instance-class"} {
			r.skip(check, "not checked: engine version "+version+" is not available")
		}
		return
	}
	r.checkLogExports(cluster, *ev)
	r.checkCACertificate(st, *ev)
	classes := map[string]bool{}
	insights := false
	for _, in := range st.Resources("aws_rds_cluster_instance") {
		if c, ok := in.Literal("instance_class"); ok {
			classes[c] = true
		}
		if on, _ := in.Attrs["performance_insights_enabled"].(bool); on {
			insights = true
		}
	}
	if len(classes) == 0 {
		r.skip("database.instance-class", "the instance classes are computed at apply")
		return
	}
	for _, class := range sortedKeys(classes) {
		r.checkInstanceClass(engine, version, class, insights)
	}
}

// checkEngineVersion returns the engine version when a cluster can run it; nil when not.
func (r *runner) checkEngineVersion(engine, version string) *rdstypes.DBEngineVersion {
	const name = "database.engine-version"
	out, err := r.aws.RDS.DescribeDBEngineVersions(r.ctx, &rds.DescribeDBEngineVersionsInput{
		Engine: aws.String(engine), EngineVersion: aws.String(version), IncludeAll: aws.Bool(true)})
	if err != nil {
		r.apiFail(name, "rds:DescribeDBEngineVersions", err)
		return nil
	}
	var ev *rdstypes.DBEngineVersion
	status := ""
	for i, v := range out.DBEngineVersions {
		if aws.ToString(v.EngineVersion) == version {
			ev, status = &out.DBEngineVersions[i], aws.ToString(v.Status)
		}
	}
	if status == "available" {
		r.pass(name, fmt.Sprintf("%s %s is available in %s", engine, version, r.env.Region))
		return ev
	}
	// Deprecated versions take no new clusters, but an existing cluster keeps running on one:
	// redeploying an environment must not fail on that, only creating it.
	if status == "deprecated" && r.clusterRuns(version) {
		r.pass(name, fmt.Sprintf("%s %s is deprecated in %s: no new clusters, but %s already runs it (plan an upgrade: %s)",
			engine, version, r.env.Region, r.env.DatabaseClusterID(), r.engineFix(engine)))
		return ev
	}
	what := "does not exist in " + r.env.Region
	if status != "" {
		what = "is " + status + " in " + r.env.Region + " (no new clusters)"
	}
	r.fail(name, fmt.Sprintf("%s %s %s", engine, version, what), r.engineFix(engine))
	return nil
}

// checkLogExports: the engine version exports every log type the cluster enables. Which types
// a version exports differs by version and region (iam-db-auth-error is recent); RDS reports
// them as ExportableLogTypes (DescribeDBEngineVersions, RDS API Reference: DBEngineVersion).
func (r *runner) checkLogExports(cluster Resource, ev rdstypes.DBEngineVersion) {
	const name = "database.log-exports"
	if cluster.Attrs["enabled_cloudwatch_logs_exports"] == nil {
		r.skip(name, "the cluster exports no logs")
		return
	}
	want, literal := cluster.Strings("enabled_cloudwatch_logs_exports")
	if !literal {
		r.skip(name, "the exported log types are computed at apply")
		return
	}
	engine, version := aws.ToString(ev.Engine), aws.ToString(ev.EngineVersion)
	if missing := absent(want, ev.ExportableLogTypes); len(missing) > 0 {
		r.fail(name, fmt.Sprintf("%s %s in %s does not export %s (it exports: %s)", engine, version, r.env.Region,
			strings.Join(missing, ", "), strings.Join(ev.ExportableLogTypes, ", ")),
			"set database.engine_version in "+r.env.SourceFile+" to a version that exports them (aws rds describe-db-engine-versions --engine "+engine+
				" --query 'DBEngineVersions[].[EngineVersion,ExportableLogTypes]'), or drop them from database.LogExports (constructs/database)")
		return
	}
	r.pass(name, fmt.Sprintf("%s %s exports %s", engine, version, strings.Join(want, ", ")))
}

// checkCACertificate: the engine version supports the CA the instances ask for
// (SupportedCACertificateIdentifiers of DescribeDBEngineVersions, RDS API Reference).
func (r *runner) checkCACertificate(st *Stack, ev rdstypes.DBEngineVersion) {
	const name = "database.ca-certificate"
	cas := map[string]bool{}
	for _, in := range st.Resources("aws_rds_cluster_instance") {
		if ca, ok := in.Literal("ca_cert_identifier"); ok {
			cas[ca] = true
		}
	}
	if len(cas) == 0 {
		r.skip(name, "no instance names its CA (RDS's default applies)")
		return
	}
	engine, version := aws.ToString(ev.Engine), aws.ToString(ev.EngineVersion)
	want := sortedKeys(cas)
	if missing := absent(want, ev.SupportedCACertificateIdentifiers); len(missing) > 0 {
		r.fail(name, fmt.Sprintf("%s %s in %s does not support CA %s (supported: %s)", engine, version, r.env.Region,
			strings.Join(missing, ", "), strings.Join(ev.SupportedCACertificateIdentifiers, ", ")),
			"set database.engine_version in "+r.env.SourceFile+" to a version that supports it, or change database.CACertIdentifier (constructs/database) to a supported CA")
		return
	}
	r.pass(name, fmt.Sprintf("%s %s supports CA %s", engine, version, strings.Join(want, ", ")))
}

// absent lists the items of want that have is lacks.
func absent(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// engineFix names the versions the config accepts that the region offers.
func (r *runner) engineFix(engine string) string {
	available := map[string]bool{}
	p := rds.NewDescribeDBEngineVersionsPaginator(r.aws.RDS, &rds.DescribeDBEngineVersionsInput{Engine: aws.String(engine)})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			break
		}
		for _, v := range page.DBEngineVersions {
			available[aws.ToString(v.EngineVersion)] = true
		}
	}
	var ok []string
	for _, v := range config.AuroraMySQLVersions {
		if available[v] {
			ok = append(ok, v)
		}
	}
	if len(ok) == 0 {
		return "set database.engine_version in " + r.env.SourceFile + " to a version the region offers (aws rds describe-db-engine-versions --engine " + engine + "), and add it to config.AuroraMySQLVersions"
	}
	return "set database.engine_version in " + r.env.SourceFile + " to one of " + strings.Join(ok, ", ")
}

func (r *runner) checkInstanceClass(engine, version, class string, insights bool) {
	name := "database.instance-class"
	zones := map[string]bool{}
	supportsPI := false
	found := false
	p := rds.NewDescribeOrderableDBInstanceOptionsPaginator(r.aws.RDS, &rds.DescribeOrderableDBInstanceOptionsInput{
		Engine: aws.String(engine), EngineVersion: aws.String(version), DBInstanceClass: aws.String(class)})
	for p.HasMorePages() {
		page, err := p.NextPage(r.ctx)
		if err != nil {
			r.apiFail(name, "rds:DescribeOrderableDBInstanceOptions", err)
			return
		}
		for _, o := range page.OrderableDBInstanceOptions {
			found = true
			addZones(zones, o.AvailabilityZones)
			supportsPI = supportsPI || aws.ToBool(o.SupportsPerformanceInsights)
		}
	}
	fix := "set database.instance_class in " + r.env.SourceFile + " to a class orderable for " + version + " (aws rds describe-orderable-db-instance-options --engine " + engine + " --engine-version " + version + ")"
	if !found {
		r.fail(name, fmt.Sprintf("%s is not orderable for %s %s in %s", class, engine, version, r.env.Region), fix)
		return
	}
	var missing []string
	for _, az := range r.env.AvailabilityZones {
		if !zones[az] {
			missing = append(missing, az)
		}
	}
	if len(missing) > 0 {
		r.fail(name, fmt.Sprintf("%s is not orderable for %s %s in %s", class, engine, version, strings.Join(missing, ", ")), fix+", or change availability_zones")
		return
	}
	r.pass(name, fmt.Sprintf("%s is orderable for %s %s in %s", class, engine, version, strings.Join(r.env.AvailabilityZones, ", ")))
	switch {
	case !insights:
		r.skip("database.performance-insights", "performance_insights is off")
	case supportsPI:
		r.pass("database.performance-insights", class+" supports Performance Insights for "+version)
	default:
		r.fail("database.performance-insights", class+" does not support Performance Insights for "+version,
			"set database.performance_insights: false, or choose a class that supports it (not db.t3, db.t4g.micro/small)")
	}
}

func addZones(set map[string]bool, zones []rdstypes.AvailabilityZone) {
	for _, z := range zones {
		set[aws.ToString(z.Name)] = true
	}
}

// clusterRuns reports whether the environment's Aurora cluster exists and runs version.
func (r *runner) clusterRuns(version string) bool {
	out, err := r.aws.RDS.DescribeDBClusters(r.ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(r.env.DatabaseClusterID())})
	if err != nil || len(out.DBClusters) == 0 {
		return false // DBClusterNotFoundFault: a new cluster would need an available version
	}
	return aws.ToString(out.DBClusters[0].EngineVersion) == version
}
