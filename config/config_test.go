package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const validDev = `
name: dev
account_id: "111111111111"
region: ap-southeast-1
availability_zones: [ap-southeast-1a, ap-southeast-1b]
network:
  nat_gateway_mode: single
gitops:
  repo_url: https://github.com/example/phl-platform.git
tags:
  owner: team
`

func TestParseAppliesDefaults(t *testing.T) {
	env, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	if env.Network.VpcCidr.String() != DefaultVpcCidr || env.Network.PodCidr.String() != DefaultPodCidr {
		t.Errorf("CIDR defaults not applied: %v %v", env.Network.VpcCidr, env.Network.PodCidr)
	}
	if env.Network.FlowLogRetentionDays != DefaultFlowLogRetentionDays {
		t.Errorf("retention = %d", env.Network.FlowLogRetentionDays)
	}
	if env.StateBackend != nil {
		t.Error("no state_backend must mean local state")
	}
	c := env.Cluster
	if c.KubernetesVersion != KubernetesVersions[0] || c.NodeGroup.Size != DefaultNodeCount || c.EndpointPublicAccess ||
		c.NodeGroup.InstanceTypes[0] != DefaultNodeInstanceType || c.NodeGroup.DiskSizeGiB != DefaultNodeDiskGiB {
		t.Errorf("cluster defaults not applied: %+v", c)
	}
	if env.Partition != "aws" || env.ClusterName() != "phl-dev" || env.StackName("network") != "dev-network" {
		t.Errorf("derived names wrong: %s %s", env.Partition, env.ClusterName())
	}
	tags := env.DefaultTags()
	if tags["environment"] != "dev" || tags["owner"] != "team" || tags["managed-by"] != "cdktf" || tags["repository"] != Repository {
		t.Errorf("default tags = %v", tags)
	}
}

func TestProdDefaultsToNatPerAZ(t *testing.T) {
	src := strings.NewReplacer("name: dev", "name: prod", "[ap-southeast-1a, ap-southeast-1b]", "[ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]",
		"  nat_gateway_mode: single\n", "").Replace(validDev) + prodState
	env, err := Parse("environments/prod.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if env.Network.NatGatewayMode != NatOnePerAZ {
		t.Errorf("prod NAT mode = %s", env.Network.NatGatewayMode)
	}
}

