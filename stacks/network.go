package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/network"
)

// NetworkStack is "<env>-network": the VPC everything else runs in.
type NetworkStack struct {
	cdktf.TerraformStack
	Network *network.Network
}

// NewNetworkStack creates the environment's network stack.
func NewNetworkStack(scope constructs.Construct, env *config.Environment) *NetworkStack {
	stack := newStack(scope, env, "network")
	net := network.New(stack, "network", network.Props{
		Name:                 config.Project + "-" + env.Name,
		AccountID:            env.AccountID,
		Region:               env.Region,
		Partition:            env.Partition,
		AvailabilityZones:    env.AvailabilityZones,
		VpcCidr:              env.Network.VpcCidr,
		PodCidr:              env.Network.PodCidr,
		SingleNatGateway:     env.Network.NatGatewayMode == config.NatSingle,
		FlowLogRetentionDays: env.Network.FlowLogRetentionDays,
		InterfaceEndpoints:   env.Network.InterfaceEndpoints,
		ClusterName:          env.ClusterName(),
	})

	output(stack, "vpc_id", "VPC ID", net.VpcID)
	output(stack, "vpc_cidr", "Primary VPC range (nodes, load balancers, databases)", net.VpcCidr)
	output(stack, "pod_cidr", "Secondary VPC range for pod IPs", net.PodCidr)
	output(stack, "availability_zones", "AZs, in the order of every per-AZ list", net.AvailabilityZones)
	output(stack, "public_subnet_ids", "Public subnet IDs per AZ", net.PublicSubnetIDs)
	output(stack, "private_subnet_ids", "Node subnet IDs per AZ", net.PrivateSubnetIDs)
	output(stack, "pod_subnet_ids", "Pod subnet IDs per AZ (VPC CNI custom networking)", net.PodSubnetIDs)
	output(stack, "database_subnet_ids", "Database subnet IDs per AZ", net.DatabaseSubnetIDs)
	output(stack, "public_route_table_id", "Public route table ID", net.PublicRouteTableID)
	output(stack, "private_route_table_ids", "Node route table IDs per AZ", net.PrivateRouteTableIDs)
	output(stack, "pod_route_table_ids", "Pod route table IDs per AZ", net.PodRouteTableIDs)
	output(stack, "database_route_table_ids", "Database route table IDs", net.DatabaseRouteTableIDs)
	output(stack, "nat_gateway_ids", "NAT gateway IDs", net.NatGatewayIDs)
	output(stack, "kms_key_arn", "ARN of the network's KMS key (flow logs)", net.KmsKey.Arn())
	output(stack, "database_clients_security_group_id", "Security group whose members may reach the database (pod ENIs)", net.DatabaseClientsSecurityGroupID)
	return &NetworkStack{TerraformStack: stack, Network: net}
}
