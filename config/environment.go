// Package config holds the typed settings of each environment. Environments are YAML files
// (environments/<name>.yaml) that users edit; Load validates every value before anything is
// synthesized and reports the first problem as one line naming file, key, value and what is
// allowed.
package config

import (
	"net/netip"
	"slices"
)

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
	Database          Database
	Gateway           Gateway
	Gitops            Gitops
	Delivery          Delivery      // which tool applies (config/delivery.go)
	StateBackend      *StateBackend // nil: local state files
	Tags              map[string]string
	SourceFile        string
	// Teardown: the environment is being destroyed; its database loses deletion protection
	// (config/teardown.go).
	Teardown bool
	// CIApplyRoleArn is the bootstrap stack's apply role for this environment when an account
	// of environments/bootstrap/accounts.yaml serves it (LoadApp); the cluster grants it admin.
	CIApplyRoleArn string
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

// ClusterArn is the EKS cluster's ARN, derived from config (stacks that must not wait for the
// cluster stack use it instead of a reference).
func (e *Environment) ClusterArn() string {
	return "arn:" + e.Partition + ":eks:" + e.Region + ":" + e.AccountID + ":cluster/" + e.ClusterName()
}

// RoleArn is the ARN of an IAM role of this account, by name.
func (e *Environment) RoleArn(name string) string {
	return "arn:" + e.Partition + ":iam::" + e.AccountID + ":role/" + name
}

// ClusterAdmins are the principals granted cluster-admin: cluster.admin_principal_arns and the
// CI apply role when the bootstrap stack makes one (the gitops apply and the Argo CD wait need
// it), in that order so existing access entries keep their addresses.
func (e *Environment) ClusterAdmins() []string {
	out := append([]string{}, e.Cluster.AdminPrincipalArns...)
	if e.CIApplyRoleArn != "" && !slices.Contains(out, e.CIApplyRoleArn) {
		out = append(out, e.CIApplyRoleArn)
	}
	return out
}

// DatabaseClusterID is the Aurora cluster identifier; its log groups are named after it.
func (e *Environment) DatabaseClusterID() string { return Project + "-" + e.Name }

// FinalSnapshotPrefix begins the name of every final snapshot the database's destroy leaves
// (constructs/database: <cluster>-final-<creation time>); the destroy reports them as kept.
func (e *Environment) FinalSnapshotPrefix() string { return e.DatabaseClusterID() + "-final-" }

// SecretsPrefix is the Secrets Manager name prefix of the environment's secrets, the only ones
// the External Secrets Operator may read.
func (e *Environment) SecretsPrefix() string { return Project + "-" + e.Name + "/" }

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
