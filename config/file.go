package config

// fileDoc is the YAML layout of environments/<name>.yaml. Keys not listed here are errors.
type fileDoc struct {
	Name              string            `yaml:"name"`
	AccountID         string            `yaml:"account_id"`
	Region            string            `yaml:"region"`
	AvailabilityZones []string          `yaml:"availability_zones"`
	Network           fileNetwork       `yaml:"network"`
	Cluster           fileCluster       `yaml:"cluster"`
	Database          fileDatabase      `yaml:"database"`
	Gateway           fileGateway       `yaml:"gateway"`
	Gitops            fileGitops        `yaml:"gitops"`
	Delivery          fileDelivery      `yaml:"delivery"` // config/delivery.go
	StateBackend      *fileStateBackend `yaml:"state_backend"`
	Tags              map[string]string `yaml:"tags"`
	Teardown          *bool             `yaml:"teardown"` // config/teardown.go
}

type fileNetwork struct {
	VpcCidr              *string  `yaml:"vpc_cidr"`
	PodCidr              *string  `yaml:"pod_cidr"`
	NatGatewayMode       *string  `yaml:"nat_gateway_mode"`
	FlowLogRetentionDays *int     `yaml:"flow_log_retention_days"`
	InterfaceEndpoints   []string `yaml:"interface_endpoints"`
}

type fileCluster struct {
	KubernetesVersion    *string           `yaml:"kubernetes_version"`
	EndpointPublicAccess bool              `yaml:"endpoint_public_access"`
	PublicAccessCidrs    []string          `yaml:"public_access_cidrs"`
	AdminPrincipalArns   []string          `yaml:"admin_principal_arns"`
	LogRetentionDays     *int              `yaml:"control_plane_log_retention_days"`
	NodeGroup            fileNodeGroup     `yaml:"node_group"`
	AddonVersions        map[string]string `yaml:"addon_versions"`
}

type fileNodeGroup struct {
	InstanceTypes       []string `yaml:"instance_types"`
	Size                *int     `yaml:"size"`
	DiskSizeGiB         *int     `yaml:"disk_size_gib"`
	CriticalAddonsTaint bool     `yaml:"critical_addons_taint"`
}

type fileDatabase struct {
	EngineVersion       *string  `yaml:"engine_version"`
	InstanceClass       *string  `yaml:"instance_class"`
	ServerlessMinACU    *float64 `yaml:"serverless_min_acu"`
	ServerlessMaxACU    *float64 `yaml:"serverless_max_acu"`
	Readers             *int     `yaml:"readers"`
	MaxReaders          *int     `yaml:"max_readers"`
	ReaderTargetCPU     *int     `yaml:"reader_target_cpu"`
	BackupRetentionDays *int     `yaml:"backup_retention_days"`
	BackupWindow        *string  `yaml:"backup_window"`
	MaintenanceWindow   *string  `yaml:"maintenance_window"`
	DeletionProtection  *bool    `yaml:"deletion_protection"`
	FinalSnapshot       *bool    `yaml:"final_snapshot"`
	DatabaseName        *string  `yaml:"database_name"`
	LogRetentionDays    *int     `yaml:"log_retention_days"`
	PerformanceInsights *bool    `yaml:"performance_insights"`
}

type fileGateway struct {
	CognitoDomainPrefix        *string           `yaml:"cognito_domain_prefix"`
	ThrottlingRateLimit        *int              `yaml:"throttling_rate_limit"`
	ThrottlingBurstLimit       *int              `yaml:"throttling_burst_limit"`
	WafRateLimit               *int              `yaml:"waf_rate_limit"`
	CorsAllowedOrigins         []string          `yaml:"cors_allowed_origins"`
	CorsAllowCredentials       bool              `yaml:"cors_allow_credentials"`
	AccessTokenValidityMinutes *int              `yaml:"access_token_validity_minutes"`
	AlbCertificateArn          string            `yaml:"alb_certificate_arn"`
	AlbTLSServerName           string            `yaml:"alb_tls_server_name"`
	CustomDomain               *fileCustomDomain `yaml:"custom_domain"`
	LogRetentionDays           *int              `yaml:"log_retention_days"`
	AlbLogExpirationDays       *int              `yaml:"alb_log_expiration_days"`
}

type fileGitops struct {
	RepoURL            string  `yaml:"repo_url"`
	Revision           *string `yaml:"revision"`
	ArgoCDHA           *bool   `yaml:"argocd_ha"`
	PhlStoreRotationID string  `yaml:"phl_store_rotation_id"`
}

type fileCustomDomain struct {
	Name         string `yaml:"name"`
	HostedZoneID string `yaml:"hosted_zone_id"`
}

type fileStateBackend struct {
	Bucket    string `yaml:"bucket"`
	Region    string `yaml:"region"`
	KeyPrefix string `yaml:"key_prefix"`
	KmsKeyID  string `yaml:"kms_key_id"`
}

// Defaults for keys a file may leave out.
const (
	DefaultVpcCidr              = "10.0.0.0/16"
	DefaultPodCidr              = "100.64.0.0/16"
	DefaultFlowLogRetentionDays = 90
	DefaultStateKeyPrefix       = "phl-platform"
)