func TestStateBackendDefaults(t *testing.T) {
	env, err := Parse("environments/dev.yaml", []byte(validDev+"state_backend:\n  bucket: my-state\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := env.StateBackend
	if b == nil || b.Bucket != "my-state" || b.Region != "ap-southeast-1" || b.KeyPrefix != DefaultStateKeyPrefix {
		t.Errorf("state backend = %+v", b)
	}
}

// prodOld/prodNew turn validDev into a valid prod file (three AZs, a NAT gateway per AZ).
const (
	prodOld = "name: dev\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b]\nnetwork:\n  nat_gateway_mode: single\n"
	prodNew = "name: prod\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]\n" + prodState + "network:\n  nat_gateway_mode: one_per_az\n"
	// prodState is the state backend prod requires.
	prodState = "state_backend:\n  bucket: my-prod-state\n"
)

// Each invalid value must stop with one line naming the file, the key, the value and what is allowed.
func TestInvalidSettings(t *testing.T) {
	cases := []struct {
		name, file, old, new string
		want                 []string
	}{
		{"bad CIDR", "dev", "network:\n", "network:\n  vpc_cidr: 10.0.0.0/33\n", []string{"network.vpc_cidr", `"10.0.0.0/33"`, "not an IPv4 CIDR", "allowed:"}},
		{"host bits", "dev", "network:\n", "network:\n  vpc_cidr: 10.0.1.0/16\n", []string{"network.vpc_cidr", "host bits", "10.0.0.0/16"}},
		{"VPC too small", "dev", "network:\n", "network:\n  vpc_cidr: 10.0.0.0/24\n", []string{"network.vpc_cidr", "/24", "/16 to /20"}},
		{"public VPC range", "dev", "network:\n", "network:\n  vpc_cidr: 11.0.0.0/16\n", []string{"network.vpc_cidr", "not a private range"}},
		{"overlapping CIDRs", "dev", "network:\n", "network:\n  pod_cidr: 10.0.128.0/17\n", []string{"network.pod_cidr", "overlaps network.vpc_cidr 10.0.0.0/16"}},
		{"pod CIDR outside RFC 6598/1918", "dev", "network:\n", "network:\n  pod_cidr: 8.8.0.0/16\n", []string{"network.pod_cidr", "8.8.0.0/16", "RFC 6598"}},
		{"pod CIDR in another RFC 1918 block", "dev", "network:\n", "network:\n  pod_cidr: 192.168.0.0/16\n", []string{"network.pod_cidr", "not usable as a secondary range"}},
		{"too few AZs", "dev", "[ap-southeast-1a, ap-southeast-1b]", "[ap-southeast-1a]", []string{"availability_zones", "1 zones given", "2 to 4 zones"}},
		{"prod needs three AZs", "prod", "name: dev", "name: prod", []string{"environments/prod.yaml", "availability_zones", "3 to 4 zones"}},
		{"duplicate AZ", "dev", "[ap-southeast-1a, ap-southeast-1b]", "[ap-southeast-1a, ap-southeast-1a]", []string{"availability_zones[1]", "listed twice"}},
		{"foreign-region AZ", "dev", "[ap-southeast-1a, ap-southeast-1b]", "[ap-southeast-1a, eu-west-1b]", []string{"availability_zones[1]", `"eu-west-1b"`, "not a zone of region ap-southeast-1"}},
		{"unknown environment", "qa", "name: dev", "name: qa", []string{"environments/qa.yaml", "name", `"qa"`, "unknown environment", "dev, prod"}},
		{"name differs from file", "prod", "", "", []string{"environments/prod.yaml", "name", "does not match the file name"}},
		{"unknown key", "dev", "network:\n", "network:\n  vpc_cdir: 10.0.0.0/16\n", []string{"network.vpc_cdir", "unknown key", "vpc_cidr"}},
		{"unknown top-level key", "dev", "tags:", "regoin: x\ntags:", []string{"regoin", "unknown key", "region"}},
		{"missing account", "dev", "account_id: \"111111111111\"\n", "", []string{"account_id", "12 digits"}},
		{"bad region", "dev", "region: ap-southeast-1", "region: Singapore", []string{"region", `"Singapore"`}},
		{"China partition", "dev", "ap-southeast-1", "cn-north-1", []string{"region", `"cn-north-1"`, "aws-cn partition is not supported"}},
		{"GovCloud partition", "dev", "ap-southeast-1", "us-gov-west-1", []string{"region", `"us-gov-west-1"`, "aws-us-gov partition is not supported"}},
		{"bad NAT mode", "dev", "nat_gateway_mode: single", "nat_gateway_mode: many", []string{"network.nat_gateway_mode", `"many"`, "single, one_per_az"}},
		{"bad retention", "dev", "network:\n", "network:\n  flow_log_retention_days: 10\n", []string{"network.flow_log_retention_days", `"10"`, "14, 30"}},
		{"unknown endpoint", "dev", "network:\n", "network:\n  interface_endpoints: [s3]\n", []string{"network.interface_endpoints[0]", `"s3"`, "ecr.api"}},
		{"reserved tag", "dev", "owner: team", "environment: x", []string{"tags.environment", "set by the platform"}},
		{"reserved component tag", "dev", "owner: team", "component: x", []string{"tags.component", "set by the platform", "component, environment"}},
		{"fraction in an integer key", "dev", "tags:", "cluster:\n  node_group:\n    disk_size_gib: 50.5\ntags:", []string{"cluster.node_group.disk_size_gib", `"50.5"`, "not a whole number"}},
		{"fraction in a retention", "dev", "network:\n", "network:\n  flow_log_retention_days: 30.0\n", []string{"network.flow_log_retention_days", `"30.0"`, "not a whole number"}},
		{"string for a boolean", "dev", "tags:", "cluster:\n  endpoint_public_access: \"no\"\ntags:", []string{"cluster.endpoint_public_access", `"no"`, "true or false"}},
		{"bad bucket", "dev", "tags:", "state_backend:\n  bucket: My_Bucket\ntags:", []string{"state_backend.bucket", `"My_Bucket"`}},
		{"backend without bucket", "dev", "tags:", "state_backend:\n  region: eu-west-1\ntags:", []string{"state_backend.bucket", "required"}},
		{"unsupported Kubernetes version", "dev", "tags:", "cluster:\n  kubernetes_version: \"1.31\"\ntags:", []string{"cluster.kubernetes_version", `"1.31"`, "standard support", "1.35"}},
		{"public endpoint without allowlist", "dev", "tags:", "cluster:\n  endpoint_public_access: true\ntags:", []string{"cluster.public_access_cidrs", "empty while endpoint_public_access is true"}},
		{"allowlist of the whole internet", "dev", "tags:", "cluster:\n  endpoint_public_access: true\n  public_access_cidrs: [0.0.0.0/0]\ntags:", []string{"cluster.public_access_cidrs[0]", "whole internet"}},
		{"allowlist while private", "dev", "tags:", "cluster:\n  public_access_cidrs: [203.0.113.0/24]\ntags:", []string{"cluster.public_access_cidrs", "endpoint_public_access is false"}},
		{"bad admin ARN", "dev", "tags:", "cluster:\n  admin_principal_arns: [admin]\ntags:", []string{"cluster.admin_principal_arns[0]", `"admin"`, "role or user ARN"}},
		{"zero nodes", "dev", "tags:", "cluster:\n  node_group:\n    size: 0\ntags:", []string{"cluster.node_group.size", `"0"`, "1 to 20"}},
		{"arm instance type", "dev", "tags:", "cluster:\n  node_group:\n    instance_types: [m7g.large]\ntags:", []string{"cluster.node_group.instance_types[0]", "x86_64"}},
		{"unknown add-on", "dev", "tags:", "cluster:\n  addon_versions:\n    istio: v1.0.0-eksbuild.1\ntags:", []string{"cluster.addon_versions.istio", "unknown add-on", "vpc-cni"}},
		{"bad add-on version", "dev", "tags:", "cluster:\n  addon_versions:\n    vpc-cni: latest\ntags:", []string{"cluster.addon_versions.vpc-cni", `"latest"`, "eksbuild"}},
		{"unknown cluster key", "dev", "tags:", "cluster:\n  node_groups: {}\ntags:", []string{"cluster.node_groups", "unknown key", "node_group"}},
		{"unknown engine version", "dev", "tags:", "database:\n  engine_version: \"5.7.mysql_aurora.2.12.0\"\ntags:", []string{"database.engine_version", "5.7.mysql_aurora.2.12.0", "8.0.mysql_aurora.3.10.4"}},
		{"bad instance class", "dev", "tags:", "database:\n  instance_class: r6g.large\ntags:", []string{"database.instance_class", `"r6g.large"`, "db.serverless"}},
		{"ACU without serverless", "dev", "tags:", "database:\n  serverless_max_acu: 4\ntags:", []string{"database.serverless_max_acu", "only for instance_class db.serverless"}},
		{"ACU off the half step", "dev", "tags:", "database:\n  instance_class: db.serverless\n  serverless_max_acu: 4.2\ntags:", []string{"database.serverless_max_acu", `"4.2"`, "steps of 0.5"}},
		{"ACU min above max", "dev", "tags:", "database:\n  instance_class: db.serverless\n  serverless_min_acu: 16\n  serverless_max_acu: 8\ntags:", []string{"database.serverless_min_acu", "greater than serverless_max_acu 8"}},
		{"readers above max readers", "dev", "tags:", "database:\n  readers: 3\n  max_readers: 2\ntags:", []string{"database.max_readers", `"2"`, "below readers (3)", "3 to 15"}},
		{"autoscaling without a reader", "dev", "tags:", "database:\n  max_readers: 2\ntags:", []string{"database.max_readers", `"2"`, "at least one reader to measure"}},
		{"too many readers", "dev", "tags:", "database:\n  readers: 16\ntags:", []string{"database.readers", `"16"`, "0 to 15"}},
		{"prod without a reader", "prod", prodOld, prodNew + "database:\n  readers: 0\n", []string{"environments/prod.yaml", "database.readers", `"0"`, "1 to 15"}},
		{"short backup retention", "dev", "tags:", "database:\n  backup_retention_days: 3\ntags:", []string{"database.backup_retention_days", `"3"`, "7 to 35"}},
		{"prod backup retention under 30", "prod", prodOld, prodNew + "database:\n  backup_retention_days: 14\n", []string{"database.backup_retention_days", `"14"`, "30 to 35"}},
		{"prod without a state backend", "prod", "name: dev\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b]\nnetwork:\n  nat_gateway_mode: single\n",
			"name: prod\naccount_id: \"111111111111\"\nregion: ap-southeast-1\navailability_zones: [ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]\nnetwork:\n  nat_gateway_mode: one_per_az\n",
			[]string{"environments/prod.yaml", "state_backend.bucket", "required for this environment", "Cognito client secret"}},
		{"prod without deletion protection", "prod", prodOld, prodNew + "database:\n  deletion_protection: false\n", []string{"database.deletion_protection", "deletion protection is required"}},
		{"prod without a final snapshot", "prod", prodOld, prodNew + "database:\n  final_snapshot: false\n", []string{"database.final_snapshot", "final snapshot is required"}},
		{"bad backup window", "dev", "tags:", "database:\n  backup_window: 25:00-26:00\ntags:", []string{"database.backup_window", `"25:00-26:00"`, "hh:mm-hh:mm"}},
		{"backup window too short", "dev", "tags:", "database:\n  backup_window: 03:00-03:20\ntags:", []string{"database.backup_window", "shorter than 30 minutes"}},
		{"bad maintenance window", "dev", "tags:", "database:\n  maintenance_window: sunday:03:00-sunday:04:00\ntags:", []string{"database.maintenance_window", "ddd:hh:mm-ddd:hh:mm"}},
		{"windows overlap", "dev", "tags:", "database:\n  backup_window: 17:00-18:00\n  maintenance_window: wed:17:30-wed:18:30\ntags:", []string{"database.maintenance_window", "overlaps backup_window 17:00-18:00"}},
		{"windows overlap across midnight", "dev", "tags:", "database:\n  backup_window: 23:30-00:30\n  maintenance_window: mon:00:00-mon:01:00\ntags:", []string{"database.maintenance_window", "overlaps backup_window 23:30-00:30"}},
		{"system schema as database name", "dev", "tags:", "database:\n  database_name: mysql\ntags:", []string{"database.database_name", `"mysql"`, "not a system schema"}},
		{"database name with a hyphen", "dev", "tags:", "database:\n  database_name: phl-store\ntags:", []string{"database.database_name", `"phl-store"`}},
		{"bad database log retention", "dev", "tags:", "database:\n  log_retention_days: 10\ntags:", []string{"database.log_retention_days", `"10"`, "14, 30"}},
		{"Performance Insights on a small class", "dev", "tags:", "database:\n  instance_class: db.t3.medium\n  performance_insights: true\ntags:", []string{"database.performance_insights", "no Performance Insights on db.t3.medium"}},
		{"reader CPU target out of range", "dev", "tags:", "database:\n  reader_target_cpu: 95\ntags:", []string{"database.reader_target_cpu", `"95"`, "10 to 90"}},
		{"fraction in readers", "dev", "tags:", "database:\n  readers: 1.5\ntags:", []string{"database.readers", "not a whole number"}},
		{"unknown database key", "dev", "tags:", "database:\n  multi_az: true\ntags:", []string{"database.multi_az", "unknown key", "instance_class"}},
		{"Cognito prefix with a reserved word", "dev", "tags:", "gateway:\n  cognito_domain_prefix: my-cognito-login\ntags:", []string{"gateway.cognito_domain_prefix", `"my-cognito-login"`, "without aws, amazon or cognito"}},
		{"no Git repository", "dev", "  repo_url: https://github.com/example/phl-platform.git\n", "", []string{"gitops.repo_url", "required", "https or ssh URL"}},
		{"repository URL with a password", "dev", "https://github.com/example", "https://bot:s3cret@github.com/example", []string{"gitops.repo_url", "carries credentials", "repository Secret"}},
		{"plain http repository", "dev", "https://github.com/example", "http://github.com/example", []string{"gitops.repo_url", "not a Git repository URL"}},
		{"revision with ..", "dev", "gitops:\n", "gitops:\n  revision: main..dev\n", []string{"gitops.revision", `"main..dev"`, "branch, tag or commit"}},
		{"rotation ID with a space", "dev", "gitops:\n", "gitops:\n  phl_store_rotation_id: \"2026 11\"\n", []string{"gitops.phl_store_rotation_id", `"2026 11"`, "letters, digits"}},
		{"Cognito prefix with capitals", "dev", "tags:", "gateway:\n  cognito_domain_prefix: PHL-Dev\ntags:", []string{"gateway.cognito_domain_prefix", `"PHL-Dev"`, "lowercase"}},
		{"zero throttling rate", "dev", "tags:", "gateway:\n  throttling_rate_limit: 0\ntags:", []string{"gateway.throttling_rate_limit", `"0"`, "1 to 10000"}},
		{"burst above the account quota", "dev", "tags:", "gateway:\n  throttling_burst_limit: 9000\ntags:", []string{"gateway.throttling_burst_limit", `"9000"`, "1 to 5000"}},
		{"WAF limit below the minimum", "dev", "tags:", "gateway:\n  waf_rate_limit: 5\ntags:", []string{"gateway.waf_rate_limit", `"5"`, "10 to"}},
		{"CORS wildcard with credentials", "dev", "tags:", "gateway:\n  cors_allowed_origins: [\"*\"]\n  cors_allow_credentials: true\ntags:", []string{"gateway.cors_allowed_origins[0]", `"*"`, "wildcard origin with cors_allow_credentials"}},
		{"CORS origin with a path", "dev", "tags:", "gateway:\n  cors_allowed_origins: [https://shop.example.com/app]\ntags:", []string{"gateway.cors_allowed_origins[0]", "not an origin"}},
		{"token validity too long", "dev", "tags:", "gateway:\n  access_token_validity_minutes: 2000\ntags:", []string{"gateway.access_token_validity_minutes", `"2000"`, "5 to 1440"}},
		{"certificate of another region", "dev", "tags:", "gateway:\n  alb_certificate_arn: arn:aws:acm:us-east-1:111111111111:certificate/12345678-1234-1234-1234-123456789012\ntags:", []string{"gateway.alb_certificate_arn", "not an ACM certificate ARN of this account and region"}},
		{"certificate without a server name", "dev", "tags:", "gateway:\n  alb_certificate_arn: arn:aws:acm:ap-southeast-1:111111111111:certificate/12345678-1234-1234-1234-123456789012\ntags:", []string{"gateway.alb_tls_server_name", "required with alb_certificate_arn"}},
		{"domain without a hosted zone", "dev", "tags:", "gateway:\n  custom_domain:\n    name: api.example.com\ntags:", []string{"gateway.custom_domain.hosted_zone_id", "required with a custom domain"}},
		{"bad domain name", "dev", "tags:", "gateway:\n  custom_domain:\n    name: api_example\n    hosted_zone_id: Z0123456789ABCDEFGHIJ\ntags:", []string{"gateway.custom_domain.name", `"api_example"`, "not a DNS name"}},
		{"unknown gateway key", "dev", "tags:", "gateway:\n  rate_limit: 10\ntags:", []string{"gateway.rate_limit", "unknown key", "waf_rate_limit"}},
		{"wrong type", "dev", "network:\n", "network:\n  flow_log_retention_days: thirty\n", []string{"environments/dev.yaml", "thirty"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := validDev
			if c.old != "" {
				if !strings.Contains(src, c.old) {
					t.Fatalf("test setup: %q not in the valid file", c.old)
				}
				src = strings.Replace(src, c.old, c.new, 1)
			}
			_, err := Parse("environments/"+c.file+".yaml", []byte(src))
			if err == nil {
				t.Fatal("expected an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans several lines: %q", msg)
			}
			for _, w := range append([]string{"environments/" + c.file + ".yaml"}, c.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not mention %q", msg, w)
				}
			}
		})
	}
}

func TestLoadSelection(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dev.yaml"), []byte(validDev), 0o644); err != nil {
		t.Fatal(err)
	}
	envs, err := Load(dir, "")
	if err != nil || len(envs) != 1 || envs[0].Name != "dev" {
		t.Fatalf("Load all = %v, %v", envs, err)
	}
	_, err = Load(dir, "dev,staging")
	if err == nil || !strings.Contains(err.Error(), SelectionVar) || !strings.Contains(err.Error(), `"staging"`) || !strings.Contains(err.Error(), "allowed: dev") {
		t.Errorf("unknown selection error = %v", err)
	}
	if _, err := Load(t.TempDir(), ""); err == nil {
		t.Error("an empty directory must be an error")
	}
}

