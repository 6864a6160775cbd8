package network

import (
	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/securitygroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcendpoint"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/vpcsecuritygroupingressrule"
)

// addEndpoints: the S3 gateway endpoint (free; image layers from ECR come from S3) on the
// node and pod route tables, and the optional interface endpoints in the node subnets.
func (n *Network) addEndpoints() {
	routeTables := append(append([]*string{}, n.PrivateRouteTableIDs...), n.PodRouteTableIDs...)
	vpcendpoint.NewVpcEndpoint(n.Construct, jsii.String("s3-endpoint"), &vpcendpoint.VpcEndpointConfig{
		VpcId:           n.VpcID,
		ServiceName:     jsii.String(n.serviceName("s3")),
		VpcEndpointType: jsii.String("Gateway"),
		RouteTableIds:   &routeTables,
		Tags:            tags("Name", n.name("s3")),
	})
	if len(n.props.InterfaceEndpoints) == 0 {
		return
	}

	sg := securitygroup.NewSecurityGroup(n.Construct, jsii.String("endpoints-sg"), &securitygroup.SecurityGroupConfig{
		Name:        jsii.String(n.name("vpc-endpoints")),
		Description: jsii.String("HTTPS from the VPC to its interface endpoints"),
		VpcId:       n.VpcID,
		Tags:        tags("Name", n.name("vpc-endpoints")),
	})
	n.EndpointSecurityGroupID = sg.Id()
	for _, r := range []struct{ id, cidr string }{{"vpc", n.VpcCidr}, {"pods", n.PodCidr}} {
		vpcsecuritygroupingressrule.NewVpcSecurityGroupIngressRule(n.Construct, jsii.String("endpoints-https-from-"+r.id), &vpcsecuritygroupingressrule.VpcSecurityGroupIngressRuleConfig{
			SecurityGroupId: sg.Id(),
			Description:     jsii.String("HTTPS from " + r.id + " addresses"),
			IpProtocol:      jsii.String("tcp"),
			FromPort:        jsii.Number(443),
			ToPort:          jsii.Number(443),
			CidrIpv4:        jsii.String(r.cidr),
		})
	}

	for _, svc := range n.props.InterfaceEndpoints {
		vpcendpoint.NewVpcEndpoint(n.Construct, jsii.String(svc+"-endpoint"), &vpcendpoint.VpcEndpointConfig{
			VpcId:             n.VpcID,
			ServiceName:       jsii.String(n.serviceName(svc)),
			VpcEndpointType:   jsii.String("Interface"),
			PrivateDnsEnabled: jsii.Bool(true),
			SubnetIds:         &n.PrivateSubnetIDs,
			SecurityGroupIds:  &[]*string{sg.Id()},
			Tags:              tags("Name", n.name(svc)),
		})
	}
}

func (n *Network) serviceName(svc string) string {
	return "com.amazonaws." + n.props.Region + "." + svc
}
