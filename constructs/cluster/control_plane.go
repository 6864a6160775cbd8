package cluster

import (
	"strconv"

	"github.com/aws/jsii-runtime-go"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/cloudwatchloggroup"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksaccessentry"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/eksaccesspolicyassociation"
	"github.com/cdktf/cdktf-provider-aws-go/aws/v19/ekscluster"
	"github.com/hashicorp/terraform-cdk-go/cdktf"

	"github.com/phl-platform/phl-platform/internal/iampolicy"
)

// LogTypes are the control-plane logs the cluster sends to CloudWatch.
var LogTypes = []string{"api", "audit", "authenticator", "controllerManager", "scheduler"}

// ClusterAdminPolicy is the EKS access policy given to admin principals.
const ClusterAdminPolicy = "AmazonEKSClusterAdminPolicy"

func (c *Cluster) addControlPlane() {
	// EKS would create this group itself, unencrypted and kept forever; creating it first
	// gives it the cluster key and a retention.
	logGroup := cloudwatchloggroup.NewCloudwatchLogGroup(c.Construct, jsii.String("control-plane-logs"), &cloudwatchloggroup.CloudwatchLogGroupConfig{
		Name:            jsii.String("/aws/eks/" + c.props.Name + "/cluster"),
		RetentionInDays: jsii.Number(c.props.LogRetentionDays),
		KmsKeyId:        c.KmsKey.Arn(),
	})

	role, roleDeps := c.role(roleSpec{
		id: "cluster", name: c.name("cluster"),
		trust:   iampolicy.ServiceTrust("eks.amazonaws.com", []string{"sts:AssumeRole", "sts:TagSession"}, nil),
		managed: []string{"AmazonEKSClusterPolicy"},
		inline: iampolicy.New(iampolicy.Allow("EnvelopeEncryptionWithTheClusterKey",
			[]string{"kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"}, []string{*c.KmsKey.Arn()})),
	})

	vpc := &ekscluster.EksClusterVpcConfig{
		SubnetIds:             &c.props.PrivateSubnetIDs,
		EndpointPrivateAccess: jsii.Bool(true),
		EndpointPublicAccess:  jsii.Bool(c.props.EndpointPublicAccess),
		SecurityGroupIds:      &[]*string{c.ControlPlaneSecurityGroupID},
	}
	if c.props.EndpointPublicAccess {
		vpc.PublicAccessCidrs = strs(c.props.PublicAccessCidrs...)
	}
	c.Cluster = ekscluster.NewEksCluster(c.Construct, jsii.String("cluster"), &ekscluster.EksClusterConfig{
		Name:      jsii.String(c.props.Name),
		Version:   jsii.String(c.props.KubernetesVersion),
		RoleArn:   role.Arn(),
		VpcConfig: vpc,
		EncryptionConfig: &ekscluster.EksClusterEncryptionConfig{
			Provider:  &ekscluster.EksClusterEncryptionConfigProvider{KeyArn: c.KmsKey.Arn()},
			Resources: strs("secrets"),
		},
		EnabledClusterLogTypes: strs(LogTypes...),
		AccessConfig: &ekscluster.EksClusterAccessConfig{
			AuthenticationMode:                      jsii.String("API"),
			BootstrapClusterCreatorAdminPermissions: jsii.Bool(false),
		},
		// EKS installs its default vpc-cni, kube-proxy and CoreDNS first, so nodes can become
		// Ready while the managed add-ons (which take these over) are being created.
		BootstrapSelfManagedAddons: jsii.Bool(true),
		// Never drift into paid extended support: EKS upgrades the cluster at the end of
		// standard support instead.
		UpgradePolicy: &ekscluster.EksClusterUpgradePolicy{SupportType: jsii.String("STANDARD")},
		DependsOn:     ptr(append(roleDeps, cdktf.ITerraformDependable(logGroup))),
		Tags:          tags("Name", c.props.Name),
	})
	c.Name = c.Cluster.Name()
	c.Endpoint = c.Cluster.Endpoint()
	c.CertificateAuthorityData = c.Cluster.CertificateAuthority().Get(jsii.Number(0)).Data()
	c.ClusterSecurityGroupID = c.Cluster.VpcConfig().ClusterSecurityGroupId()

	for i, arn := range c.props.AdminPrincipalArns {
		id := "admin-" + strconv.Itoa(i)
		entry := eksaccessentry.NewEksAccessEntry(c.Construct, jsii.String(id), &eksaccessentry.EksAccessEntryConfig{
			ClusterName:  c.Name,
			PrincipalArn: jsii.String(arn),
			Type:         jsii.String("STANDARD"),
		})
		eksaccesspolicyassociation.NewEksAccessPolicyAssociation(c.Construct, jsii.String(id+"-cluster-admin"), &eksaccesspolicyassociation.EksAccessPolicyAssociationConfig{
			ClusterName:  c.Name,
			PrincipalArn: entry.PrincipalArn(),
			PolicyArn:    jsii.String("arn:" + c.props.Partition + ":eks::aws:cluster-access-policy/" + ClusterAdminPolicy),
			AccessScope:  &eksaccesspolicyassociation.EksAccessPolicyAssociationAccessScope{Type: jsii.String("cluster")},
		})
	}
}