// The shipped files must always be valid: they are what `make plan` and CI synthesize.
func TestShippedEnvironmentsAreValid(t *testing.T) {
	envs, err := Load(filepath.Join("..", DefaultDir), "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*Environment{}
	for _, e := range envs {
		got[e.Name] = e
	}
	if got["dev"] == nil || got["prod"] == nil {
		t.Fatalf("shipped environments = %v; want dev and prod", got)
	}
	for _, e := range envs {
		if len(e.Cluster.AdminPrincipalArns) == 0 || e.Cluster.EndpointPublicAccess {
			t.Errorf("%s: shipped clusters are private and name an admin principal", e.Name)
		}
	}
	if !got["prod"].Cluster.NodeGroup.CriticalAddonsTaint || got["prod"].Cluster.NodeGroup.Size < 3 {
		t.Error("prod's node group must be tainted for critical add-ons and span its three AZs")
	}
	if got["dev"].Network.NatGatewayMode != NatSingle || got["prod"].Network.NatGatewayMode != NatOnePerAZ {
		t.Error("dev must use a single NAT gateway and prod one per AZ")
	}
	if len(got["prod"].AvailabilityZones) < 3 {
		t.Error("prod must span at least three AZs")
	}
}

func TestDatabaseDefaultsPerEnvironment(t *testing.T) {
	dev, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	d := dev.Database
	if d.EngineVersion != AuroraMySQLVersions[0] || d.InstanceClass != "db.t4g.medium" || d.Readers != 0 || d.MaxReaders != 0 ||
		d.BackupRetentionDays != 7 || !d.DeletionProtection || !d.FinalSnapshot || d.DatabaseName != "products" || d.PerformanceInsights {
		t.Errorf("dev database defaults = %+v", d)
	}
	src := strings.NewReplacer("name: dev", "name: prod", "[ap-southeast-1a, ap-southeast-1b]", "[ap-southeast-1a, ap-southeast-1b, ap-southeast-1c]",
		"  nat_gateway_mode: single\n", "").Replace(validDev) + prodState
	prod, err := Parse("environments/prod.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	p := prod.Database
	if p.InstanceClass != "db.r6g.large" || p.Readers != 1 || p.MaxReaders != 3 || p.BackupRetentionDays != 30 || !p.PerformanceInsights {
		t.Errorf("prod database defaults = %+v", p)
	}
	serverless, err := Parse("environments/dev.yaml", []byte(validDev+"database:\n  instance_class: db.serverless\n"))
	if err != nil || serverless.Database.ServerlessMinACU != 0.5 || serverless.Database.ServerlessMaxACU != 8 {
		t.Errorf("serverless defaults = %+v, %v", serverless.Database, err)
	}
}

func TestGatewayDefaults(t *testing.T) {
	env, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	g := env.Gateway
	if g.CognitoDomainPrefix != "phl-dev-111111111111" || g.ThrottlingRateLimit != 100 || g.WafRateLimit != DefaultWafRateLimit ||
		g.CustomDomain != nil || g.AlbCertificateArn != "" || len(g.CorsAllowedOrigins) != 0 || g.AccessTokenValidityMinutes != 60 {
		t.Errorf("gateway defaults = %+v", g)
	}
}

func TestRequireStateBackend(t *testing.T) {
	local, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	remote, err := Parse("environments/dev.yaml", []byte(validDev+"state_backend:\n  bucket: my-state\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := RequireStateBackend([]*Environment{remote}); err != nil {
		t.Errorf("an S3-backed environment was refused: %v", err)
	}
	err = RequireStateBackend([]*Environment{remote, local})
	if err == nil || strings.Contains(err.Error(), "\n") || !containsEvery(err.Error(), "environments/dev.yaml", "state_backend.bucket", RequireStateBackendVar, "allowed:") {
		t.Errorf("local state accepted or unclear error: %v", err)
	}
}

func containsEvery(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// A version close to the end of standard support is refused, naming the date and the way out.
func TestKubernetesVersionNearEndOfStandardSupport(t *testing.T) {
	defer func(saved func() time.Time) { now = saved }(now)
	src := validDev + "cluster:\n  kubernetes_version: \"1.35\"\n"
	now = func() time.Time { return time.Date(2027, 2, 24, 0, 0, 0, 0, time.UTC) }
	if _, err := Parse("environments/dev.yaml", []byte(src)); err != nil {
		t.Fatalf("31 days before the end: %v", err)
	}
	now = func() time.Time { return time.Date(2027, 2, 26, 0, 0, 0, 0, time.UTC) }
	_, err := Parse("environments/dev.yaml", []byte(src))
	if err == nil || !containsEvery(err.Error(), "cluster.kubernetes_version", `"1.35"`, "2027-03-27", "allowed: a newer version: 1.36") {
		t.Errorf("29 days before the end: %v", err)
	}
	// The default version is checked too.
	if _, err := Parse("environments/dev.yaml", []byte(validDev)); err == nil {
		t.Error("the default version passed after its notice period")
	}
	// A hotfix can go through deliberately.
	t.Setenv(AllowEndingSupportVar, "true")
	if _, err := Parse("environments/dev.yaml", []byte(src)); err != nil {
		t.Errorf("with %s=true: %v", AllowEndingSupportVar, err)
	}
}

func TestMinorOrderIsNumeric(t *testing.T) {
	if minorOf("1.10") <= minorOf("1.9") {
		t.Error("1.10 sorted before 1.9")
	}
}

func TestKarpenterSupportsEveryKubernetesVersion(t *testing.T) {
	for _, v := range KubernetesVersions {
		if !slices.Contains(KarpenterKubernetesVersions, v) {
			t.Errorf("Kubernetes %s is allowed, but Karpenter %s does not support it", v, KarpenterVersion)
		}
	}
	for v, end := range StandardSupportEnds {
		if _, err := time.Parse(time.DateOnly, end); err != nil || !slices.Contains(KubernetesVersions, v) {
			t.Errorf("StandardSupportEnds[%s] = %s: not a date of an allowed version", v, end)
		}
	}
}

// The Kubernetes rung's API server must be the cluster's default minor (scripts/versions.env).
func TestKubernetesRungMatchesTheDefaultVersion(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "scripts", "versions.env"))
	if err != nil {
		t.Fatal(err)
	}
	var rung string
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "KUBERNETES_VERSION="); ok {
			rung = strings.Fields(v)[0]
		}
	}
	if !strings.HasPrefix(rung, "v"+KubernetesVersions[0]+".") {
		t.Errorf("scripts/versions.env KUBERNETES_VERSION=%s; the default cluster version is %s: build the rung's API server at that minor", rung, KubernetesVersions[0])
	}
}

