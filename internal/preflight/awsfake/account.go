// Package awsfake is an in-process fake of the AWS endpoints preflight calls, answering in each
// service's real wire protocol (query/XML for STS, IAM, RDS and EC2; JSON 1.1 for ACM, Cognito,
// Service Quotas and SSM; REST-JSON for EKS; REST-XML for Route 53 and path-style S3) from an
// in-memory Account. Point an aws.Config at it with Server.Config; it records every call with
// the IAM action and resource it needs, so tests can hold the calls against the IAM policy.
package awsfake

import "time"

// Account is what the fake answers from. Every field may be changed by a test between runs.
type Account struct {
	ID        string
	CallerArn string
	Regions   map[string]string // region -> opt-in status (opt-in-not-required, opted-in, not-opted-in)
	Zones     []Zone

	Quotas        map[string]float64 // "service/code" -> applied value; absent: NoSuchResourceException
	DefaultQuotas map[string]float64 // "service/code" -> AWS's default

	VPCs        []Tagged
	Addresses   []Tagged
	NatGateways []NatGateway
	Subnets     map[string]string // subnet ID -> AZ

	Offerings     map[string][]string // instance type -> AZs offering it
	InstanceTypes map[string]int32    // instance type -> default vCPUs
	Instances     []Instance

	ClusterVersions map[string]ClusterVersion // Kubernetes version -> its support
	Addons          map[string][]AddonVersion // add-on name -> versions

	Roles map[string]string // role name -> path ("/", "/ops/")
	Users map[string]string // user name -> path

	EngineVersions map[string]string // aurora-mysql engine version -> status (available, deprecated)
	// EngineLogTypes and EngineCAs are, per engine version, the ExportableLogTypes and
	// SupportedCACertificateIdentifiers DescribeDBEngineVersions reports (none when absent).
	EngineLogTypes map[string][]string
	EngineCAs      map[string][]string
	DBClusters     map[string]string // existing Aurora cluster identifier -> its engine version
	Orderable      []Orderable

	CognitoDomains map[string]CognitoDomain // prefix -> owner
	UserPools      map[string]bool          // this account's user pool IDs
	Certificates   map[string]Certificate   // ARN -> certificate
	HostedZones    map[string]HostedZone    // ID (without /hostedzone/) -> zone
	Buckets        map[string]Bucket        // name -> bucket

	// Parameters are the public SSM parameters of the region (/aws/service/...): name -> value.
	Parameters map[string]string

	// Deny makes an IAM action answer access denied: everywhere ("ec2:DescribeVpcs") or in one
	// region ("ec2:DescribeRegions@us-east-1", as a region-restricting SCP does).
	Deny map[string]bool
}

// Zone is an availability zone.
type Zone struct {
	Name, ID, State string // State: available, impaired, unavailable
	Type            string // availability-zone (default), local-zone, wavelength-zone
}

// Tagged is a resource with an ID and tags (VPCs, Elastic IPs).
type Tagged struct {
	ID   string
	Tags map[string]string
	// Owner is the owning account when it is not this one (a VPC shared through AWS RAM).
	Owner string
}

// NatGateway is a NAT gateway in a subnet.
type NatGateway struct {
	ID, SubnetID, State string
	Tags                map[string]string
}

// Instance is a running EC2 instance.
type Instance struct {
	ID, Type       string
	Cores, Threads int32
	Lifecycle      string // "" on-demand, spot
	State          string // running (default), stopped
	Tags           map[string]string
}

// ClusterVersion is a Kubernetes version's support on EKS.
type ClusterVersion struct {
	Status        string // standard-support, extended-support, unsupported
	EndOfStandard time.Time
}

// AddonVersion is one version of an add-on with the Kubernetes versions it supports.
type AddonVersion struct {
	Version         string
	ClusterVersions []string
	Default         bool   // EKS's default for those versions
	Schema          string // its configuration JSON schema; "" publishes none
}

// Orderable is one orderable DB instance option.
type Orderable struct {
	Engine, Version, Class string
	Zones                  []string
	PerformanceInsights    bool
}

// CognitoDomain is a taken Cognito domain prefix.
type CognitoDomain struct {
	AccountID, UserPoolID string
	// OmitAccountID answers without AWSAccountId, which the API reference does not promise.
	OmitAccountID bool
}

// Certificate is an ACM certificate.
type Certificate struct {
	Domain   string
	SANs     []string
	Status   string // ISSUED, PENDING_VALIDATION, EXPIRED...
	NotAfter time.Time
}

// HostedZone is a Route 53 hosted zone.
type HostedZone struct {
	Name    string // with the trailing dot
	Private bool
}

// Bucket is an S3 bucket.
type Bucket struct {
	Region     string
	Versioning string // Enabled, Suspended, "" never enabled
	Foreign    bool   // another account's: HEAD answers 403
}
