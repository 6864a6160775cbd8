package config

// profile holds the rules an environment name brings with it. Adding an environment means
// adding its profile here and its file under environments/.
type profile struct {
	minAZs        int
	natModes      []NatGatewayMode // allowed NAT modes; the first is the default
	minLogRetDays int
	database      databaseProfile
	// requireStateBackend: state holds the Cognito client secret and the record of data-bearing
	// resources; an environment that keeps data keeps its state in S3, never on a laptop.
	requireStateBackend bool
	argoCDHA            bool // Argo CD highly available (and required so)
}

// databaseProfile: defaults, and what an environment insists on (prod: data survives a
// mistaken destroy, a month of point-in-time recovery, a reader in another AZ to fail over to).
type databaseProfile struct {
	instanceClass      string
	readers            int
	minReaders         int
	minBackupDays      int
	requireProtection  bool // deletion protection and a final snapshot
	defaultMaxReaders  int
	defaultBackupDays  int
	defaultPerfInsight bool
}

var profiles = map[string]profile{
	"dev": {minAZs: 2, natModes: []NatGatewayMode{NatSingle, NatOnePerAZ}, minLogRetDays: 1,
		database: databaseProfile{instanceClass: "db.t4g.medium", minBackupDays: MinBackupRetentionDays, defaultBackupDays: 7}},
	"prod": {minAZs: 3, natModes: []NatGatewayMode{NatOnePerAZ}, minLogRetDays: 90, requireStateBackend: true, argoCDHA: true,
		database: databaseProfile{instanceClass: "db.r6g.large", readers: 1, minReaders: 1, minBackupDays: 30, requireProtection: true,
			defaultMaxReaders: 3, defaultBackupDays: 30, defaultPerfInsight: true}},
}

// interfaceEndpoints are the optional VPC interface endpoints a file may ask for.
var interfaceEndpoints = []string{"ec2", "ecr.api", "ecr.dkr", "logs", "ssm", "sts"}

// logRetentionDays are the values CloudWatch Logs accepts for retention_in_days.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
