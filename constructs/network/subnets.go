package network

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/defaultsecuritygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/subnet"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpc"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcipv4cidrblockassociation"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

// Subnet tiers, also the value of each subnet's "tier" tag.
const (
	TierPublic   = "public"
	TierPrivate  = "private"
	TierPod      = "pod"
	TierDatabase = "database"
)

func (n *Network) addVpcAndSubnets() {
	n.Vpc = vpc.NewVpc(n.Construct, jsii.String("vpc"), &vpc.VpcConfig{
		CidrBlock:          jsii.String(n.VpcCidr),
		EnableDnsSupport:   jsii.Bool(true),
		EnableDnsHostnames: jsii.Bool(true),
		Tags:               tags("Name", n.name()),
	})
	n.VpcID = n.Vpc.Id()

	// The default security group is stripped of its allow-all rules so nothing can use it by accident.
	defaultsecuritygroup.NewDefaultSecurityGroup(n.Construct, jsii.String("default-sg"), &defaultsecuritygroup.DefaultSecurityGroupConfig{
		VpcId: n.VpcID,
		Tags:  tags("Name", n.name("default-do-not-use")),
	})

	podRange := vpcipv4cidrblockassociation.NewVpcIpv4CidrBlockAssociation(n.Construct, jsii.String("pod-cidr"), &vpcipv4cidrblockassociation.VpcIpv4CidrBlockAssociationConfig{
		VpcId:     n.VpcID,
		CidrBlock: jsii.String(n.PodCidr),
	})

	for i, az := range n.AvailabilityZones {
		l := n.Layout[i]
		n.PublicSubnetIDs = append(n.PublicSubnetIDs, n.subnet(TierPublic, az, l.Public.String(), nil,
			"kubernetes.io/role/elb", "1"))
		n.PrivateSubnetIDs = append(n.PrivateSubnetIDs, n.subnet(TierPrivate, az, l.Private.String(), nil,
			"kubernetes.io/role/internal-elb", "1", "karpenter.sh/discovery", n.props.ClusterName))
		n.PodSubnetIDs = append(n.PodSubnetIDs, n.subnet(TierPod, az, l.Pod.String(), podRange))
		n.DatabaseSubnetIDs = append(n.DatabaseSubnetIDs, n.subnet(TierDatabase, az, l.Database.String(), nil))
	}
}

// subnet creates one subnet; none maps public IPs on launch (NAT gateways and load balancers
// bring their own addresses).
func (n *Network) subnet(tier, az, cidr string, dependsOn cdktf.ITerraformDependable, extraTags ...string) *string {
	cfg := &subnet.SubnetConfig{
		VpcId:               n.VpcID,
		AvailabilityZone:    jsii.String(az),
		CidrBlock:           jsii.String(cidr),
		MapPublicIpOnLaunch: jsii.Bool(false),
		Tags:                tags(append([]string{"Name", n.name(tier, az), "tier", tier}, extraTags...)...),
	}
	if dependsOn != nil {
		cfg.DependsOn = &[]cdktf.ITerraformDependable{dependsOn}
	}
	return subnet.NewSubnet(n.Construct, jsii.String(tier+"-"+az), cfg).Id()
}
