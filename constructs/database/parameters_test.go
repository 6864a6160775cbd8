package database

import (
	"strings"
	"testing"

	"github.com/phl-platform/phl-platform/config"
)

func TestParameterGroupFamilyFollowsTheEngineVersion(t *testing.T) {
	for version, want := range map[string]string{
		"8.0.mysql_aurora.3.10.4":   "aurora-mysql8.0",
		"8.0.mysql_aurora.3.12.0":   "aurora-mysql8.0",
		"5.7.mysql_aurora.2.12.5":   "aurora-mysql5.7",
		"8.4.mysql_aurora.4.0.0":    "aurora-mysql8.4",
		"8.0.mysql_aurora.3.05.0.1": "aurora-mysql8.0",
	} {
		if got, err := ParameterGroupFamily(version); err != nil || got != want {
			t.Errorf("ParameterGroupFamily(%q) = %q, %v; want %q", version, got, err, want)
		}
	}
	for _, bad := range []string{"", "8.0", "8.0.36", "aurora-mysql8.0", "8.0.mysql_aurora.", "16.4", " 8.0.mysql_aurora.3.10.4"} {
		if got, err := ParameterGroupFamily(bad); err == nil || !strings.Contains(err.Error(), "not an Aurora MySQL version") {
			t.Errorf("ParameterGroupFamily(%q) = %q, %v; want an error", bad, got, err)
		}
	}
}

// Every version config accepts has a family, so no environment reaches the construct with one
// it cannot name.
func TestEverySupportedVersionHasAFamily(t *testing.T) {
	for _, v := range config.AuroraMySQLVersions {
		if _, err := ParameterGroupFamily(v); err != nil {
			t.Errorf("config.AuroraMySQLVersions: %v", err)
		}
	}
}

func TestPropsRejectAVersionWithoutAFamily(t *testing.T) {
	id := "x"
	p := Props{Name: "phl-dev", AccountID: "111111111111", Region: "ap-southeast-1", VpcID: &id, ClientSecurityGroupID: &id,
		SubnetIDs: []*string{&id, &id}, AvailabilityZones: []string{"a", "b"}, InstanceClass: "db.t4g.medium",
		SecretsPrefix: "phl-dev/", EksClusterArn: "arn", SecretReaderRoleArn: "arn", BackupWindow: "17:00-18:00",
		MaintenanceWindow: "sun:18:30-sun:19:30", EngineVersion: "8.0.mysql_aurora.3.10.4"}.withDefaults()
	if err := p.validate(); err != nil {
		t.Fatalf("valid props: %v", err)
	}
	p.EngineVersion = "8.0.36"
	if err := p.validate(); err == nil || !strings.Contains(err.Error(), `"8.0.36"`) {
		t.Errorf("validate() = %v; want the version named", err)
	}
}
