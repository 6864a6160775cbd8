// Package network is the platform's VPC: public, private (nodes), pod (secondary range) and
// database subnets in each AZ, NAT, per-tier routing, a locked-down database tier, flow logs
// encrypted with the network's own KMS key, and VPC endpoints.
package network

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/kmskey"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"

	"github.com/phl-platform/phl-platform/internal/netcalc"
	"github.com/phl-platform/phl-platform/internal/tfval"
)

// Props configures a Network. Zero values take the documented defaults.
type Props struct {
	Name              string   // prefix of every resource name, e.g. "phl-dev" (required)
	AccountID         string   // the account the VPC lives in, for key and trust policies (required)
	Region            string   // required
	Partition         string   // default "aws"
	AvailabilityZones []string // 2 to 4 zones of Region (required)

	VpcCidr netip.Prefix // default 10.0.0.0/16
	PodCidr netip.Prefix // secondary range for pods; default 100.64.0.0/16

	// SingleNatGateway puts one NAT gateway in the first AZ for all of them (cheaper, but an
	// AZ outage cuts egress everywhere); false gives each AZ its own.
	SingleNatGateway bool

	FlowLogRetentionDays int      // default 90
	InterfaceEndpoints   []string // e.g. "ecr.api", "sts"; the S3 gateway endpoint is always created
	ClusterName          string   // value of the karpenter.sh/discovery tag on node subnets (required)
}

// Network exposes what later stacks consume. Slices are in AvailabilityZones order.
type Network struct {
	constructs.Construct

	Vpc               vpc.Vpc
	VpcID             *string
	VpcCidr           string
	PodCidr           string
	AvailabilityZones []string
	Layout            []netcalc.AZSubnets

	PublicSubnetIDs   []*string
	PrivateSubnetIDs  []*string
	PodSubnetIDs      []*string
	DatabaseSubnetIDs []*string

	PublicRouteTableID    *string
	PrivateRouteTableIDs  []*string
	PodRouteTableIDs      []*string
	DatabaseRouteTableIDs []*string
	NatGatewayIDs         []*string

	// KmsKey encrypts the flow logs; later stacks may use it for other network-level logs.
	KmsKey kmskey.KmsKey
	// EndpointSecurityGroupID guards the interface endpoints; nil when there are none.
	EndpointSecurityGroupID *string
	// DatabaseClientsSecurityGroupID marks the ENIs that may reach the database (no rules).
	DatabaseClientsSecurityGroupID *string

	props Props
}

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{1,30}$`)

// New creates the network. It panics on invalid props: callers validate user input first
// (the config package does), so an error here is a programming mistake.
func New(scope constructs.Construct, id string, props Props) *Network {
	props = props.withDefaults()
	layout, err := props.validate()
	if err != nil {
		panic(fmt.Sprintf("network.New(%q): %v", id, err))
	}
	n := &Network{
		Construct:         constructs.NewConstruct(scope, jsii.String(id)),
		VpcCidr:           props.VpcCidr.String(),
		PodCidr:           props.PodCidr.String(),
		AvailabilityZones: props.AvailabilityZones,
		Layout:            layout,
		props:             props,
	}
	n.addVpcAndSubnets()
	n.addRouting()
	n.addDatabaseAcl()
	n.addFlowLogs()
	n.addEndpoints()
	n.addDatabaseClients()
	return n
}

func (p Props) withDefaults() Props {
	if !p.VpcCidr.IsValid() {
		p.VpcCidr = netip.MustParsePrefix("10.0.0.0/16")
	}
	if !p.PodCidr.IsValid() {
		p.PodCidr = netip.MustParsePrefix("100.64.0.0/16")
	}
	if p.Partition == "" {
		p.Partition = "aws"
	}
	if p.FlowLogRetentionDays == 0 {
		p.FlowLogRetentionDays = 90
	}
	return p
}

func (p Props) validate() ([]netcalc.AZSubnets, error) {
	switch {
	case !namePattern.MatchString(p.Name):
		return nil, fmt.Errorf("Name %q must match %s", p.Name, namePattern)
	case p.AccountID == "" || p.Region == "" || p.ClusterName == "":
		return nil, fmt.Errorf("AccountID, Region and ClusterName are required")
	case len(p.AvailabilityZones) < 2:
		return nil, fmt.Errorf("AvailabilityZones %v: at least 2 are required", p.AvailabilityZones)
	case p.VpcCidr.Overlaps(p.PodCidr):
		return nil, fmt.Errorf("PodCidr %s overlaps VpcCidr %s", p.PodCidr, p.VpcCidr)
	}
	return netcalc.Layout(p.VpcCidr, p.PodCidr, len(p.AvailabilityZones))
}

// arn builds an ARN in the network's partition, region and account.
func (n *Network) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", n.props.Partition, service, n.props.Region, n.props.AccountID, resource)
}

// servicePrincipal is the regional principal of an AWS service, e.g. logs.<region>.amazonaws.com.
func (n *Network) servicePrincipal(service string) string {
	suffix := "amazonaws.com"
	if n.props.Partition == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("%s.%s.%s", service, n.props.Region, suffix)
}

func (n *Network) name(parts ...string) string { return tfval.Name(n.props.Name, parts...) }

var tags = tfval.Tags
