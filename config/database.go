package config

// Database is the Aurora MySQL part of an environment.
type Database struct {
	EngineVersion       string
	InstanceClass       string  // a provisioned class (db.r6g.large) or db.serverless
	ServerlessMinACU    float64 // db.serverless only
	ServerlessMaxACU    float64 // db.serverless only
	Readers             int     // readers always running (and the autoscaling minimum)
	MaxReaders          int     // autoscaling maximum; equal to Readers: no autoscaling
	ReaderTargetCPU     int     // target average reader CPU (percent) for autoscaling
	BackupRetentionDays int
	BackupWindow        string // hh:mm-hh:mm, UTC
	MaintenanceWindow   string // ddd:hh:mm-ddd:hh:mm, UTC
	DeletionProtection  bool
	FinalSnapshot       bool
	DatabaseName        string
	LogRetentionDays    int
	PerformanceInsights bool
}

// AuroraMySQLVersions are the Aurora MySQL 3 (MySQL 8.0 compatible) engine versions the
// platform accepts; the first is the default. 3.10 is a long-term-support minor (Aurora user
// guide, "Aurora MySQL long-term support (LTS) releases"): at least three years, so instances
// do not auto-upgrade minors. Review with each Aurora release; preflight checks that the
// version exists in the region. The parameter group family follows from the version
// (database.ParameterGroupFamily); a version of a new MySQL major is a major upgrade (docs/database.md,
// "Upgrading the engine").
var AuroraMySQLVersions = []string{"8.0.mysql_aurora.3.10.4", "8.0.mysql_aurora.3.10.0", "8.0.mysql_aurora.3.12.0"}

// Defaults for the database section.
const (
	DefaultDatabaseName      = "products"
	DefaultBackupWindow      = "17:00-18:00"         // UTC
	DefaultMaintenanceWindow = "sun:18:30-sun:19:30" // UTC, after the backup window
	DefaultReaderTargetCPU   = 70
	MaxAuroraReplicas        = 15 // Aurora's limit of readers per cluster
	MinBackupRetentionDays   = 7  // no environment keeps fewer days of point-in-time recovery
	MaxBackupRetentionDays   = 35 // RDS's maximum
	MinServerlessACU         = 0.5
	MaxServerlessACU         = 256
)

// noPerformanceInsights are the instance classes (prefixes) without Performance Insights for
// Aurora MySQL: every db.t2 and db.t3, db.t4g.micro and db.t4g.small (Aurora user guide,
// "Supported Regions and Aurora DB engines for Database Insights" / Performance Insights).
var noPerformanceInsights = []string{"db.t2.", "db.t3.", "db.t4g.micro", "db.t4g.small"}
