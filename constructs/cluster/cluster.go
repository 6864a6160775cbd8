// Package cluster is the platform's EKS cluster: a private control plane with envelope
// encryption and audit logs, a Bottlerocket managed node group for critical add-ons, EKS
// managed add-ons with Pod Identity roles, and the AWS side of Karpenter and the in-cluster
// controllers (AWS Load Balancer Controller, External Secrets Operator).
package cluster

import (
	"fmt"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ekscluster"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"

	"github.com/phl-platform/phl-platform/internal/tfval"
)

// Props configures a Cluster.
type Props struct {
	Name              string // the EKS cluster name, e.g. "phl-dev" (required)
	AccountID         string // required
	Region            string // required
	Partition         string // default "aws"
	KubernetesVersion string // required, e.g. "1.35"

	VpcID             *string
	AvailabilityZones []string  // the order of the per-AZ subnet lists
	PrivateSubnetIDs  []*string // node and control-plane ENIs, one per AZ
	PodSubnetIDs      []*string // VPC CNI custom networking, one per AZ
	// ExtraPodSecurityGroupIDs are attached to every pod ENI beside the pod group (the
	// network's database-clients group). None may carry the kubernetes.io/cluster tag: the
	// Load Balancer Controller needs exactly one tagged group per ENI.
	ExtraPodSecurityGroupIDs []*string

	EndpointPublicAccess bool
	PublicAccessCidrs    []string // required when EndpointPublicAccess
	AdminPrincipalArns   []string // IAM principals granted cluster-admin (access entries)
	LogRetentionDays     int      // control-plane and Container Insights logs; default 90

	NodeGroup     NodeGroupProps
	AddonVersions map[string]string // add-on name -> version; absent: EKS's default for the version

	// SecretsPrefix is the Secrets Manager name prefix the External Secrets Operator may read,
	// e.g. "phl-dev/". Required.
	SecretsPrefix string
}

// NodeGroupProps configures the critical-add-ons node group.
type NodeGroupProps struct {
	InstanceTypes       []string
	Size                int
	DiskSizeGiB         int
	CriticalAddonsTaint bool
}

// Cluster exposes what later stacks consume.
type Cluster struct {
	constructs.Construct

	Cluster  ekscluster.EksCluster
	Name     *string
	Arn      string
	Endpoint *string
	// CertificateAuthorityData is the cluster CA (public, not a secret).
	CertificateAuthorityData *string
	KmsKey                   kmskey.KmsKey

	ClusterSecurityGroupID        *string // EKS-managed cluster security group
	ControlPlaneSecurityGroupID   *string // the additional security group on the control plane ENIs
	NodeSecurityGroupID           *string
	PodSecurityGroupID            *string
	KarpenterQueueName            *string
	KarpenterNodeRoleName         *string
	KarpenterNodeRoleArn          *string
	KarpenterControllerRoleArn    *string
	LoadBalancerControllerRoleArn *string
	ExternalSecretsRoleArn        *string

	props Props
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,37}$`)

// New creates the cluster. It panics on invalid props: callers validate user input first.
func New(scope constructs.Construct, id string, props Props) *Cluster {
	if props.Partition == "" {
		props.Partition = "aws"
	}
	if props.LogRetentionDays == 0 {
		props.LogRetentionDays = 90
	}
	if err := props.validate(); err != nil {
		panic(fmt.Sprintf("cluster.New(%q): %v", id, err))
	}
	c := &Cluster{
		Construct: constructs.NewConstruct(scope, jsii.String(id)),
		Arn:       fmt.Sprintf("arn:%s:eks:%s:%s:cluster/%s", props.Partition, props.Region, props.AccountID, props.Name),
		props:     props,
	}
	c.addKmsKey()
	c.addSecurityGroups()
	c.addControlPlane()
	before := c.addAddonsBeforeNodes()
	nodes := c.addNodeGroup(before)
	c.addAddonsAfterNodes(nodes)
	c.addKarpenter()
	c.addControllerRoles()
	return c
}

func (p Props) validate() error {
	switch {
	case !namePattern.MatchString(p.Name):
		return fmt.Errorf("Name %q must match %s", p.Name, namePattern)
	case p.AccountID == "" || p.Region == "" || p.KubernetesVersion == "" || p.VpcID == nil || p.SecretsPrefix == "":
		return fmt.Errorf("AccountID, Region, KubernetesVersion, VpcID and SecretsPrefix are required")
	case len(p.AvailabilityZones) < 2 || len(p.PrivateSubnetIDs) != len(p.AvailabilityZones) || len(p.PodSubnetIDs) != len(p.AvailabilityZones):
		return fmt.Errorf("need one private and one pod subnet for each of at least 2 AZs")
	case p.EndpointPublicAccess && len(p.PublicAccessCidrs) == 0:
		return fmt.Errorf("EndpointPublicAccess needs PublicAccessCidrs")
	case p.NodeGroup.Size < 1 || len(p.NodeGroup.InstanceTypes) == 0 || p.NodeGroup.DiskSizeGiB < 20:
		return fmt.Errorf("NodeGroup needs Size >= 1, instance types and DiskSizeGiB >= 20")
	}
	return nil
}

func (c *Cluster) arn(service, region, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", c.props.Partition, service, region, c.props.AccountID, resource)
}

func (c *Cluster) managedPolicy(name string) string {
	return "arn:" + c.props.Partition + ":iam::aws:policy/" + name
}

func (c *Cluster) name(parts ...string) string { return tfval.Name(c.props.Name, parts...) }

var (
	tags = tfval.Tags
	strs = tfval.Strings
)

func ptr[T any](v T) *T { return &v }
