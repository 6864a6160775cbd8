package stacks

import (
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/config"
	"github.com/phl-platform/phl-platform/constructs/cluster"
	"github.com/phl-platform/phl-platform/constructs/network"
)

// ClusterStack is "<env>-cluster": EKS, its nodes and add-ons, and the AWS side of the
// in-cluster controllers. It reads the network stack's outputs through remote state.
type ClusterStack struct {
	cdktf.TerraformStack
	Cluster *cluster.Cluster
}

// NewClusterStack creates the environment's cluster stack on top of its network.
func NewClusterStack(scope constructs.Construct, env *config.Environment, net *network.Network) *ClusterStack {
	stack := newStack(scope, env, "cluster")
	c := env.Cluster
	eks := cluster.New(stack, "eks", cluster.Props{
		Name:                     env.ClusterName(),
		AccountID:                env.AccountID,
		Region:                   env.Region,
		Partition:                env.Partition,
		KubernetesVersion:        c.KubernetesVersion,
		VpcID:                    net.VpcID,
		AvailabilityZones:        net.AvailabilityZones,
		PrivateSubnetIDs:         net.PrivateSubnetIDs,
		PodSubnetIDs:             net.PodSubnetIDs,
		ExtraPodSecurityGroupIDs: []*string{net.DatabaseClientsSecurityGroupID},
		EndpointPublicAccess:     c.EndpointPublicAccess,
		PublicAccessCidrs:        c.PublicAccessCidrs,
		AdminPrincipalArns:       env.ClusterAdmins(),
		LogRetentionDays:         c.LogRetentionDays,
		NodeGroup: cluster.NodeGroupProps{
			InstanceTypes:       c.NodeGroup.InstanceTypes,
			Size:                c.NodeGroup.Size,
			DiskSizeGiB:         c.NodeGroup.DiskSizeGiB,
			CriticalAddonsTaint: c.NodeGroup.CriticalAddonsTaint,
		},
		AddonVersions: c.AddonVersions,
		SecretsPrefix: env.SecretsPrefix(),
	})

	output(stack, "cluster_name", "EKS cluster name", eks.Name)
	output(stack, "cluster_endpoint", "Kubernetes API endpoint (private unless public access is configured)", eks.Endpoint)
	output(stack, "cluster_certificate_authority_data", "Cluster CA certificate, base64 (public)", eks.CertificateAuthorityData)
	output(stack, "cluster_security_group_id", "EKS-managed cluster security group", eks.ClusterSecurityGroupID)
	output(stack, "control_plane_security_group_id", "Additional security group of the control plane ENIs", eks.ControlPlaneSecurityGroupID)
	output(stack, "node_security_group_id", "Node security group (Karpenter discovery tag)", eks.NodeSecurityGroupID)
	output(stack, "pod_security_group_id", "Pod security group (ENIConfig)", eks.PodSecurityGroupID)
	output(stack, "kms_key_arn", "Cluster KMS key (secrets, volumes, logs)", eks.KmsKey.Arn())
	output(stack, "karpenter_queue_name", "Karpenter interruption queue", eks.KarpenterQueueName)
	output(stack, "karpenter_node_role_name", "Role of Karpenter-launched nodes (EC2NodeClass spec.role)", eks.KarpenterNodeRoleName)
	output(stack, "karpenter_controller_role_arn", "Karpenter controller role (Pod Identity kube-system/karpenter)", eks.KarpenterControllerRoleArn)
	output(stack, "load_balancer_controller_role_arn", "AWS Load Balancer Controller role (Pod Identity)", eks.LoadBalancerControllerRoleArn)
	output(stack, "external_secrets_role_arn", "External Secrets Operator role (Pod Identity)", eks.ExternalSecretsRoleArn)
	return &ClusterStack{TerraformStack: stack, Cluster: eks}
}
