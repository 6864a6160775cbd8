package awsfake

import (
	"fmt"
	"strings"
	"time"

	"github.com/phl-platform/phl-platform/config"
)

// DefaultAddonVersion is the version every add-on has in a Healthy account (EKS's default).
const DefaultAddonVersion = "v1.0.0-eksbuild.1"

// AuroraMySQLLogTypes are the log types Aurora MySQL exports to CloudWatch Logs where all are
// offered (RDS API Reference, CreateDBCluster EnableCloudwatchLogsExports).
var AuroraMySQLLogTypes = []string{"audit", "error", "general", "iam-db-auth-error", "instance", "slowquery"}

// RDSCAs are the RDS certificate authorities (RDS User Guide, "Certificate authorities").
var RDSCAs = []string{"rds-ca-ecc384-g1", "rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1"}

// Healthy is an account in which every preflight check of env passes: its account and region,
// the AZs, room in every quota, the instance types offered everywhere, every supported
// Kubernetes version with each add-on (pinned versions too) and its schema, the admin
// principals, the Aurora versions and class, and the configured certificate, zone and bucket.
func Healthy(env *config.Environment) *Account {
	a := &Account{
		ID:        env.AccountID,
		CallerArn: "arn:aws:sts::" + env.AccountID + ":assumed-role/platform-deployer/preflight",
		Regions:   map[string]string{env.Region: "opt-in-not-required", "us-east-1": "opt-in-not-required"},
		Quotas: map[string]float64{
			"vpc/L-F678F1CE": 5, "ec2/L-0263D0A3": 5, "vpc/L-FE5A380F": 5, "ec2/L-1216C47A": 64,
		},
		DefaultQuotas: map[string]float64{
			"vpc/L-F678F1CE": 5, "ec2/L-0263D0A3": 5, "vpc/L-FE5A380F": 5, "ec2/L-1216C47A": 5,
		},
		VPCs:            []Tagged{{ID: "vpc-default", Tags: map[string]string{}}},
		Subnets:         map[string]string{},
		Offerings:       map[string][]string{},
		InstanceTypes:   map[string]int32{"m6i.large": 2, "m7i.large": 2, "m6i.xlarge": 4, "c6i.large": 2, "t3.medium": 2, "g5.xlarge": 4},
		ClusterVersions: map[string]ClusterVersion{},
		Addons:          map[string][]AddonVersion{},
		Roles:           map[string]string{},
		Users:           map[string]string{},
		EngineVersions:  map[string]string{},
		EngineLogTypes:  map[string][]string{},
		EngineCAs:       map[string][]string{},
		CognitoDomains:  map[string]CognitoDomain{},
		UserPools:       map[string]bool{},
		Parameters:      map[string]string{},
		Certificates:    map[string]Certificate{},
		HostedZones:     map[string]HostedZone{},
		Buckets:         map[string]Bucket{},
		Deny:            map[string]bool{},
	}
	for i, az := range env.AvailabilityZones {
		a.Zones = append(a.Zones, Zone{Name: az, ID: zoneID(env.Region, i+1), State: "available"})
	}
	for _, t := range env.Cluster.NodeGroup.InstanceTypes {
		a.Offerings[t] = append([]string(nil), env.AvailabilityZones...)
		if _, ok := a.InstanceTypes[t]; !ok {
			a.InstanceTypes[t] = 2
		}
	}
	for _, v := range config.KubernetesVersions {
		a.ClusterVersions[v] = ClusterVersion{Status: "standard-support", EndOfStandard: time.Date(2027, 3, 27, 0, 0, 0, 0, time.UTC)}
	}
	for _, name := range config.Addons {
		a.Addons[name] = []AddonVersion{{Version: DefaultAddonVersion, ClusterVersions: config.KubernetesVersions, Default: true, Schema: AddonSchemas[name]}}
		if pinned, ok := env.Cluster.AddonVersions[name]; ok && pinned != DefaultAddonVersion {
			a.Addons[name] = append(a.Addons[name], AddonVersion{Version: pinned, ClusterVersions: config.KubernetesVersions, Schema: AddonSchemas[name]})
		}
	}
	for _, arn := range env.Cluster.AdminPrincipalArns {
		resource := arn[strings.LastIndexByte(arn, ':')+1:] // role/PATH/NAME
		kind, pathName, _ := strings.Cut(resource, "/")
		i := strings.LastIndexByte(pathName, '/')
		path, name := "/"+pathName[:i+1], pathName[i+1:]
		if kind == "user" {
			a.Users[name] = path
		} else {
			a.Roles[name] = path
		}
	}
	// The bootstrap stack has run: the environment's CI apply role exists.
	a.Roles[config.ApplyRoleName(env.Name)] = "/"
	for _, v := range append(append([]string(nil), config.AuroraMySQLVersions...), env.Database.EngineVersion) {
		a.EngineVersions[v] = "available"
		a.EngineLogTypes[v] = append([]string(nil), AuroraMySQLLogTypes...)
		a.EngineCAs[v] = append([]string(nil), RDSCAs...)
	}
	a.Orderable = append(a.Orderable, Orderable{Engine: "aurora-mysql", Version: env.Database.EngineVersion, Class: env.Database.InstanceClass,
		Zones: append([]string(nil), env.AvailabilityZones...), PerformanceInsights: true})
	if arn := env.Gateway.AlbCertificateArn; arn != "" {
		a.Certificates[arn] = Certificate{Domain: env.Gateway.AlbTLSServerName, Status: "ISSUED", NotAfter: time.Now().AddDate(1, 0, 0)}
	}
	if d := env.Gateway.CustomDomain; d != nil {
		zone := d.Name[strings.IndexByte(d.Name, '.')+1:]
		a.HostedZones[strings.TrimPrefix(d.HostedZoneID, "/hostedzone/")] = HostedZone{Name: zone + "."}
	}
	if b := env.StateBackend; b != nil {
		a.Buckets[b.Bucket] = Bucket{Region: b.Region, Versioning: "Enabled"}
	}
	return a
}

// zoneID makes an AZ ID in AWS's style: ap-southeast-1, 2 -> apse1-az2.
func zoneID(region string, n int) string {
	short := strings.NewReplacer("north", "n", "south", "s", "east", "e", "west", "w", "central", "c", "-", "").Replace(region)
	return fmt.Sprintf("%s-az%d", short, n)
}