func TestGitopsDefaultsAndProdHA(t *testing.T) {
	dev, err := Parse("environments/dev.yaml", []byte(validDev))
	if err != nil {
		t.Fatal(err)
	}
	if g := dev.Gitops; g.Revision != "main" || g.ArgoCDHA || g.RotationID != "" || g.RepoURL != "https://github.com/example/phl-platform.git" {
		t.Errorf("dev gitops defaults: %+v", g)
	}
	prod, err := os.ReadFile("../environments/prod.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if env, err := Parse("environments/prod.yaml", prod); err != nil || !env.Gitops.ArgoCDHA {
		t.Fatalf("shipped prod: HA %v, %v", env != nil && env.Gitops.ArgoCDHA, err)
	}
	off := strings.Replace(string(prod), "argocd_ha: true", "argocd_ha: false", 1)
	if _, err := Parse("environments/prod.yaml", []byte(off)); err == nil || !strings.Contains(err.Error(), `gitops.argocd_ha = "false": this environment runs Argo CD highly available`) {
		t.Fatalf("prod without HA Argo CD: %v", err)
	}
}

// The Kubernetes rung loads the CRDs of the Argo CD this stack installs.
func TestKubernetesRungLoadsTheDeployedArgoCD(t *testing.T) {
	versions, err := os.ReadFile("../scripts/versions.env")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ARGOCD_VERSION=" + ArgoCDVersion + " ", "ARGOCD_CHART_VERSION=" + ArgoCDChartVersion + " "} {
		if !strings.Contains(string(versions), want) {
			t.Errorf("scripts/versions.env lacks %q (config/gitops.go pins it)", want)
		}
	}
}
