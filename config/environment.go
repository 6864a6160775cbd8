// Package config holds the typed settings of each environment. Environments are YAML files
// (environments/<name>.yaml) that users edit; Load validates every value before anything is
// synthesized and reports the first problem as one line naming file, key, value and what is
// allowed.
package config

import "net/netip"

// Project and Repository appear in every resource's default tags and in resource names.
const (
	Project    = "phl"
	Repository = "github.com/phl-platform/phl-platform"
)

// NatGatewayMode chooses how many NAT gateways the VPC gets.
type NatGatewayMode string

const (
	NatSingle   NatGatewayMode = "single"     // one NAT gateway in the first AZ (cheap, not AZ-resilient)
	NatOnePerAZ NatGatewayMode = "one_per_az" // one NAT gateway per AZ (AZ-resilient)
)

// Environment is one validated environment, as the stacks consume it.
type Environment struct {
	Name              string
	AccountID         string
	Region            string
	Partition         string // aws, aws-cn or aws-us-gov, derived from the region
	AvailabilityZones []string
	Network           Network
	Cluster           Cluster
	StateBackend      *StateBackend // nil: local state files
	Tags              map[string]string
	SourceFile        string
}

// Network is the VPC part of an environment.
type Network struct {
	VpcCidr              netip.Prefix
	PodCidr              netip.Prefix
	NatGatewayMode       NatGatewayMode
	FlowLogRetentionDays int
	InterfaceEndpoints   []string // short service names, e.g. "ecr.api"
}

// StateBackend is an S3 bucket that holds every stack's state of the environment.
type StateBackend struct {
	Bucket    string
	Region    string
	KeyPrefix string
	KmsKeyID  string // optional: a CMK for state encryption; SSE-S3 otherwise
}

// ClusterName is the EKS cluster's name, also used for the Karpenter discovery tags.
func (e *Environment) ClusterName() string { return Project + "-" + e.Name }

// StackName names one of the environment's stacks, e.g. "dev-network".
func (e *Environment) StackName(component string) string { return e.Name + "-" + component }

// DefaultTags are put on every taggable resource by the AWS provider.
func (e *Environment) DefaultTags() map[string]string {
	tags := map[string]string{}
	for k, v := range e.Tags {
		tags[k] = v
	}
	tags["project"] = Project
	tags["environment"] = e.Name
	tags["managed-by"] = "cdktf"
	tags["repository"] = Repository
	return tags
}

// reservedTags are set by the platform (DefaultTags, and "component" by each stack) and may not
// be overridden in a file.
var reservedTags = []string{"component", "environment", "managed-by", "project", "repository"}
