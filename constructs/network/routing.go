package network

import (
	"strconv"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eip"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/internetgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/natgateway"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/route"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetable"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/routetableassociation"
	"github.com/hashicorp/terraform-cdk-go/cdktf"
)

const anywhere = "0.0.0.0/0"

// addRouting: public → internet gateway; private and pod → their AZ's NAT gateway (or the
// single one); database → local routes only.
func (n *Network) addRouting() {
	igw := internetgateway.NewInternetGateway(n.Construct, jsii.String("igw"), &internetgateway.InternetGatewayConfig{
		VpcId: n.VpcID,
		Tags:  tags("Name", n.name()),
	})

	public := n.routeTable(TierPublic, "", n.PublicSubnetIDs...)
	n.PublicRouteTableID = public
	n.defaultRoute("public", public, &route.RouteConfig{GatewayId: igw.Id()})

	natCount := len(n.AvailabilityZones)
	if n.props.SingleNatGateway {
		natCount = 1
	}
	for i := 0; i < natCount; i++ {
		az := n.AvailabilityZones[i]
		ip := eip.NewEip(n.Construct, jsii.String("nat-eip-"+az), &eip.EipConfig{
			Domain: jsii.String("vpc"),
			Tags:   tags("Name", n.name("nat", az)),
		})
		nat := natgateway.NewNatGateway(n.Construct, jsii.String("nat-"+az), &natgateway.NatGatewayConfig{
			AllocationId: ip.AllocationId(),
			SubnetId:     n.PublicSubnetIDs[i],
			Tags:         tags("Name", n.name("nat", az)),
			DependsOn:    &[]cdktf.ITerraformDependable{igw},
		})
		n.NatGatewayIDs = append(n.NatGatewayIDs, nat.Id())
	}

	for i, az := range n.AvailabilityZones {
		nat := n.NatGatewayIDs[min(i, natCount-1)]
		private := n.routeTable(TierPrivate, az, n.PrivateSubnetIDs[i])
		n.defaultRoute("private-"+az, private, &route.RouteConfig{NatGatewayId: nat})
		n.PrivateRouteTableIDs = append(n.PrivateRouteTableIDs, private)

		pod := n.routeTable(TierPod, az, n.PodSubnetIDs[i])
		n.defaultRoute("pod-"+az, pod, &route.RouteConfig{NatGatewayId: nat})
		n.PodRouteTableIDs = append(n.PodRouteTableIDs, pod)
	}

	// One database route table with no route beyond the VPC's local ones.
	n.DatabaseRouteTableIDs = []*string{n.routeTable(TierDatabase, "", n.DatabaseSubnetIDs...)}
}

func (n *Network) routeTable(tier, az string, subnetIDs ...*string) *string {
	id, name := tier, n.name(tier)
	if az != "" {
		id, name = tier+"-"+az, n.name(tier, az)
	}
	rt := routetable.NewRouteTable(n.Construct, jsii.String("rt-"+id), &routetable.RouteTableConfig{
		VpcId: n.VpcID,
		Tags:  tags("Name", name, "tier", tier),
	})
	for i, s := range subnetIDs {
		routetableassociation.NewRouteTableAssociation(n.Construct, jsii.String("rta-"+id+"-"+strconv.Itoa(i)), &routetableassociation.RouteTableAssociationConfig{
			RouteTableId: rt.Id(),
			SubnetId:     s,
		})
	}
	return rt.Id()
}

func (n *Network) defaultRoute(id string, routeTableID *string, target *route.RouteConfig) {
	target.RouteTableId = routeTableID
	target.DestinationCidrBlock = jsii.String(anywhere)
	route.NewRoute(n.Construct, jsii.String("default-route-"+id), target)
}
